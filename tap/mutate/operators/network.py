"""Network mutants: security group rules, subnets, route tables, NAT gateways, VPC endpoints, the flow log."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from tap.live.observed import KINDS
from tap.live.rehearsal.network import IMPLICIT_DENY
from tap.mutate.operators import Case, Scope, tags_of

EVERYWHERE = "0.0.0.0/0"
OPEN_POLICY = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})


def security_groups(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    groups = ec2.describe_security_groups(Filters=scope.vpc_filter())["SecurityGroups"]
    labels = {group["GroupId"]: scope.name_tag(group, group["GroupName"]) for group in groups}
    prefix_lists = {p["PrefixListId"]: p["PrefixListName"] for p in ec2.describe_prefix_lists()["PrefixLists"]}
    defaults = {group["GroupId"] for group in groups if group["GroupName"] == "default"}
    for group_id, label in sorted(labels.items(), key=lambda item: item[1]):
        for direction in ("ingress", "egress"):
            yield scope.case(
                label,
                "add",
                direction,
                f"all traffic {EVERYWHERE}",
                "network reachability",
                _open(group_id, direction),
                observes=("aws_default_security_group", direction) if group_id in defaults else None,
            )
    # AWS keeps a VPC's default group as long as the VPC; the emulator lets it go, which stands for the group
    # the plan names being another (a fixed attribute's drift).
    for group_id in _first(sorted(set(labels) - defaults, key=labels.get)) + sorted(defaults):
        observes = ("aws_default_security_group" if group_id in defaults else "aws_security_group", "")
        yield scope.case(
            labels[group_id],
            "delete",
            "",
            "",
            "network reachability",
            _call("delete_security_group", GroupId=group_id),
            observes=observes,
        )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": list(labels)}])
    described = [
        (labels[rule["GroupId"]], _rule_detail(rule, labels, prefix_lists), rule)
        for rule in rules["SecurityGroupRules"]
    ]
    described.sort(key=lambda item: item[:2])
    for label, detail, rule in described:
        direction = "egress" if rule["IsEgress"] else "ingress"
        observes = (f"aws_vpc_security_group_{direction}_rule", "")
        yield scope.case(label, "delete", direction, detail, "network reachability", _revoke(rule), observes=observes)
    yield from _rules_edited(scope, described, scope.default_group(), prefix_lists)


def _rule_detail(rule: dict[str, Any], groups: dict[str, str], prefix_lists: dict[str, str]) -> str:
    peer = (
        groups.get(rule.get("ReferencedGroupInfo", {}).get("GroupId"))
        or rule.get("CidrIpv4")
        or rule.get("CidrIpv6")
        or prefix_lists.get(rule.get("PrefixListId"), "")
    )
    ports = "all" if rule["IpProtocol"] == "-1" else f"{rule['IpProtocol']} {rule['FromPort']}-{rule['ToPort']}"
    return f"{ports} {'to' if rule['IsEgress'] else 'from'} {peer}"


def _first(items: list) -> list:
    """The first of a kind: one resource stands for every other of its type where the live table reads them
    all the same way, so the campaign proves each comparison once, not once per resource."""
    return items[:1]


def _call(method: str, **arguments: Any):
    def apply(aws) -> None:
        getattr(aws("ec2"), method)(**arguments)

    return apply


# Each attribute of a security group rule, edited the way a hand at the console would: (attribute, whether the
# rule has it, (rule, the default group, the other prefix lists) -> the field changed and its new value).
RULE_EDITS: tuple[tuple[str, Callable[[dict], bool], Callable[[dict, str, list[str]], tuple[str, Any]]], ...] = (
    ("from_port", lambda rule: rule["FromPort"] > 0, lambda rule, *_: ("FromPort", rule["FromPort"] - 1)),
    ("to_port", lambda rule: 0 <= rule["ToPort"] < 65535, lambda rule, *_: ("ToPort", rule["ToPort"] + 1)),
    ("ip_protocol", lambda rule: rule["IpProtocol"] == "tcp", lambda rule, *_: ("IpProtocol", "udp")),
    (
        "description",
        lambda rule: bool(rule.get("Description")),
        lambda rule, *_: ("Description", f"{rule['Description']} (edited by hand)"),
    ),
    (
        "cidr_ipv4",
        lambda rule: bool(rule.get("CidrIpv4")),
        lambda rule, *_: ("CidrIpv4", "10.0.0.0/8" if rule["CidrIpv4"] == EVERYWHERE else EVERYWHERE),
    ),
    (
        "referenced_security_group_id",
        lambda rule: bool(rule.get("ReferencedGroupInfo")),
        lambda rule, default, _: ("ReferencedGroupId", default),
    ),
    (
        "prefix_list_id",
        lambda rule: bool(rule.get("PrefixListId")),
        lambda rule, _, others: ("PrefixListId", others[0]),
    ),
)


def _rules_edited(
    scope: Scope, described: list[tuple[str, str, dict]], default_group: str, prefix_lists: dict[str, str]
) -> Iterator[Case]:
    """Each attribute of each direction's rules edited in place, on the first rule that has it."""
    for direction in ("ingress", "egress"):
        rules = [item for item in described if item[2]["IsEgress"] == (direction == "egress")]
        type_ = f"aws_vpc_security_group_{direction}_rule"
        for attribute, has, edit in RULE_EDITS:
            if attribute in KINDS[type_].beyond_emulator:
                continue  # the rehearsal cannot see it changed: a mutant there would prove nothing
            for label, detail, rule in _first([item for item in rules if has(item[2])]):
                others = sorted((p for p in prefix_lists if p != rule.get("PrefixListId")), key=prefix_lists.get)
                field, value = edit(rule, default_group, others)
                shown = {"ReferencedGroupId": "the default group", "PrefixListId": prefix_lists.get(value)}.get(field)
                yield scope.case(
                    label,
                    "edit",
                    direction,
                    f"{detail}, {attribute} -> {shown or value}",
                    "network reachability",
                    rule_replaced(rule, {field: value}),
                    observes=(type_, attribute),
                )


def rule_replaced(rule: dict[str, Any], changes: dict[str, Any]):
    """A rule (as DescribeSecurityGroupRules gives it) revoked and authorized again with `changes`: what editing
    it at the console does (a new rule id, as in AWS)."""
    fields = {
        "IpProtocol": rule["IpProtocol"],
        "FromPort": rule["FromPort"],
        "ToPort": rule["ToPort"],
        "Description": rule.get("Description"),
        "CidrIpv4": rule.get("CidrIpv4"),
        "ReferencedGroupId": rule.get("ReferencedGroupInfo", {}).get("GroupId"),
        "PrefixListId": rule.get("PrefixListId"),
        **changes,
    }
    described = {"Description": fields["Description"]} if fields["Description"] else {}
    peers = {
        "IpRanges": [{"CidrIp": fields["CidrIpv4"], **described}] if fields["CidrIpv4"] else [],
        "UserIdGroupPairs": [{"GroupId": fields["ReferencedGroupId"], **described}]
        if fields["ReferencedGroupId"]
        else [],
        "PrefixListIds": [{"PrefixListId": fields["PrefixListId"], **described}] if fields["PrefixListId"] else [],
    }
    permission = {
        "IpProtocol": fields["IpProtocol"],
        "FromPort": fields["FromPort"],
        "ToPort": fields["ToPort"],
        **{key: value for key, value in peers.items() if value},
    }
    direction = "egress" if rule["IsEgress"] else "ingress"

    def apply(aws) -> None:
        _revoke(rule)(aws)
        getattr(aws("ec2"), f"authorize_security_group_{direction}")(
            GroupId=rule["GroupId"], IpPermissions=[permission]
        )

    return apply


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
            observes=("aws_subnet", "map_public_ip_on_launch"),
        )
    for subnet in _first(sorted(found, key=scope.name_tag)):
        yield scope.case(
            scope.name_tag(subnet),
            "delete",
            "",
            "",
            "network reachability",
            _call("delete_subnet", SubnetId=subnet["SubnetId"]),
            observes=("aws_subnet", ""),
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
    for table, association in _first(associated):
        other = next(t for t in tables if t["RouteTableId"] != table["RouteTableId"])
        yield scope.case(
            scope.name_tag(table),
            "move",
            "association",
            f"{names[association['SubnetId']]} -> {scope.name_tag(other)}",
            "network reachability",
            _call(
                "replace_route_table_association",
                AssociationId=association["RouteTableAssociationId"],
                RouteTableId=other["RouteTableId"],
            ),
            observes=("aws_route_table_association", "route_table_id"),
        )
    for table in _first(tables):
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
        _call("detach_internet_gateway", InternetGatewayId=gateway["InternetGatewayId"], VpcId=scope.outputs["vpc_id"]),
        observes=("aws_internet_gateway", "vpc_id"),
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
        _call("release_address", AllocationId=allocation_id),
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


def endpoints(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    found = ec2.describe_vpc_endpoints(Filters=scope.vpc_filter())["VpcEndpoints"]
    names = _network_names(scope)
    for endpoint in sorted(found, key=scope.name_tag):
        label, endpoint_id = scope.name_tag(endpoint), endpoint["VpcEndpointId"]
        yield scope.case(
            label,
            "delete",
            "",
            "",
            "network reachability",
            _endpoint_deleted(endpoint_id),
            observes=("aws_vpc_endpoint", ""),
        )
        if endpoint["VpcEndpointType"] == "Gateway":
            yield scope.case(
                label,
                "widen",
                "policy",
                "allow everything",
                "network reachability",
                _endpoint_opened(endpoint_id),
                observes=("aws_vpc_endpoint", "policy"),
            )
        for subnet in sorted(endpoint.get("SubnetIds", [])):
            yield scope.case(
                label,
                "delete",
                "subnet_ids",
                names[subnet],
                "availability",
                _endpoint_subnet_removed(endpoint_id, subnet),
                observes=("aws_vpc_endpoint", "subnet_ids"),
            )
    interfaces = [endpoint for endpoint in found if endpoint["VpcEndpointType"] == "Interface"]
    for endpoint in _first(sorted(interfaces, key=scope.name_tag)):
        yield from _interface_edited(scope, endpoint)
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


def _interface_edited(scope: Scope, endpoint: dict[str, Any]) -> Iterator[Case]:
    """An interface endpoint's groups swapped for the VPC's default one, and it made again without private DNS."""
    label, endpoint_id = scope.name_tag(endpoint), endpoint["VpcEndpointId"]
    groups = [group["GroupId"] for group in endpoint["Groups"]]
    yield scope.case(
        label,
        "swap",
        "security_group_ids",
        "the default group",
        "network reachability",
        _call(
            "modify_vpc_endpoint",
            VpcEndpointId=endpoint_id,
            AddSecurityGroupIds=[scope.default_group()],
            RemoveSecurityGroupIds=groups,
        ),
        observes=("aws_vpc_endpoint", "security_group_ids"),
    )
    yield scope.case(
        label,
        "flip",
        "private_dns_enabled",
        f"{endpoint['PrivateDnsEnabled']} -> {not endpoint['PrivateDnsEnabled']}",
        "availability",
        endpoint_remade(endpoint, PrivateDnsEnabled=not endpoint["PrivateDnsEnabled"]),
        observes=("aws_vpc_endpoint", "private_dns_enabled"),
    )


def endpoint_remade(endpoint: dict[str, Any], **changes: Any):
    """The endpoint deleted and made again by hand, with `changes` (moto 5.2 ignores ModifyVpcEndpoint's
    PrivateDnsEnabled, so a remade endpoint is how its private DNS changes here)."""
    settings = {
        "VpcId": endpoint["VpcId"],
        "ServiceName": endpoint["ServiceName"],
        "VpcEndpointType": endpoint["VpcEndpointType"],
        "SubnetIds": endpoint["SubnetIds"],
        "SecurityGroupIds": [group["GroupId"] for group in endpoint["Groups"]],
        "PolicyDocument": endpoint["PolicyDocument"],
        "PrivateDnsEnabled": endpoint["PrivateDnsEnabled"],
        "TagSpecifications": [{"ResourceType": "vpc-endpoint", "Tags": endpoint.get("Tags", [])}],
        **changes,
    }

    def apply(aws) -> None:
        aws("ec2").delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
        aws("ec2").create_vpc_endpoint(**settings)

    return apply


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
            _call("modify_vpc_attribute", VpcId=vpc_id, **{field: {"Value": not value}}),
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


def network_acls(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    acls = sorted(ec2.describe_network_acls(Filters=scope.vpc_filter())["NetworkAcls"], key=scope.name_tag)
    (default,) = [acl for acl in acls if acl["IsDefault"]]
    own = [acl for acl in acls if not acl["IsDefault"]]
    names = _network_names(scope)
    for acl in _first(own):
        label, subnet = scope.name_tag(acl), sorted(a["SubnetId"] for a in acl["Associations"])[0]
        yield scope.case(
            label,
            "move",
            "subnet_ids",
            f"{names[subnet]} -> the default ACL",
            "network reachability",
            _subnets_moved(acl, default["NetworkAclId"], [subnet]),
            observes=("aws_network_acl", "subnet_ids"),
        )
        yield scope.case(
            label,
            "delete",
            "",
            "",
            "network reachability",
            _acl_deleted(acl, default),
            observes=("aws_network_acl", ""),
        )
        yield from _acl_entries_edited(scope, label, acl)
    # As the default group: AWS keeps a VPC's default ACL as long as the VPC, the emulator lets it go.
    yield scope.case(
        scope.name_tag(default),
        "delete",
        "",
        "",
        "network reachability",
        _call("delete_network_acl", NetworkAclId=default["NetworkAclId"]),
        observes=("aws_default_network_acl", ""),
    )


def _subnets_moved(acl: dict[str, Any], to: str, subnets: list[str]):
    associations = [a["NetworkAclAssociationId"] for a in acl["Associations"] if a["SubnetId"] in subnets]

    def apply(aws) -> None:
        for association in associations:
            aws("ec2").replace_network_acl_association(AssociationId=association, NetworkAclId=to)

    return apply


def _acl_deleted(acl: dict[str, Any], default: dict[str, Any]):
    """The ACL gone, its subnets back on the VPC's default ACL (AWS deletes no ACL a subnet is on)."""
    subnets = [association["SubnetId"] for association in acl["Associations"]]

    def apply(aws) -> None:
        _subnets_moved(acl, default["NetworkAclId"], subnets)(aws)
        aws("ec2").delete_network_acl(NetworkAclId=acl["NetworkAclId"])

    return apply


# Each changeable attribute of an ACL entry, edited: (attribute, the entry -> the field changed and its new value).
ENTRY_EDITS: tuple[tuple[str, Callable[[dict], tuple[str, Any]]], ...] = (
    ("cidr_block", lambda entry: ("CidrBlock", "10.0.0.0/8" if entry["CidrBlock"] == EVERYWHERE else EVERYWHERE)),
    ("from_port", lambda entry: ("PortRange", {**entry["PortRange"], "From": entry["PortRange"]["From"] - 1})),
    ("to_port", lambda entry: ("PortRange", {**entry["PortRange"], "To": entry["PortRange"]["To"] + 1})),
    ("protocol", lambda entry: ("Protocol", "17" if entry["Protocol"] == "6" else "6")),
    ("rule_action", lambda entry: ("RuleAction", "deny" if entry["RuleAction"] == "allow" else "allow")),
)


def _acl_entries_edited(scope: Scope, label: str, acl: dict[str, Any]) -> Iterator[Case]:
    """The first of the ACL's own entries edited in place, attribute by attribute, and deleted."""
    entries = sorted(
        (entry for entry in acl["Entries"] if entry["RuleNumber"] != IMPLICIT_DENY),
        key=lambda entry: (entry["Egress"], entry["RuleNumber"]),
    )
    for entry in _first(entries):
        rule = f"{'egress' if entry['Egress'] else 'ingress'} {entry['RuleNumber']}"
        for attribute, edit in ENTRY_EDITS:
            field, value = edit(entry)
            shown = value.get("From" if attribute == "from_port" else "To") if field == "PortRange" else value
            yield scope.case(
                label,
                "edit",
                "rule",
                f"{rule}, {attribute} -> {shown}",
                "network reachability",
                _entry_replaced(acl["NetworkAclId"], entry, {field: value}),
                observes=("aws_network_acl_rule", attribute),
            )
        yield scope.case(
            label,
            "delete",
            "rule",
            rule,
            "network reachability",
            _call(
                "delete_network_acl_entry",
                NetworkAclId=acl["NetworkAclId"],
                RuleNumber=entry["RuleNumber"],
                Egress=entry["Egress"],
            ),
            observes=("aws_network_acl_rule", ""),
        )


def _entry_replaced(acl_id: str, entry: dict[str, Any], changes: dict[str, Any]):
    fields = {key: entry[key] for key in ("RuleNumber", "Protocol", "RuleAction", "Egress", "CidrBlock", "PortRange")}
    return _call("replace_network_acl_entry", NetworkAclId=acl_id, **{**fields, **changes})


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
    for type_, call, key, id_field, which in TAGGED:
        ours = [item for item in getattr(ec2, call)()[key] if which(item) and _ours(scope, item)]
        for item in _first(sorted(ours, key=scope.name_tag)):
            name = min(tag for tag in tags_of(item) if tag != "Name")
            value = f"{tags_of(item)[name]}-edited"
            yield scope.case(
                scope.name_tag(item),
                "change",
                "tags",
                f"{name} -> {value}",
                "naming",
                _call("create_tags", Resources=[item[id_field]], Tags=[{"Key": name, "Value": value}]),
                lesson=7 if type_ in ("aws_nat_gateway", "aws_eip") else None,  # what a NAT's target recalls
                observes=(type_, "tags"),
            )


def _ours(scope: Scope, item: dict[str, Any]) -> bool:
    """One of this deployment's resources: its Name ends with the deployment suffix."""
    return tags_of(item).get("Name", "").endswith(f"-{scope.suffix}")


GENERATORS = (security_groups, subnets, route_tables, nat_gateways, endpoints, flow_logs, vpcs, network_acls, tags)
