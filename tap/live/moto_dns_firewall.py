"""Route 53 Resolver DNS Firewall for moto 5.2.5, which has none: domain lists and their domains, rule groups and
their rules, rule group associations with VPCs, and each VPC's firewall configuration.

Installed on moto's Route53ResolverResponse by the `route53resolver-dns-firewall` fix (tap/live/moto_fixes.py);
the state lives on moto's Route53ResolverBackend (one per account and region), so the mutation campaign's forks
copy it. What AWS does asynchronously is done by the time anyone reads: a call answers the status AWS answers
(UPDATING, DELETING), a read after it the status Terraform's waiters wait for (COMPLETE, or gone). Shapes and
errors are those of botocore's route53resolver service model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.moto_api._internal import mock_random
from moto.route53resolver.exceptions import ResourceNotFoundException
from moto.utilities.utils import get_partition

Item = dict[str, Any]
# What a list call answers unless asked for fewer (AWS's default for every DNS Firewall list).
PAGE = 100
DOMAIN_OPERATIONS = ("ADD", "REMOVE", "REPLACE")
ACTIONS = ("ALLOW", "BLOCK", "ALERT")
# A rule answers these optional settings only when it was given them; the redirection action has AWS's default.
RULE_SETTINGS = ("BlockResponse", "BlockOverrideDomain", "BlockOverrideDnsType", "BlockOverrideTtl", "Qtype")
REDIRECTION_DEFAULT = "INSPECT_REDIRECTION_DOMAIN"
# What each list answers of a domain list or a rule group: its metadata, not its counts or status.
DOMAIN_LIST_METADATA = ("Id", "Arn", "Name", "CreatorRequestId")
RULE_GROUP_METADATA = ("Id", "Arn", "Name", "OwnerId", "CreatorRequestId", "ShareStatus")


class ConflictException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("ConflictException", message)


class ValidationException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("ValidationException", message)


@dataclass
class Firewall:
    """One account and region's DNS firewall, each resource as AWS describes it, by id."""

    domain_lists: dict[str, Item] = field(default_factory=dict)
    domains: dict[str, list[str]] = field(default_factory=dict)  # domain list id -> its names, fully qualified
    rule_groups: dict[str, Item] = field(default_factory=dict)
    rules: dict[tuple[str, str], Item] = field(default_factory=dict)  # (rule group id, domain list id) -> rule
    associations: dict[str, Item] = field(default_factory=dict)
    configs: dict[str, Item] = field(default_factory=dict)  # VPC id -> its firewall configuration

    def arns(self) -> set[str]:
        """What TagResource, UntagResource and ListTagsForResource accept besides moto's own resources."""
        kept = (self.domain_lists, self.rule_groups, self.associations)
        return {item["Arn"] for items in kept for item in items.values()}


def firewall_of(backend: Any) -> Firewall:
    """The firewall kept on moto's Route53ResolverBackend, made on first use."""
    if not hasattr(backend, "dns_firewall"):
        backend.dns_firewall = Firewall()
    return backend.dns_firewall


def firewall(response: Any) -> Firewall:
    return firewall_of(response.route53resolver_backend)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _found(items: dict, key: Any, what: str) -> Item:
    if key not in items:
        raise ResourceNotFoundException(f"{what} '{key}' does not exist")
    return items[key]


def _qualified(domain: str) -> str:
    """AWS keeps every name fully qualified: ListFirewallDomains answers `example.com.` for `example.com`."""
    return domain if domain.endswith(".") else f"{domain}."


def _page(response: Any, key: str, items: list) -> str:
    token = response._get_param("NextToken") or "0"
    if not token.isdigit():
        raise ValidationException(f"NextToken '{token}' was not given by this list")
    start = int(token)
    end = start + (response._get_int_param("MaxResults") or PAGE)
    return json.dumps({key: items[start:end], **({"NextToken": str(end)} if end < len(items) else {})})


def _answer(key: str, item: Item, **status: str) -> str:
    return json.dumps({key: {**item, **status}})


def _created(response: Any, items: dict[str, Item], kind: str, prefix: str, **attributes: Any) -> Item:
    """A new resource, tagged as asked; the one a CreatorRequestId already made, if retried (AWS's idempotency)."""
    request = response._get_param("CreatorRequestId")
    retried = next((item for item in items.values() if item["CreatorRequestId"] == request), None)
    if retried:
        return retried
    backend = response.route53resolver_backend
    identifier = f"rslvr-{prefix}-{mock_random.get_random_hex(17)}"
    region = backend.region_name
    arn = f"arn:{get_partition(region)}:route53resolver:{region}:{backend.account_id}:{kind}/{identifier}"
    now = _now()
    items[identifier] = item = {
        "Id": identifier,
        "Arn": arn,
        **attributes,
        "CreatorRequestId": request,
        "CreationTime": now,
        "ModificationTime": now,
    }
    backend.tagger.tag_resource(arn, response._get_param("Tags") or [])
    return item


def _removed(response: Any, items: dict[str, Item], identifier: str) -> Item:
    removed = items.pop(identifier)
    response.route53resolver_backend.tagger.delete_all_tags_for_resource(removed["Arn"])
    return removed


def _modified(item: Item, changes: dict[str, Any]) -> Item:
    item.update({key: value for key, value in changes.items() if value is not None}, ModificationTime=_now())
    return item


# Domain lists


def create_firewall_domain_list(self: Any) -> str:
    fw = firewall(self)
    item = _created(
        self,
        fw.domain_lists,
        "firewall-domain-list",
        "fdl",
        Name=self._get_param("Name"),
        DomainCount=0,
        Status="COMPLETE",
        StatusMessage="Created Firewall Domain List",
    )
    fw.domains.setdefault(item["Id"], [])
    return _answer("FirewallDomainList", item)


def get_firewall_domain_list(self: Any) -> str:
    identifier = self._get_param("FirewallDomainListId")
    return _answer("FirewallDomainList", _found(firewall(self).domain_lists, identifier, "Firewall domain list"))


def list_firewall_domain_lists(self: Any) -> str:
    lists = [{key: item[key] for key in DOMAIN_LIST_METADATA} for item in firewall(self).domain_lists.values()]
    return _page(self, "FirewallDomainLists", lists)


def update_firewall_domains(self: Any) -> str:
    fw, identifier, operation = firewall(self), self._get_param("FirewallDomainListId"), self._get_param("Operation")
    item = _found(fw.domain_lists, identifier, "Firewall domain list")
    if operation not in DOMAIN_OPERATIONS:
        raise ValidationException(f"Operation '{operation}' is not one of {', '.join(DOMAIN_OPERATIONS)}")
    given = [_qualified(domain) for domain in self._get_param("Domains") or []]
    kept = [] if operation == "REPLACE" else fw.domains[identifier]
    if operation == "REMOVE":
        domains = [domain for domain in kept if domain not in given]
    else:
        domains = list(dict.fromkeys([*kept, *given]))
    fw.domains[identifier] = domains
    _modified(item, {"DomainCount": len(domains), "Status": "COMPLETE", "StatusMessage": "Finished domain list update"})
    return json.dumps({"Id": identifier, "Name": item["Name"], "Status": "UPDATING", "StatusMessage": "Updating"})


def list_firewall_domains(self: Any) -> str:
    identifier = self._get_param("FirewallDomainListId")
    _found(firewall(self).domain_lists, identifier, "Firewall domain list")
    return _page(self, "Domains", firewall(self).domains[identifier])


def delete_firewall_domain_list(self: Any) -> str:
    fw, identifier = firewall(self), self._get_param("FirewallDomainListId")
    _found(fw.domain_lists, identifier, "Firewall domain list")
    used_by = sorted(group for group, domain_list in fw.rules if domain_list == identifier)
    if used_by:
        raise ConflictException(f"Firewall domain list '{identifier}' is used by rules of {', '.join(used_by)}")
    fw.domains.pop(identifier)
    return _answer("FirewallDomainList", _removed(self, fw.domain_lists, identifier), Status="DELETING")


# Rule groups


def _rule_group(fw: Firewall, identifier: str) -> Item:
    group = _found(fw.rule_groups, identifier, "Firewall rule group")
    return {**group, "RuleCount": sum(1 for key in fw.rules if key[0] == identifier)}


def create_firewall_rule_group(self: Any) -> str:
    fw = firewall(self)
    item = _created(
        self,
        fw.rule_groups,
        "firewall-rule-group",
        "frg",
        Name=self._get_param("Name"),
        Status="COMPLETE",
        StatusMessage="Created Firewall Rule Group",
        OwnerId=self.route53resolver_backend.account_id,
        ShareStatus="NOT_SHARED",
    )
    return _answer("FirewallRuleGroup", _rule_group(fw, item["Id"]))


def get_firewall_rule_group(self: Any) -> str:
    return _answer("FirewallRuleGroup", _rule_group(firewall(self), self._get_param("FirewallRuleGroupId")))


def list_firewall_rule_groups(self: Any) -> str:
    groups = [{key: item[key] for key in RULE_GROUP_METADATA} for item in firewall(self).rule_groups.values()]
    return _page(self, "FirewallRuleGroups", groups)


def delete_firewall_rule_group(self: Any) -> str:
    fw, identifier = firewall(self), self._get_param("FirewallRuleGroupId")
    group = _rule_group(fw, identifier)
    if group["RuleCount"]:
        raise ConflictException(f"Firewall rule group '{identifier}' still has {group['RuleCount']} rules")
    associated = sorted(a["VpcId"] for a in fw.associations.values() if a["FirewallRuleGroupId"] == identifier)
    if associated:
        raise ConflictException(f"Firewall rule group '{identifier}' is associated with {', '.join(associated)}")
    _removed(self, fw.rule_groups, identifier)
    return _answer("FirewallRuleGroup", group, Status="DELETING")


# Rules: one per domain list in a rule group, found by the two (as Terraform's provider finds it).


def _rule_settings(response: Any) -> dict[str, Any]:
    action = response._get_param("Action")
    if action is not None and action not in ACTIONS:
        raise ValidationException(f"Action '{action}' is not one of {', '.join(ACTIONS)}")
    named = ("Name", "Priority", "Action", "FirewallDomainRedirectionAction", *RULE_SETTINGS)
    return {key: response._get_param(key) for key in named}


def _rule_key(response: Any) -> tuple[str, str]:
    return response._get_param("FirewallRuleGroupId"), response._get_param("FirewallDomainListId")


def create_firewall_rule(self: Any) -> str:
    fw, key = firewall(self), _rule_key(self)
    group, domain_list = key
    _found(fw.rule_groups, group, "Firewall rule group")
    _found(fw.domain_lists, domain_list, "Firewall domain list")
    request = self._get_param("CreatorRequestId")
    if key in fw.rules and fw.rules[key]["CreatorRequestId"] != request:
        raise ValidationException(f"Firewall rule group '{group}' already has a rule for domain list '{domain_list}'")
    if key not in fw.rules:
        settings = {name: value for name, value in _rule_settings(self).items() if value is not None}
        if settings.get("Action") == "BLOCK" and "BlockResponse" not in settings:
            raise ValidationException("A rule whose Action is BLOCK needs a BlockResponse")
        now = _now()
        fw.rules[key] = {
            "FirewallRuleGroupId": group,
            "FirewallDomainListId": domain_list,
            "FirewallDomainRedirectionAction": REDIRECTION_DEFAULT,
            **settings,
            "CreatorRequestId": request,
            "CreationTime": now,
            "ModificationTime": now,
        }
    return _answer("FirewallRule", fw.rules[key])


def list_firewall_rules(self: Any) -> str:
    fw, group = firewall(self), self._get_param("FirewallRuleGroupId")
    _found(fw.rule_groups, group, "Firewall rule group")
    wanted = {key: self._get_param(key) for key in ("Priority", "Action") if self._get_param(key) is not None}
    rules = [
        rule
        for (rule_group, _), rule in fw.rules.items()
        if rule_group == group and all(rule.get(key) == value for key, value in wanted.items())
    ]
    return _page(self, "FirewallRules", sorted(rules, key=lambda rule: rule["Priority"]))


def update_firewall_rule(self: Any) -> str:
    rule = _found(firewall(self).rules, _rule_key(self), "Firewall rule")
    return _answer("FirewallRule", _modified(rule, _rule_settings(self)))


def delete_firewall_rule(self: Any) -> str:
    fw, key = firewall(self), _rule_key(self)
    _found(fw.rules, key, "Firewall rule")
    return _answer("FirewallRule", fw.rules.pop(key))


# Rule group associations


def _vpc(response: Any, vpc: str) -> str:
    if vpc not in response.route53resolver_backend.ec2_backend.vpcs:
        raise ResourceNotFoundException(f"VPC '{vpc}' does not exist")
    return vpc


def associate_firewall_rule_group(self: Any) -> str:
    fw, group, vpc = firewall(self), self._get_param("FirewallRuleGroupId"), self._get_param("VpcId")
    _found(fw.rule_groups, group, "Firewall rule group")
    _vpc(self, vpc)
    request = self._get_param("CreatorRequestId")
    if any(
        (a["FirewallRuleGroupId"], a["VpcId"]) == (group, vpc) and a["CreatorRequestId"] != request
        for a in fw.associations.values()
    ):
        raise ConflictException(f"Firewall rule group '{group}' is already associated with VPC '{vpc}'")
    item = _created(
        self,
        fw.associations,
        "firewall-rule-group-association",
        "frgassoc",
        FirewallRuleGroupId=group,
        VpcId=vpc,
        Name=self._get_param("Name"),
        Priority=self._get_int_param("Priority"),
        MutationProtection=self._get_param("MutationProtection") or "DISABLED",
        Status="COMPLETE",
        StatusMessage="Finished rule group association update",
    )
    return _answer(
        "FirewallRuleGroupAssociation",
        item,
        Status="UPDATING",
        StatusMessage="Creating Firewall Rule Group Association",
    )


def get_firewall_rule_group_association(self: Any) -> str:
    identifier = self._get_param("FirewallRuleGroupAssociationId")
    association = _found(firewall(self).associations, identifier, "Firewall rule group association")
    return _answer("FirewallRuleGroupAssociation", association)


def list_firewall_rule_group_associations(self: Any) -> str:
    wanted = {
        key: self._get_param(key)
        for key in ("FirewallRuleGroupId", "VpcId", "Priority", "Status")
        if self._get_param(key) is not None
    }
    associations = [
        a for a in firewall(self).associations.values() if all(a[key] == value for key, value in wanted.items())
    ]
    return _page(self, "FirewallRuleGroupAssociations", associations)


def update_firewall_rule_group_association(self: Any) -> str:
    identifier = self._get_param("FirewallRuleGroupAssociationId")
    association = _found(firewall(self).associations, identifier, "Firewall rule group association")
    changes = {key: self._get_param(key) for key in ("Name", "Priority", "MutationProtection")}
    return _answer("FirewallRuleGroupAssociation", _modified(association, changes), Status="UPDATING")


def disassociate_firewall_rule_group(self: Any) -> str:
    fw, identifier = firewall(self), self._get_param("FirewallRuleGroupAssociationId")
    _found(fw.associations, identifier, "Firewall rule group association")
    return _answer("FirewallRuleGroupAssociation", _removed(self, fw.associations, identifier), Status="DELETING")


# Each VPC's firewall configuration: AWS answers one for any VPC, failing closed until told otherwise.


def _config(response: Any) -> Item:
    vpc = _vpc(response, response._get_param("ResourceId"))
    return firewall(response).configs.setdefault(
        vpc,
        {
            "Id": f"rslvr-fc-{mock_random.get_random_hex(17)}",
            "ResourceId": vpc,
            "OwnerId": response.route53resolver_backend.account_id,
            "FirewallFailOpen": "DISABLED",
        },
    )


def get_firewall_config(self: Any) -> str:
    return _answer("FirewallConfig", _config(self))


def update_firewall_config(self: Any) -> str:
    config = _config(self)
    config["FirewallFailOpen"] = self._get_param("FirewallFailOpen")
    return _answer("FirewallConfig", config)


def list_firewall_configs(self: Any) -> str:
    return _page(self, "FirewallConfigs", list(firewall(self).configs.values()))


OPERATIONS: dict[str, Callable[[Any], str]] = {
    operation.__name__: operation
    for operation in (
        create_firewall_domain_list,
        get_firewall_domain_list,
        list_firewall_domain_lists,
        update_firewall_domains,
        list_firewall_domains,
        delete_firewall_domain_list,
        create_firewall_rule_group,
        get_firewall_rule_group,
        list_firewall_rule_groups,
        delete_firewall_rule_group,
        create_firewall_rule,
        list_firewall_rules,
        update_firewall_rule,
        delete_firewall_rule,
        associate_firewall_rule_group,
        get_firewall_rule_group_association,
        list_firewall_rule_group_associations,
        update_firewall_rule_group_association,
        disassociate_firewall_rule_group,
        get_firewall_config,
        update_firewall_config,
        list_firewall_configs,
    )
}
