"""Network mutants: security group rules, subnets, route tables, NAT gateways, VPC endpoints, the flow log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Case, Scope

EVERYWHERE = "0.0.0.0/0"
OPEN_POLICY = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})


def security_groups(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    groups = ec2.describe_security_groups(Filters=scope.vpc_filter())["SecurityGroups"]
    labels = {group["GroupId"]: scope.name_tag(group, group["GroupName"]) for group in groups}
    prefix_lists = {p["PrefixListId"]: p["PrefixListName"] for p in ec2.describe_prefix_lists()["PrefixLists"]}
    for group_id, label in sorted(labels.items(), key=lambda item: item[1]):
        for direction in ("ingress", "egress"):
            yield scope.case(
                label, "add", direction, f"all traffic {EVERYWHERE}", "network reachability", _open(group_id, direction)
            )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": list(labels)}])
    described = [
        (labels[rule["GroupId"]], _rule_detail(rule, labels, prefix_lists), rule)
        for rule in rules["SecurityGroupRules"]
    ]
    for label, detail, rule in sorted(described, key=lambda item: item[:2]):
        direction = "egress" if rule["IsEgress"] else "ingress"
        yield scope.case(label, "delete", direction, detail, "network reachability", _revoke(rule))


def _rule_detail(rule: dict[str, Any], groups: dict[str, str], prefix_lists: dict[str, str]) -> str:
    peer = (
        groups.get(rule.get("ReferencedGroupInfo", {}).get("GroupId"))
        or rule.get("CidrIpv4")
        or rule.get("CidrIpv6")
        or prefix_lists.get(rule.get("PrefixListId"), "")
    )
    ports = "all" if rule["IpProtocol"] == "-1" else f"{rule['IpProtocol']} {rule['FromPort']}-{rule['ToPort']}"
    return f"{ports} {'to' if rule['IsEgress'] else 'from'} {peer}"


def _open(group_id: str, direction: str):
    def apply(aws) -> None:
        permission = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": EVERYWHERE}]}]
        getattr(aws("ec2"), f"authorize_security_group_{direction}")(GroupId=group_id, IpPermissions=permission)

    return apply


def _revoke(rule: dict[str, Any]):
    direction = "egress" if rule["IsEgress"] else "ingress"

    def apply(aws) -> None:
        getattr(aws("ec2"), f"revoke_security_group_{direction}")(
            GroupId=rule["GroupId"], SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]]
        )

    return apply


def subnets(scope: Scope) -> Iterator[Case]:
    found = scope.aws("ec2").describe_subnets(Filters=scope.vpc_filter())["Subnets"]
    for subnet in sorted(found, key=scope.name_tag):
        public = subnet["MapPublicIpOnLaunch"]
        yield scope.case(
            scope.name_tag(subnet),
            "flip",
            "map_public_ip_on_launch",
            f"{public} -> {not public}",
            "public exposure",
            _map_public_ip(subnet["SubnetId"], not public),
        )


def _map_public_ip(subnet_id: str, value: bool):
    def apply(aws) -> None:
        aws("ec2").modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": value})

    return apply


def route_tables(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    tables = [t for t in ec2.describe_route_tables(Filters=scope.vpc_filter())["RouteTables"] if scope.name_tag(t)]
    names = _network_names(scope)
    (gateway,) = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [scope.outputs["vpc_id"]]}]
    )["InternetGateways"]
    for table in sorted(tables, key=scope.name_tag):
        label = scope.name_tag(table)
        for route in table["Routes"]:
            if route.get("GatewayId") == "local":
                continue
            yield _route_deleted(scope, label, table["RouteTableId"], route, names)
        routes_out = any(route.get("DestinationCidrBlock") == EVERYWHERE for route in table["Routes"])
        if not any(route.get("GatewayId", "").startswith("igw-") for route in table["Routes"]):
            yield scope.case(
                label,
                "add",
                "route",
                f"{EVERYWHERE} -> internet gateway",
                "network reachability",
                _route_to(table["RouteTableId"], gateway["InternetGatewayId"], replace=routes_out),
            )
        for association in table.get("Associations", []):
            if association.get("SubnetId"):
                yield scope.case(
                    label,
                    "delete",
                    "association",
                    names[association["SubnetId"]],
                    "network reachability",
                    _disassociate(association["RouteTableAssociationId"]),
                )


def _network_names(scope: Scope) -> dict[str, str]:
    """Subnet, NAT gateway, internet gateway and endpoint id -> its label."""
    ec2 = scope.aws("ec2")
    vpc = scope.vpc_filter()
    found = [
        *ec2.describe_subnets(Filters=vpc)["Subnets"],
        *ec2.describe_nat_gateways(Filters=vpc)["NatGateways"],
        *ec2.describe_vpc_endpoints(Filters=vpc)["VpcEndpoints"],
        *ec2.describe_internet_gateways()["InternetGateways"],
    ]
    # A NAT gateway and an endpoint name their subnet too: each resource is known by its own id, the first key.
    keys = ("NatGatewayId", "VpcEndpointId", "InternetGatewayId", "SubnetId")
    return {next(resource[key] for key in keys if key in resource): scope.name_tag(resource) for resource in found}


def _route_deleted(scope: Scope, label: str, table_id: str, route: dict[str, Any], names: dict[str, str]) -> Case:
    via = route.get("NatGatewayId") or route.get("GatewayId")
    destination = route.get("DestinationCidrBlock") or route.get("DestinationPrefixListId")
    detail = f"{'prefix list' if route.get('DestinationPrefixListId') else destination} -> {names.get(via, via)}"
    lesson = 7 if route.get("NatGatewayId") else None
    if via.startswith("vpce-"):  # a gateway endpoint's route belongs to the endpoint: detach the table from it
        return scope.case(label, "delete", "route", detail, "network reachability", _endpoint_detached(via, table_id))
    return scope.case(
        label, "delete", "route", detail, "network reachability", _delete_route(table_id, destination), lesson=lesson
    )


def _delete_route(table_id: str, destination: str):
    def apply(aws) -> None:
        aws("ec2").delete_route(RouteTableId=table_id, DestinationCidrBlock=destination)

    return apply


def _endpoint_detached(endpoint_id: str, table_id: str):
    def apply(aws) -> None:
        aws("ec2").modify_vpc_endpoint(VpcEndpointId=endpoint_id, RemoveRouteTableIds=[table_id])

    return apply


def _route_to(table_id: str, gateway_id: str, replace: bool):
    def apply(aws) -> None:
        method = aws("ec2").replace_route if replace else aws("ec2").create_route
        method(RouteTableId=table_id, DestinationCidrBlock=EVERYWHERE, GatewayId=gateway_id)

    return apply


def _disassociate(association_id: str):
    def apply(aws) -> None:
        aws("ec2").disassociate_route_table(AssociationId=association_id)

    return apply


def nat_gateways(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    found = ec2.describe_nat_gateways(Filters=scope.vpc_filter())["NatGateways"]
    for gateway in sorted(found, key=scope.name_tag):
        yield scope.case(
            scope.name_tag(gateway),
            "delete",
            "",
            "",
            "network reachability",
            _nat_deleted(gateway["NatGatewayId"]),
            lesson=7,
        )
    public = sorted(scope.outputs["public_subnet_ids"])
    subnets = ec2.describe_subnets(SubnetIds=public)["Subnets"]
    first = min(subnets, key=scope.name_tag)
    yield scope.case(
        scope.name_tag(first),
        "add",
        "nat_gateway",
        "an extra NAT gateway",
        "network reachability",
        _nat_added(first["SubnetId"]),
        lesson=7,
    )


def _nat_deleted(gateway_id: str):
    def apply(aws) -> None:
        aws("ec2").delete_nat_gateway(NatGatewayId=gateway_id)

    return apply


def _nat_added(subnet_id: str):
    def apply(aws) -> None:
        ec2 = aws("ec2")
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation)

    return apply


def endpoints(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    found = ec2.describe_vpc_endpoints(Filters=scope.vpc_filter())["VpcEndpoints"]
    names = _network_names(scope)
    for endpoint in sorted(found, key=scope.name_tag):
        label, endpoint_id = scope.name_tag(endpoint), endpoint["VpcEndpointId"]
        yield scope.case(label, "delete", "", "", "network reachability", _endpoint_deleted(endpoint_id))
        if endpoint["VpcEndpointType"] == "Gateway":
            yield scope.case(
                label, "widen", "policy", "allow everything", "network reachability", _endpoint_opened(endpoint_id)
            )
        for subnet in sorted(endpoint.get("SubnetIds", [])):
            yield scope.case(
                label,
                "delete",
                "subnet_ids",
                names[subnet],
                "availability",
                _endpoint_subnet_removed(endpoint_id, subnet),
            )
    vpc = scope.name_tag(ec2.describe_vpcs(VpcIds=[scope.outputs["vpc_id"]])["Vpcs"][0])
    for kind, service in (("Interface", "kms"), ("Gateway", "dynamodb")):
        yield scope.case(
            vpc,
            "add",
            "vpc_endpoint",
            f"an extra {kind.lower()} endpoint ({service})",
            "network reachability",
            _endpoint_added(scope, kind, service),
        )


def _endpoint_deleted(endpoint_id: str):
    def apply(aws) -> None:
        aws("ec2").delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])

    return apply


def _endpoint_opened(endpoint_id: str):
    def apply(aws) -> None:
        aws("ec2").modify_vpc_endpoint(VpcEndpointId=endpoint_id, PolicyDocument=OPEN_POLICY)

    return apply


def _endpoint_subnet_removed(endpoint_id: str, subnet_id: str):
    def apply(aws) -> None:
        aws("ec2").modify_vpc_endpoint(VpcEndpointId=endpoint_id, RemoveSubnetIds=[subnet_id])

    return apply


def _endpoint_added(scope: Scope, kind: str, service: str):
    vpc_id, region = scope.outputs["vpc_id"], scope.outputs["region"]
    placement = (
        {
            "SubnetIds": scope.outputs["app_subnet_ids"][:1],
            "SecurityGroupIds": [scope.outputs["endpoints_security_group_id"]],
        }
        if kind == "Interface"
        else {"RouteTableIds": scope.outputs["route_table_ids"]}
    )

    def apply(aws) -> None:
        aws("ec2").create_vpc_endpoint(
            VpcId=vpc_id, VpcEndpointType=kind, ServiceName=f"com.amazonaws.{region}.{service}", **placement
        )

    return apply


def flow_logs(scope: Scope) -> Iterator[Case]:
    found = scope.aws("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [scope.outputs["vpc_id"]]}])
    for log in sorted(found["FlowLogs"], key=scope.name_tag):
        yield scope.case(
            scope.name_tag(log), "delete", "", "", "logging and retention", _flow_log_deleted(log["FlowLogId"])
        )


def _flow_log_deleted(log_id: str):
    def apply(aws) -> None:
        aws("ec2").delete_flow_logs(FlowLogIds=[log_id])

    return apply


GENERATORS = (security_groups, subnets, route_tables, nat_gateways, endpoints, flow_logs)
