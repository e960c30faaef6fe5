"""The ALB, app and database security groups' rules, as the plan declares them."""

from __future__ import annotations

import pytest

from stack.contract import Output
from tests.integration.conftest import reference_name, same


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
                )
            )
    return rules


def _live_rules(target, group_id: str, names: dict[str, str]) -> set[tuple]:
    found = target.client("ec2").describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
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
            )
        )
    return rules


@pytest.mark.controls("CKV2_PAY_3", "CKV_PAY_8", "CKV_AWS_260")
@pytest.mark.parametrize("tier", ["alb", "app", "db"])
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
