"""VPC, subnets, NAT, routes, flow logs and security groups, as the plan declares them."""

from __future__ import annotations

import pytest

from tests.integration.conftest import reference_name, same


def _subnets(target) -> dict[str, dict]:
    vpc_id = target.outputs["vpc_id"]
    found = target.client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    return {subnet["CidrBlock"]: subnet for subnet in found}


def test_subnets_match_plan_per_zone_and_tier(target):
    live = _subnets(target)
    planned = target.planned("aws_subnet")
    same(sorted(live), sorted(subnet["cidr_block"] for subnet in planned), "the VPC's subnet CIDRs")
    for subnet in planned:
        actual = live[subnet["cidr_block"]]
        where = f"subnet {subnet['cidr_block']} ({subnet['tags']['Tier']})"
        same(actual["AvailabilityZone"], subnet["availability_zone"], f"the zone of {where}")
        same(actual["MapPublicIpOnLaunch"], subnet["map_public_ip_on_launch"], f"public IPs on launch in {where}")


def test_nat_gateways_are_available_in_public_subnets(target):
    ids = target.outputs["nat_gateway_ids"]
    gateways = target.client("ec2").describe_nat_gateways(
        Filters=[{"Name": "vpc-id", "Values": [target.outputs["vpc_id"]]}]
    )["NatGateways"]
    states = {gateway["NatGatewayId"]: gateway["State"] for gateway in gateways}
    same({nat: states.get(nat, "missing") for nat in ids}, dict.fromkeys(ids, "available"), "the NAT gateways' states")
    same(len(ids), len(target.planned("aws_nat_gateway")), "the number of NAT gateways")
    public = set(target.outputs["public_subnet_ids"])
    assert {gateway["SubnetId"] for gateway in gateways if gateway["NatGatewayId"] in ids} <= public, (
        "drift: a NAT gateway is outside the public tier"
    )


def test_private_subnets_route_to_internet_only_through_nat(target):
    tables = target.client("ec2").describe_route_tables(RouteTableIds=target.outputs["route_table_ids"])["RouteTables"]
    routes = {}
    for table in tables:
        for association in table.get("Associations", []):
            if association.get("SubnetId"):
                default = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
                routes[association["SubnetId"]] = default[0] if default else None
    nats = set(target.outputs["nat_gateway_ids"])
    for subnet in target.outputs["app_subnet_ids"]:
        route = routes.get(subnet)
        assert route and route.get("NatGatewayId") in nats, f"drift: app subnet {subnet} has no default route via NAT"
        same(route.get("State", "active"), "active", f"the default route of app subnet {subnet}")
    for subnet in target.outputs["db_subnet_ids"]:
        same(routes.get(subnet), None, f"the default route of database subnet {subnet}")
    for subnet in target.outputs["public_subnet_ids"]:
        assert routes.get(subnet) and routes[subnet].get("GatewayId", "").startswith("igw-"), (
            f"drift: public subnet {subnet} does not route to the internet gateway"
        )


@pytest.mark.controls("CKV2_PAY_6", "CKV2_AWS_11")
def test_vpc_flow_log_records_all_traffic_to_its_group(target):
    (planned,) = target.planned("aws_flow_log")
    logs = target.client("ec2").describe_flow_logs(
        Filters=[{"Name": "resource-id", "Values": [target.outputs["vpc_id"]]}]
    )["FlowLogs"]
    assert logs, f"drift: VPC {target.outputs['vpc_id']} has no flow log"
    (log,) = logs
    same(log["TrafficType"], planned["traffic_type"], "the flow log's traffic type")
    same(
        log.get("LogGroupName") or log.get("LogDestination", "").split(":log-group:")[-1],
        target.outputs["flow_log_group"],
        "the flow log's destination group",
    )
    same(log.get("FlowLogStatus", "ACTIVE"), "ACTIVE", "the flow log's status")


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
        Filters=[{"Name": "vpc-id", "Values": [target.outputs["vpc_id"]]}]
    )["SecurityGroups"]
    names = {group["GroupId"]: group["GroupName"] for group in groups}
    group_id = target.outputs[f"{tier}_security_group_id"]
    (planned,) = [group for group in target.planned("aws_security_group") if target.name(group) == names[group_id]]
    same(
        _live_rules(target, group_id, names),
        _planned_rules(target, planned.address),
        f"the rules of the {tier} security group",
    )


def test_default_security_group_allows_nothing(target):
    (group,) = target.client("ec2").describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [target.outputs["vpc_id"]]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    same((group["IpPermissions"], group["IpPermissionsEgress"]), ([], []), "the default security group's rules")
