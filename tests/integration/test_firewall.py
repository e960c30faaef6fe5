"""The ALB, app and database security groups' rules, as the plan declares them."""

from __future__ import annotations

import pytest

from stack.contract import Output
from tests.integration.conftest import reference_name, same


def _prefix_list_names(target) -> dict[str, str]:
    """Prefix list id -> name (an AWS-managed list is named after its service, as its endpoint is)."""
    lists = target.client("ec2").describe_prefix_lists()["PrefixLists"]
    return {item["PrefixListId"]: item["PrefixListName"] for item in lists}


def _planned_prefix_list(target, reference: str | None) -> str | None:
    """`${aws_vpc_endpoint.s3.prefix_list_id}` -> the endpoint's service name, which names its prefix list."""
    if not reference:
        return None
    address = reference.removeprefix("${").removesuffix(".prefix_list_id}")
    return target.plan.resource(address)["service_name"]


def _planned_rules(target, group_address: str) -> set[tuple]:
    rules = set()
    for type_, direction in (
        ("aws_vpc_security_group_ingress_rule", "in"),
        ("aws_vpc_security_group_egress_rule", "out"),
    ):
        for rule in target.planned(type_):
            if rule["security_group_id"] != f"${{{group_address}.id}}":
                continue
            peer = (
                reference_name(target, rule["referenced_security_group_id"])
                if rule.get("referenced_security_group_id")
                else None
            )
            rules.add(
                (
                    direction,
                    rule["ip_protocol"],
                    rule.get("from_port"),
                    rule.get("to_port"),
                    rule.get("cidr_ipv4"),
                    rule.get("cidr_ipv6"),
                    peer,
                    _planned_prefix_list(target, rule.get("prefix_list_id")),
                )
            )
    return rules


def _live_rules(target, group_id: str, names: dict[str, str]) -> set[tuple]:
    found = target.client("ec2").describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    prefix_lists = _prefix_list_names(target)
    rules = set()
    for rule in found["SecurityGroupRules"]:
        peer = rule.get("ReferencedGroupInfo", {}).get("GroupId")
        every_port = rule["IpProtocol"] == "-1"
        rules.add(
            (
                "out" if rule["IsEgress"] else "in",
                rule["IpProtocol"],
                None if every_port else rule.get("FromPort"),
                None if every_port else rule.get("ToPort"),
                rule.get("CidrIpv4"),
                rule.get("CidrIpv6"),
                names.get(peer, peer),
                prefix_lists.get(rule.get("PrefixListId"), rule.get("PrefixListId")),
            )
        )
    return rules


@pytest.mark.controls("CKV2_PAY_3", "CKV_PAY_8", "CKV_PAY_19", "CKV_AWS_260")
@pytest.mark.parametrize("tier", ["alb", "app", "db", "endpoints"])
def test_security_group_rules_equal_the_plan(target, tier):
    groups = target.client("ec2").describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [target.outputs[Output.VPC_ID]]}]
    )["SecurityGroups"]
    names = {group["GroupId"]: group["GroupName"] for group in groups}
    group_id = target.outputs[f"{tier}_security_group_id"]
    (planned,) = [group for group in target.planned("aws_security_group") if target.name(group) == names[group_id]]
    same(
        _live_rules(target, group_id, names),
        _planned_rules(target, planned.address),
        f"the rules of the {tier} security group",
    )
