"""The DNS Firewall operations the `route53resolver-dns-firewall` fix installs on moto 5.2.5's Route53ResolverResponse
(tap/live/moto_fixes/route53resolver.py), each answering as AWS does; their state: dns_firewall_state.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.moto_api._internal import mock_random
from moto.route53resolver.exceptions import ResourceNotFoundException

from tap.live.moto_fixes.dns_firewall_state import (
    ACTIONS,
    ASSOCIATION_PRIORITIES,
    DOMAIN_LIST_METADATA,
    DOMAIN_OPERATIONS,
    REDIRECTION_DEFAULT,
    RULE_GROUP_METADATA,
    RULE_SETTINGS,
    ConflictException,
    Firewall,
    Item,
    ValidationException,
    answered,
    created,
    existing,
    firewall,
    modified,
    paged,
    qualified,
    removed,
    timestamp,
)

# Domain lists


def create_firewall_domain_list(self: Any) -> str:
    fw = firewall(self)
    item = created(
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
    return answered("FirewallDomainList", item)


def get_firewall_domain_list(self: Any) -> str:
    identifier = self._get_param("FirewallDomainListId")
    return answered("FirewallDomainList", existing(firewall(self).domain_lists, identifier, "Firewall domain list"))


def list_firewall_domain_lists(self: Any) -> str:
    lists = [{key: item[key] for key in DOMAIN_LIST_METADATA} for item in firewall(self).domain_lists.values()]
    return paged(self, "FirewallDomainLists", lists)


def update_firewall_domains(self: Any) -> str:
    fw, identifier, operation = firewall(self), self._get_param("FirewallDomainListId"), self._get_param("Operation")
    item = existing(fw.domain_lists, identifier, "Firewall domain list")
    if operation not in DOMAIN_OPERATIONS:
        raise ValidationException(f"Operation '{operation}' is not one of {', '.join(DOMAIN_OPERATIONS)}")
    given = [qualified(domain) for domain in self._get_param("Domains") or []]
    kept = [] if operation == "REPLACE" else fw.domains[identifier]
    if operation == "REMOVE":
        domains = [domain for domain in kept if domain not in given]
    else:
        domains = list(dict.fromkeys([*kept, *given]))
    fw.domains[identifier] = domains
    modified(item, {"DomainCount": len(domains), "Status": "COMPLETE", "StatusMessage": "Finished domain list update"})
    return json.dumps({"Id": identifier, "Name": item["Name"], "Status": "UPDATING", "StatusMessage": "Updating"})


def list_firewall_domains(self: Any) -> str:
    identifier = self._get_param("FirewallDomainListId")
    existing(firewall(self).domain_lists, identifier, "Firewall domain list")
    return paged(self, "Domains", firewall(self).domains[identifier])


def delete_firewall_domain_list(self: Any) -> str:
    fw, identifier = firewall(self), self._get_param("FirewallDomainListId")
    existing(fw.domain_lists, identifier, "Firewall domain list")
    used_by = sorted(group for group, domain_list in fw.rules if domain_list == identifier)
    if used_by:
        raise ConflictException(f"Firewall domain list '{identifier}' is used by rules of {', '.join(used_by)}")
    fw.domains.pop(identifier)
    return answered("FirewallDomainList", removed(self, fw.domain_lists, identifier), Status="DELETING")


# Rule groups


def _rule_group(fw: Firewall, identifier: str) -> Item:
    group = existing(fw.rule_groups, identifier, "Firewall rule group")
    return {**group, "RuleCount": sum(1 for key in fw.rules if key[0] == identifier)}


def create_firewall_rule_group(self: Any) -> str:
    fw = firewall(self)
    item = created(
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
    return answered("FirewallRuleGroup", _rule_group(fw, item["Id"]))


def get_firewall_rule_group(self: Any) -> str:
    return answered("FirewallRuleGroup", _rule_group(firewall(self), self._get_param("FirewallRuleGroupId")))


def list_firewall_rule_groups(self: Any) -> str:
    groups = [{key: item[key] for key in RULE_GROUP_METADATA} for item in firewall(self).rule_groups.values()]
    return paged(self, "FirewallRuleGroups", groups)


def delete_firewall_rule_group(self: Any) -> str:
    fw, identifier = firewall(self), self._get_param("FirewallRuleGroupId")
    group = _rule_group(fw, identifier)
    if group["RuleCount"]:
        raise ConflictException(f"Firewall rule group '{identifier}' still has {group['RuleCount']} rules")
    associated = sorted(a["VpcId"] for a in fw.associations.values() if a["FirewallRuleGroupId"] == identifier)
    if associated:
        raise ConflictException(f"Firewall rule group '{identifier}' is associated with {', '.join(associated)}")
    removed(self, fw.rule_groups, identifier)
    return answered("FirewallRuleGroup", group, Status="DELETING")


# Rules: one per domain list in a rule group, found by the two (as Terraform's provider finds it).


def _rule_settings(response: Any) -> dict[str, Any]:
    action = response._get_param("Action")
    if action is not None and action not in ACTIONS:
        raise ValidationException(f"Action '{action}' is not one of {', '.join(ACTIONS)}")
    named = ("Name", "Priority", "Action", "FirewallDomainRedirectionAction", *RULE_SETTINGS)
    return {key: response._get_param(key) for key in named}


def _unique_priority(priority: int | None, others: list[Item], where: str) -> None:
    """AWS refuses a priority another rule of the group, or another association of the VPC, already has."""
    if priority is not None and any(other.get("Priority") == priority for other in others):
        raise ValidationException(f"Priority {priority} is already used {where}")


def _other_rules(fw: Firewall, key: tuple[str, str]) -> list[Item]:
    return [rule for other, rule in fw.rules.items() if other[0] == key[0] and other != key]


def _rule_key(response: Any) -> tuple[str, str]:
    return response._get_param("FirewallRuleGroupId"), response._get_param("FirewallDomainListId")


def create_firewall_rule(self: Any) -> str:
    fw, key = firewall(self), _rule_key(self)
    group, domain_list = key
    existing(fw.rule_groups, group, "Firewall rule group")
    existing(fw.domain_lists, domain_list, "Firewall domain list")
    request = self._get_param("CreatorRequestId")
    if key in fw.rules and fw.rules[key]["CreatorRequestId"] != request:
        raise ValidationException(f"Firewall rule group '{group}' already has a rule for domain list '{domain_list}'")
    if key not in fw.rules:
        settings = {name: value for name, value in _rule_settings(self).items() if value is not None}
        if settings.get("Action") == "BLOCK" and "BlockResponse" not in settings:
            raise ValidationException("A rule whose Action is BLOCK needs a BlockResponse")
        _unique_priority(settings.get("Priority"), _other_rules(fw, key), f"in firewall rule group '{group}'")
        now = timestamp()
        fw.rules[key] = {
            "FirewallRuleGroupId": group,
            "FirewallDomainListId": domain_list,
            "FirewallDomainRedirectionAction": REDIRECTION_DEFAULT,
            **settings,
            "CreatorRequestId": request,
            "CreationTime": now,
            "ModificationTime": now,
        }
    return answered("FirewallRule", fw.rules[key])


def list_firewall_rules(self: Any) -> str:
    fw, group = firewall(self), self._get_param("FirewallRuleGroupId")
    existing(fw.rule_groups, group, "Firewall rule group")
    wanted = {key: self._get_param(key) for key in ("Priority", "Action") if self._get_param(key) is not None}
    rules = [
        rule
        for (rule_group, _), rule in fw.rules.items()
        if rule_group == group and all(rule.get(key) == value for key, value in wanted.items())
    ]
    return paged(self, "FirewallRules", sorted(rules, key=lambda rule: rule["Priority"]))


def update_firewall_rule(self: Any) -> str:
    fw, key = firewall(self), _rule_key(self)
    rule = existing(fw.rules, key, "Firewall rule")
    settings = _rule_settings(self)
    _unique_priority(settings["Priority"], _other_rules(fw, key), f"in firewall rule group '{key[0]}'")
    return answered("FirewallRule", modified(rule, settings))


def delete_firewall_rule(self: Any) -> str:
    fw, key = firewall(self), _rule_key(self)
    existing(fw.rules, key, "Firewall rule")
    return answered("FirewallRule", fw.rules.pop(key))


# Rule group associations


def _vpc(response: Any, vpc: str) -> str:
    if vpc not in response.route53resolver_backend.ec2_backend.vpcs:
        raise ResourceNotFoundException(f"VPC '{vpc}' does not exist")
    return vpc


def _association_priority(response: Any, vpc: str, identifier: str | None) -> int | None:
    """A priority AWS accepts for an association: within its range, and no other association of the VPC's."""
    priority = response._get_int_param("Priority")
    lowest, highest = ASSOCIATION_PRIORITIES
    if priority is not None and not lowest <= priority <= highest:
        raise ValidationException(f"Priority {priority} is not between {lowest} and {highest}")
    others = [a for key, a in firewall(response).associations.items() if a["VpcId"] == vpc and key != identifier]
    _unique_priority(priority, others, f"by a rule group associated with VPC '{vpc}'")
    return priority


def associate_firewall_rule_group(self: Any) -> str:
    fw, group, vpc = firewall(self), self._get_param("FirewallRuleGroupId"), self._get_param("VpcId")
    existing(fw.rule_groups, group, "Firewall rule group")
    _vpc(self, vpc)
    request = self._get_param("CreatorRequestId")
    if any(
        (a["FirewallRuleGroupId"], a["VpcId"]) == (group, vpc) and a["CreatorRequestId"] != request
        for a in fw.associations.values()
    ):
        raise ConflictException(f"Firewall rule group '{group}' is already associated with VPC '{vpc}'")
    item = created(
        self,
        fw.associations,
        "firewall-rule-group-association",
        "frgassoc",
        FirewallRuleGroupId=group,
        VpcId=vpc,
        Name=self._get_param("Name"),
        Priority=_association_priority(self, vpc, None),
        MutationProtection=self._get_param("MutationProtection") or "DISABLED",
        Status="COMPLETE",
        StatusMessage="Finished rule group association update",
    )
    return answered(
        "FirewallRuleGroupAssociation",
        item,
        Status="UPDATING",
        StatusMessage="Creating Firewall Rule Group Association",
    )


def get_firewall_rule_group_association(self: Any) -> str:
    identifier = self._get_param("FirewallRuleGroupAssociationId")
    association = existing(firewall(self).associations, identifier, "Firewall rule group association")
    return answered("FirewallRuleGroupAssociation", association)


def list_firewall_rule_group_associations(self: Any) -> str:
    wanted = {
        key: self._get_param(key)
        for key in ("FirewallRuleGroupId", "VpcId", "Priority", "Status")
        if self._get_param(key) is not None
    }
    associations = [
        a for a in firewall(self).associations.values() if all(a[key] == value for key, value in wanted.items())
    ]
    return paged(self, "FirewallRuleGroupAssociations", associations)


def update_firewall_rule_group_association(self: Any) -> str:
    identifier = self._get_param("FirewallRuleGroupAssociationId")
    association = existing(firewall(self).associations, identifier, "Firewall rule group association")
    changes = {key: self._get_param(key) for key in ("Name", "MutationProtection")}
    changes["Priority"] = _association_priority(self, association["VpcId"], identifier)
    return answered("FirewallRuleGroupAssociation", modified(association, changes), Status="UPDATING")


def disassociate_firewall_rule_group(self: Any) -> str:
    fw, identifier = firewall(self), self._get_param("FirewallRuleGroupAssociationId")
    existing(fw.associations, identifier, "Firewall rule group association")
    return answered("FirewallRuleGroupAssociation", removed(self, fw.associations, identifier), Status="DELETING")


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
    return answered("FirewallConfig", _config(self))


def update_firewall_config(self: Any) -> str:
    config = _config(self)
    config["FirewallFailOpen"] = self._get_param("FirewallFailOpen")
    return answered("FirewallConfig", config)


def list_firewall_configs(self: Any) -> str:
    return paged(self, "FirewallConfigs", list(firewall(self).configs.values()))


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
