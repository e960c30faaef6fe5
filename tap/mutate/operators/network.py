"""Network mutants: the VPC, its subnets, route tables, internet and NAT gateways, addresses, the flow log, tags."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tap.mutate.operators import Apply, Case, Scope, call, first_of_kind, tags_of

EVERYWHERE = "0.0.0.0/0"


def ec2_call(method: str, **arguments: Any) -> Apply:
    return call("ec2", method, **arguments)


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
            observes=("aws_subnet", "map_public_ip_on_launch"),
        )
    for subnet in first_of_kind(sorted(found, key=scope.name_tag)):
        yield scope.case(
            scope.name_tag(subnet),
            "delete",
            "",
            "",
            "network reachability",
            ec2_call("delete_subnet", SubnetId=subnet["SubnetId"]),
            observes=("aws_subnet", ""),
        )


def _map_public_ip(subnet_id: str, value: bool):
    def apply(aws) -> None:
        aws("ec2").modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": value})

    return apply


def route_tables(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    tables = [t for t in ec2.describe_route_tables(Filters=scope.vpc_filter())["RouteTables"] if scope.name_tag(t)]
    names = network_names(scope)
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
                # Where the plan routes nowhere out, Terraform leaves a table's routes alone: no attribute drifts.
                observes=("aws_route_table", "route") if routes_out else None,
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
                    observes=("aws_route_table_association", ""),
                )
    yield from _tables_replaced(scope, sorted(tables, key=scope.name_tag), names)
    yield from _gateway_detached(scope, gateway)


def _tables_replaced(scope: Scope, tables: list[dict[str, Any]], names: dict[str, str]) -> Iterator[Case]:
    """A subnet moved to another of the stack's tables, and a table deleted (its subnets left to the main one)."""
    associated = [(table, a) for table in tables for a in table.get("Associations", []) if a.get("SubnetId")]
    for table, association in first_of_kind(associated):
        other = next(t for t in tables if t["RouteTableId"] != table["RouteTableId"])
        yield scope.case(
            scope.name_tag(table),
            "move",
            "association",
            f"{names[association['SubnetId']]} -> {scope.name_tag(other)}",
            "network reachability",
            ec2_call(
                "replace_route_table_association",
                AssociationId=association["RouteTableAssociationId"],
                RouteTableId=other["RouteTableId"],
            ),
            observes=("aws_route_table_association", "route_table_id"),
        )
    for table in first_of_kind(tables):
        yield scope.case(
            scope.name_tag(table),
            "delete",
            "",
            "",
            "network reachability",
            _table_deleted(table),
            observes=("aws_route_table", ""),
        )


def _table_deleted(table: dict[str, Any]):
    def apply(aws) -> None:
        for association in table.get("Associations", []):
            aws("ec2").disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
        aws("ec2").delete_route_table(RouteTableId=table["RouteTableId"])

    return apply


def _gateway_detached(scope: Scope, gateway: dict[str, Any]) -> Iterator[Case]:
    yield scope.case(
        scope.name_tag(gateway),
        "detach",
        "vpc_id",
        "",
        "network reachability",
        ec2_call(
            "detach_internet_gateway", InternetGatewayId=gateway["InternetGatewayId"], VpcId=scope.outputs["vpc_id"]
        ),
        observes=("aws_internet_gateway", "vpc_id"),
    )


def network_names(scope: Scope) -> dict[str, str]:
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
        return scope.case(
            label,
            "delete",
            "route",
            detail,
            "network reachability",
            _endpoint_detached(via, table_id),
            observes=("aws_vpc_endpoint", "route_table_ids"),
        )
    return scope.case(
        label,
        "delete",
        "route",
        detail,
        "network reachability",
        _delete_route(table_id, destination),
        lesson=lesson,
        observes=("aws_route_table", "route"),
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
            observes=("aws_nat_gateway", ""),
        )
        for allocation in gateway["NatGatewayAddresses"]:
            yield _address_released(scope, allocation["AllocationId"])
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


def _address_released(scope: Scope, allocation_id: str) -> Case:
    (address,) = scope.aws("ec2").describe_addresses(AllocationIds=[allocation_id])["Addresses"]
    return scope.case(
        scope.name_tag(address),
        "delete",
        "",
        "",
        "network reachability",
        ec2_call("release_address", AllocationId=allocation_id),
        lesson=7,
        observes=("aws_eip", ""),
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


def flow_logs(scope: Scope) -> Iterator[Case]:
    found = scope.aws("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [scope.outputs["vpc_id"]]}])
    for log in sorted(found["FlowLogs"], key=scope.name_tag):
        yield scope.case(
            scope.name_tag(log),
            "delete",
            "",
            "",
            "logging and retention",
            _flow_log_deleted(log["FlowLogId"]),
            observes=("aws_flow_log", ""),
        )


def _flow_log_deleted(log_id: str):
    def apply(aws) -> None:
        aws("ec2").delete_flow_logs(FlowLogIds=[log_id])

    return apply


def vpcs(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    vpc_id = scope.outputs["vpc_id"]
    label = scope.name_tag(ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0])
    for attribute, field in (
        ("enable_dns_support", "EnableDnsSupport"),
        ("enable_dns_hostnames", "EnableDnsHostnames"),
    ):
        value = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=field[0].lower() + field[1:])[field]["Value"]
        yield scope.case(
            label,
            "flip",
            attribute,
            f"{value} -> {not value}",
            "network reachability",
            ec2_call("modify_vpc_attribute", VpcId=vpc_id, **{field: {"Value": not value}}),
            observes=("aws_vpc", attribute),
        )
    yield scope.case(label, "delete", "", "", "network reachability", _vpc_deleted(vpc_id), observes=("aws_vpc", ""))


def _vpc_deleted(vpc_id: str):
    """The VPC gone, with what AWS would have had deleted first: its subnets and its own route tables."""

    def apply(aws) -> None:
        ec2 = aws("ec2")
        in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
        for subnet in ec2.describe_subnets(Filters=in_vpc)["Subnets"]:
            ec2.delete_subnet(SubnetId=subnet["SubnetId"])
        for table in ec2.describe_route_tables(Filters=in_vpc)["RouteTables"]:
            if not any(association.get("Main") for association in table.get("Associations", [])):
                _table_deleted(table)(aws)
        ec2.delete_vpc(VpcId=vpc_id)

    return apply


# The stack's tagged network resources by type: (Terraform type, describe call, its list, id field, which of them).
TAGGED: tuple[tuple[str, str, str, str, Callable[[dict], bool]], ...] = (
    ("aws_vpc", "describe_vpcs", "Vpcs", "VpcId", bool),
    ("aws_subnet", "describe_subnets", "Subnets", "SubnetId", bool),
    ("aws_route_table", "describe_route_tables", "RouteTables", "RouteTableId", bool),
    ("aws_internet_gateway", "describe_internet_gateways", "InternetGateways", "InternetGatewayId", bool),
    ("aws_nat_gateway", "describe_nat_gateways", "NatGateways", "NatGatewayId", bool),
    ("aws_eip", "describe_addresses", "Addresses", "AllocationId", bool),
    (
        "aws_security_group",
        "describe_security_groups",
        "SecurityGroups",
        "GroupId",
        lambda g: g["GroupName"] != "default",
    ),
    (
        "aws_default_security_group",
        "describe_security_groups",
        "SecurityGroups",
        "GroupId",
        lambda group: group["GroupName"] == "default",
    ),
    ("aws_network_acl", "describe_network_acls", "NetworkAcls", "NetworkAclId", lambda acl: not acl["IsDefault"]),
    ("aws_default_network_acl", "describe_network_acls", "NetworkAcls", "NetworkAclId", lambda acl: acl["IsDefault"]),
    ("aws_vpc_endpoint", "describe_vpc_endpoints", "VpcEndpoints", "VpcEndpointId", bool),
    ("aws_flow_log", "describe_flow_logs", "FlowLogs", "FlowLogId", bool),
)


def tags(scope: Scope) -> Iterator[Case]:
    """A tag of the first of the stack's resources of each type given another value: the tags say what a
    resource holds (its data classification, its environment), and what reads them trusts them."""
    ec2 = scope.aws("ec2")
    for type_, describe, key, id_field, which in TAGGED:
        ours = [item for item in getattr(ec2, describe)()[key] if which(item) and _ours(scope, item)]
        for item in first_of_kind(sorted(ours, key=scope.name_tag)):
            name = min(tag for tag in tags_of(item) if tag != "Name")
            value = f"{tags_of(item)[name]}-edited"
            yield scope.case(
                scope.name_tag(item),
                "change",
                "tags",
                f"{name} -> {value}",
                "naming",
                ec2_call("create_tags", Resources=[item[id_field]], Tags=[{"Key": name, "Value": value}]),
                lesson=7 if type_ in ("aws_nat_gateway", "aws_eip") else None,  # what a NAT's target recalls
                observes=(type_, "tags"),
            )


def _ours(scope: Scope, item: dict[str, Any]) -> bool:
    """One of this deployment's resources: its Name ends with the deployment suffix."""
    return tags_of(item).get("Name", "").endswith(f"-{scope.suffix}")
