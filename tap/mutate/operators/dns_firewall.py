"""DNS firewall mutants: its rules edited, reordered and deleted, its domain lists widened, emptied and deleted,
its rule group renumbered, detached from the VPC, deleted or outranked by one that answers every name, and the
VPC's resolver made to fail open. Each is a path for data to leave in DNS queries (stack/dns_firewall.py). And
the VPC's query logging detached or deleted: such a path then leaves no record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Apply, Case, Scope, call, first_of_kind

DOMAIN_LIST = "aws_route53_resolver_firewall_domain_list"
RULE_GROUP = "aws_route53_resolver_firewall_rule_group"
RULE = "aws_route53_resolver_firewall_rule"
ASSOCIATION = "aws_route53_resolver_firewall_rule_group_association"
QUERY_LOG = "aws_route53_resolver_query_log_config"
QUERY_LOG_ASSOCIATION = "aws_route53_resolver_query_log_config_association"
REACHABILITY = "network reachability"
# A name none of the firewall's lists should answer: where a tunnel's queries would go.
TUNNEL_DOMAIN = "*.tunnel.example."
ACTIONS = ("ALLOW", "BLOCK", "ALERT")
OTHER_BLOCK_RESPONSE = {"NODATA": "NXDOMAIN", "NXDOMAIN": "NODATA", "OVERRIDE": "NODATA"}
OTHER_REDIRECTION = {
    "TRUST_REDIRECTION_DOMAIN": "INSPECT_REDIRECTION_DOMAIN",
    "INSPECT_REDIRECTION_DOMAIN": "TRUST_REDIRECTION_DOMAIN",
}
REDIRECTION_DEFAULT = "INSPECT_REDIRECTION_DOMAIN"
# The priorities AWS accepts for an association: a group at the first is evaluated before any other.
FIRST_PRIORITY, LAST_PRIORITY = 100, 9900


def resolver_call(method: str, **arguments: Any) -> Apply:
    return call("route53resolver", method, **arguments)


def dns_firewall(scope: Scope) -> Iterator[Case]:
    resolver = scope.aws("route53resolver")
    associations = resolver.list_firewall_rule_group_associations(VpcId=scope.outputs["vpc_id"])
    for association in sorted(associations["FirewallRuleGroupAssociations"], key=lambda a: a["Name"]):
        group_id = association["FirewallRuleGroupId"]
        group = resolver.get_firewall_rule_group(FirewallRuleGroupId=group_id)["FirewallRuleGroup"]
        rules = sorted(resolver.list_firewall_rules(FirewallRuleGroupId=group_id)["FirewallRules"], key=_priority)
        yield from _association_edited(scope, association)
        yield scope.case(
            scope.label(group["Name"]),
            "delete",
            "",
            "",
            REACHABILITY,
            _group_deleted(association, rules),
            observes=(RULE_GROUP, ""),
        )
        for rule in rules:
            yield from _rule_edited(scope, rule)
        yield from _rules_reordered(scope, group, rules)
        lists = {rule["FirewallDomainListId"]: rule for rule in rules}
        named = sorted(
            (
                resolver.get_firewall_domain_list(FirewallDomainListId=identifier)["FirewallDomainList"]
                for identifier in lists
            ),
            key=lambda domain_list: domain_list["Name"],
        )
        for domain_list in named:
            yield from _domains_edited(scope, resolver, domain_list)
        for domain_list in first_of_kind(named):
            yield scope.case(
                scope.label(domain_list["Name"]),
                "delete",
                "",
                "",
                REACHABILITY,
                _domain_list_deleted(domain_list["Id"], [lists[domain_list["Id"]]]),
                observes=(DOMAIN_LIST, ""),
            )
        yield scope.case(
            scope.label(association["Name"]),
            "add",
            "rule_group",
            "an extra rule group answering every name, evaluated first",
            REACHABILITY,
            _outranked(association["VpcId"], scope.label(group["Name"])),
        )
    (vpc,) = scope.aws("ec2").describe_vpcs(VpcIds=[scope.outputs["vpc_id"]])["Vpcs"]
    yield scope.case(
        scope.name_tag(vpc),
        "flip",
        "firewall_fail_open",
        "DISABLED -> ENABLED",
        REACHABILITY,
        resolver_call("update_firewall_config", ResourceId=scope.outputs["vpc_id"], FirewallFailOpen="ENABLED"),
    )


def _priority(rule: dict[str, Any]) -> int:
    return rule["Priority"]


def _association_edited(scope: Scope, association: dict[str, Any]) -> Iterator[Case]:
    label, identifier = scope.label(association["Name"]), association["Id"]
    yield scope.case(
        label,
        "delete",
        "",
        "",
        REACHABILITY,
        resolver_call("disassociate_firewall_rule_group", FirewallRuleGroupAssociationId=identifier),
        observes=(ASSOCIATION, ""),
    )
    priority = LAST_PRIORITY if association["Priority"] != LAST_PRIORITY else FIRST_PRIORITY
    yield scope.case(
        label,
        "edit",
        "priority",
        f"{association['Priority']} -> {priority}",
        REACHABILITY,
        resolver_call(
            "update_firewall_rule_group_association", FirewallRuleGroupAssociationId=identifier, Priority=priority
        ),
        observes=(ASSOCIATION, "priority"),
    )
    yield scope.case(
        label,
        "rename",
        "name",
        "",
        "naming",
        resolver_call(
            "update_firewall_rule_group_association",
            FirewallRuleGroupAssociationId=identifier,
            Name=f"{association['Name']}-renamed",
        ),
        observes=(ASSOCIATION, "name"),
    )


def _rule_key(rule: dict[str, Any]) -> dict[str, str]:
    return {key: rule[key] for key in ("FirewallRuleGroupId", "FirewallDomainListId")}


def _rule_updated(rule: dict[str, Any], **changes: Any) -> Apply:
    return resolver_call("update_firewall_rule", **_rule_key(rule), **changes)


def _rule_edited(scope: Scope, rule: dict[str, Any]) -> Iterator[Case]:
    """Each of the rule's settings changed in place, the rule renamed, and deleted."""
    label, action = scope.label(rule["Name"]), rule["Action"]
    for other in (candidate for candidate in ACTIONS if candidate != action):
        # A rule blocking from now on answers as the stack's block rule does.
        blocking = {"BlockResponse": rule.get("BlockResponse", "NODATA")} if other == "BLOCK" else {}
        yield scope.case(
            label,
            "edit",
            "action",
            f"{action} -> {other}",
            "availability" if other == "BLOCK" or action == "ALLOW" else REACHABILITY,
            _rule_updated(rule, Action=other, **blocking),
            observes=(RULE, "action"),
        )
    if rule.get("BlockResponse"):
        response = OTHER_BLOCK_RESPONSE[rule["BlockResponse"]]
        yield scope.case(
            label,
            "edit",
            "block_response",
            f"{rule['BlockResponse']} -> {response}",
            "other",
            _rule_updated(rule, BlockResponse=response),
            observes=(RULE, "block_response"),
        )
    redirection = rule.get("FirewallDomainRedirectionAction", REDIRECTION_DEFAULT)
    flipped = OTHER_REDIRECTION[redirection]
    yield scope.case(
        label,
        "edit",
        "firewall_domain_redirection_action",
        f"{redirection} -> {flipped}",
        REACHABILITY,
        _rule_updated(rule, FirewallDomainRedirectionAction=flipped),
        observes=(RULE, "firewall_domain_redirection_action"),
    )
    yield scope.case(
        label,
        "rename",
        "name",
        "",
        "naming",
        _rule_updated(rule, Name=f"{rule['Name']}-renamed"),
        observes=(RULE, "name"),
    )
    yield scope.case(
        label,
        "delete",
        "",
        "",
        "availability" if action == "ALLOW" else REACHABILITY,
        resolver_call("delete_firewall_rule", **_rule_key(rule)),
        observes=(RULE, ""),
    )


def _rules_reordered(scope: Scope, group: dict[str, Any], rules: list[dict[str, Any]]) -> Iterator[Case]:
    """The first two rules' priorities swapped: what the first answered, the second now decides."""
    if len(rules) < 2:
        return
    first, second = rules[:2]
    yield scope.case(
        scope.label(group["Name"]),
        "swap",
        "priority",
        f"{scope.label(first['Name'])} <-> {scope.label(second['Name'])}",
        REACHABILITY,
        _priorities_swapped(first, second, spare=rules[-1]["Priority"] + 1),
        observes=(RULE, "priority"),
    )


def _priorities_swapped(first: dict[str, Any], second: dict[str, Any], spare: int) -> Apply:
    """Through a spare priority, as in AWS, where no two rules of a group share one."""

    def apply(aws) -> None:
        for rule, priority in ((first, spare), (second, first["Priority"]), (first, second["Priority"])):
            _rule_updated(rule, Priority=priority)(aws)

    return apply


def _domains_edited(scope: Scope, resolver: Any, domain_list: dict[str, Any]) -> Iterator[Case]:
    label, identifier = scope.label(domain_list["Name"]), domain_list["Id"]
    domains = sorted(resolver.list_firewall_domains(FirewallDomainListId=identifier)["Domains"])
    # A name a tunnel would use let through; the list's first name taken out (a one-name list left empty).
    edits = [("add", TUNNEL_DOMAIN, "ADD"), *(("delete", domain, "REMOVE") for domain in domains[:1])]
    for operator, domain, operation in edits:
        yield scope.case(
            label,
            operator,
            "domains",
            domain,
            REACHABILITY,
            resolver_call(
                "update_firewall_domains", FirewallDomainListId=identifier, Operation=operation, Domains=[domain]
            ),
            observes=(DOMAIN_LIST, "domains"),
        )


def _group_deleted(association: dict[str, Any], rules: list[dict[str, Any]]) -> Apply:
    """The rule group gone: AWS deletes none that still has rules or is associated with a VPC."""

    def apply(aws) -> None:
        resolver = aws("route53resolver")
        resolver.disassociate_firewall_rule_group(FirewallRuleGroupAssociationId=association["Id"])
        for rule in rules:
            resolver.delete_firewall_rule(**_rule_key(rule))
        resolver.delete_firewall_rule_group(FirewallRuleGroupId=association["FirewallRuleGroupId"])

    return apply


def _domain_list_deleted(identifier: str, rules: list[dict[str, Any]]) -> Apply:
    """The domain list gone: AWS deletes none a rule uses."""

    def apply(aws) -> None:
        resolver = aws("route53resolver")
        for rule in rules:
            resolver.delete_firewall_rule(**_rule_key(rule))
        resolver.delete_firewall_domain_list(FirewallDomainListId=identifier)

    return apply


def _outranked(vpc: str, name: str) -> Apply:
    """A second rule group on the VPC, allowing every name, evaluated before the stack's."""

    def apply(aws) -> None:
        resolver = aws("route53resolver")
        made = f"{name}-outranking"
        everything = resolver.create_firewall_domain_list(Name=made, CreatorRequestId=made)["FirewallDomainList"]["Id"]
        resolver.update_firewall_domains(FirewallDomainListId=everything, Operation="REPLACE", Domains=["*"])
        group = resolver.create_firewall_rule_group(Name=made, CreatorRequestId=made)["FirewallRuleGroup"]["Id"]
        resolver.create_firewall_rule(
            FirewallRuleGroupId=group,
            FirewallDomainListId=everything,
            Name=made,
            Priority=1,
            Action="ALLOW",
            CreatorRequestId=f"{made}-rule",
        )
        resolver.associate_firewall_rule_group(
            FirewallRuleGroupId=group, VpcId=vpc, Priority=FIRST_PRIORITY, Name=made, CreatorRequestId=f"{made}-vpc"
        )

    return apply


def query_logging(scope: Scope) -> Iterator[Case]:
    resolver = scope.aws("route53resolver")
    vpc = [{"Name": "ResourceId", "Values": [scope.outputs["vpc_id"]]}]
    associations = resolver.list_resolver_query_log_config_associations(Filters=vpc)
    for association in associations["ResolverQueryLogConfigAssociations"]:
        config = association["ResolverQueryLogConfigId"]
        name = resolver.get_resolver_query_log_config(ResolverQueryLogConfigId=config)["ResolverQueryLogConfig"]["Name"]
        detach = resolver_call(
            "disassociate_resolver_query_log_config",
            ResolverQueryLogConfigId=config,
            ResourceId=association["ResourceId"],
        )
        label = scope.label(name)
        yield scope.case(
            label, "detach", "vpc", "", "logging and retention", detach, observes=(QUERY_LOG_ASSOCIATION, "")
        )
        yield scope.case(
            label, "delete", "", "", "logging and retention", _config_deleted(detach, config), observes=(QUERY_LOG, "")
        )


def _config_deleted(detach: Apply, config: str) -> Apply:
    """The query logging configuration gone: AWS deletes none still associated with a VPC."""

    def apply(aws) -> None:
        detach(aws)
        aws("route53resolver").delete_resolver_query_log_config(ResolverQueryLogConfigId=config)

    return apply


GENERATORS = (dns_firewall, query_logging)
