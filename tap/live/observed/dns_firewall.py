"""The VPC's DNS firewall (domain lists, rule group, rules, its association) and DNS query logging, as the account
shows them. Route 53 Resolver finds them by id: each is looked up among its kind by its planned name."""

from __future__ import annotations

from collections.abc import Iterator

from tap.live.observed.table import Kind, Observer, at
from tap.plan import Resource


def _listed(observer: Observer, operation: str, key: str, **arguments) -> Iterator[dict]:
    resolver = observer.client("route53resolver")
    for page in resolver.get_paginator(operation).paginate(**arguments):
        yield from page[key]


def _named(items: Iterator[dict], name: str) -> dict | None:
    return next((item for item in items if item["Name"] == name), None)


def _domain_list(observer: Observer, resource: Resource) -> dict | None:
    found = _named(
        _listed(observer, "list_firewall_domain_lists", "FirewallDomainLists"), observer.value(resource, "name")
    )
    if found is None:
        return None
    # As AWS answers them, fully qualified: as Terraform's provider compares them with the plan.
    return {
        **found,
        "Domains": list(_listed(observer, "list_firewall_domains", "Domains", FirewallDomainListId=found["Id"])),
    }


def _rule_group(observer: Observer, resource: Resource) -> dict | None:
    return _named(
        _listed(observer, "list_firewall_rule_groups", "FirewallRuleGroups"), observer.value(resource, "name")
    )


def _rule(observer: Observer, resource: Resource) -> dict | None:
    group = observer.value(resource, "firewall_rule_group_id")
    return _named(
        _listed(observer, "list_firewall_rules", "FirewallRules", FirewallRuleGroupId=group),
        observer.value(resource, "name"),
    )


def _rule_group_association(observer: Observer, resource: Resource) -> dict | None:
    associations = _listed(
        observer,
        "list_firewall_rule_group_associations",
        "FirewallRuleGroupAssociations",
        VpcId=observer.value(resource, "vpc_id"),
    )
    return _named((a for a in associations if a["Status"] != "DELETING"), observer.value(resource, "name"))


def _query_log_config(observer: Observer, resource: Resource) -> dict | None:
    name = observer.value(resource, "name")
    configs = _listed(
        observer,
        "list_resolver_query_log_configs",
        "ResolverQueryLogConfigs",
        Filters=[{"Name": "Name", "Values": [name]}],
    )
    return _named(configs, name)


LIVE_ASSOCIATION = ("CREATING", "ACTIVE")


def _query_log_association(observer: Observer, resource: Resource) -> dict | None:
    config, vpc = (observer.value(resource, key) for key in ("resolver_query_log_config_id", "resource_id"))
    filters = [
        {"Name": "ResolverQueryLogConfigId", "Values": [config]},
        {"Name": "ResourceId", "Values": [vpc]},
    ]
    associations = _listed(
        observer, "list_resolver_query_log_config_associations", "ResolverQueryLogConfigAssociations", Filters=filters
    )
    return next((a for a in associations if a.get("Status", "ACTIVE") in LIVE_ASSOCIATION), None)


ID, ARN, NAME = at("Id"), at("Arn"), at("Name")
REFERENCES = {"id": ID, "arn": ARN, "name": NAME}

KINDS = {
    "aws_route53_resolver_firewall_domain_list": Kind(
        describe=_domain_list,
        attributes={"name": NAME, "domains": at("Domains")},
        exports=REFERENCES,
        fixed=frozenset({"name"}),
    ),
    "aws_route53_resolver_firewall_rule_group": Kind(
        describe=_rule_group, attributes={"name": NAME}, exports=REFERENCES, fixed=frozenset({"name"})
    ),
    "aws_route53_resolver_firewall_rule": Kind(
        describe=_rule,
        attributes={
            "name": NAME,
            "firewall_rule_group_id": at("FirewallRuleGroupId"),
            "firewall_domain_list_id": at("FirewallDomainListId"),
            "priority": at("Priority"),
            "action": at("Action"),
            "block_response": at("BlockResponse"),
            "firewall_domain_redirection_action": at("FirewallDomainRedirectionAction"),
        },
        fixed=frozenset({"firewall_rule_group_id", "firewall_domain_list_id"}),
    ),
    "aws_route53_resolver_firewall_rule_group_association": Kind(
        describe=_rule_group_association,
        attributes={
            "name": NAME,
            "firewall_rule_group_id": at("FirewallRuleGroupId"),
            "vpc_id": at("VpcId"),
            "priority": at("Priority"),
        },
        exports=REFERENCES,
        fixed=frozenset({"firewall_rule_group_id", "vpc_id"}),
    ),
    "aws_route53_resolver_query_log_config": Kind(
        describe=_query_log_config,
        attributes={"name": NAME, "destination_arn": at("DestinationArn")},
        exports=REFERENCES,
        fixed=frozenset({"name", "destination_arn"}),
    ),
    "aws_route53_resolver_query_log_config_association": Kind(
        describe=_query_log_association,
        attributes={
            "resolver_query_log_config_id": at("ResolverQueryLogConfigId"),
            "resource_id": at("ResourceId"),
        },
        exports={"id": ID},
        fixed=frozenset({"resolver_query_log_config_id", "resource_id"}),
    ),
}
