"""What the stack's VPC holds, kind by kind: every item is the plan's, AWS's on behalf of a planned owner, or drift.

One table (`KINDS`) says for each kind of thing a VPC can hold how the account lists it (the describe
call, scoped to the VPC, items still in use), which resource types of the plan declare it, and how AWS
ties the ones it creates itself to their owner (the Auto Scaling group's instances, the interfaces of
the load balancer, the endpoints, the NAT gateways and the database, the VPC's main route table and
default security group, local routes). The planned ones are known by id: every plan output that refers
to a resource of those types gives its live id. Anything else in the VPC is drift, named by kind and id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from stack.contract import Output
from tap.plan import Plan

# `${aws_security_group.alb-sg.id}` (or `.arn`) in a plan output: the resource the output names.
OUTPUT_REFERENCE = re.compile(r"\$\{([\w-]+\.[\w-]+)\.(?:id|arn)\}")
# Where a route sends its traffic, as the account answers it and as the plan writes it (same order).
ROUTE_TARGETS = (
    ("GatewayId", "gateway_id"),
    ("NatGatewayId", "nat_gateway_id"),
    ("VpcPeeringConnectionId", "vpc_peering_connection_id"),
    ("TransitGatewayId", "transit_gateway_id"),
    ("NetworkInterfaceId", "network_interface_id"),
    ("InstanceId", "instance_id"),
    ("EgressOnlyInternetGatewayId", "egress_only_gateway_id"),
    ("CarrierGatewayId", "carrier_gateway_id"),
    ("LocalGatewayId", "local_gateway_id"),
    ("CoreNetworkArn", "core_network_arn"),
    (None, "vpc_endpoint_id"),  # written as GatewayId (vpce-...) in the account
)
ROUTE_DESTINATIONS = (
    ("DestinationCidrBlock", ("cidr_block", "destination_cidr_block")),
    ("DestinationIpv6CidrBlock", ("ipv6_cidr_block", "destination_ipv6_cidr_block")),
    ("DestinationPrefixListId", ("destination_prefix_list_id",)),
)
ENDED = {"terminated", "shutting-down", "deleted", "deleting", "rejected", "failed", "expired", "detached"}


def _pages(client: Any, operation: str, key: str, **arguments: Any) -> list[dict]:
    if client.can_paginate(operation):
        return [item for page in client.get_paginator(operation).paginate(**arguments) for item in page[key]]
    return getattr(client, operation)(**arguments)[key]


def _state(item: dict) -> str:
    """Where an item is in its life, whichever field its kind keeps it in."""
    for field in ("State", "Status"):
        value = item.get(field)
        value = value.get("Name") or value.get("Code") if isinstance(value, dict) else value
        if value:
            return str(value).lower()
    return "available"


class Network:
    """The stack's VPC in an account, with what the plan of the same deployment declares in it."""

    def __init__(self, client: Callable[[str], Any], plan: Plan, outputs: Mapping[str, Any]):
        self.client = client
        self.plan = plan
        self.outputs = outputs
        self.vpc = outputs[Output.VPC_ID]

    def in_vpc(self, name: str = "vpc-id") -> list[dict]:
        return [{"Name": name, "Values": [self.vpc]}]

    def describe(self, service: str, operation: str, key: str, **arguments: Any) -> list[dict]:
        """Every item a describe call lists that is still in use."""
        return [item for item in _pages(self.client(service), operation, key, **arguments) if _state(item) not in ENDED]

    @cached_property
    def declared(self) -> dict[str, str]:
        """Plan address -> live id of every resource a plan output names."""
        found: dict[str, str] = {}
        for name, planned in self.plan.outputs.items():
            live = self.outputs.get(name)
            pairs = zip(planned, live, strict=True) if isinstance(planned, list) else [(planned, live)]
            for reference, value in pairs:
                match = OUTPUT_REFERENCE.fullmatch(reference) if isinstance(reference, str) else None
                if match:
                    found[match.group(1)] = value
        return found

    def live_id(self, reference: str) -> str:
        """`${aws_nat_gateway.x.id}` -> its id in the account (the VPC's internet gateway: one per VPC)."""
        address = reference.removeprefix("${").rsplit(".", 1)[0]
        if address.startswith("aws_internet_gateway."):
            (gateway,) = self.internet_gateways
            return gateway
        return self.declared[address]

    @cached_property
    def internet_gateways(self) -> list[str]:
        gateways = self.describe(
            "ec2", "describe_internet_gateways", "InternetGateways", Filters=self.in_vpc("attachment.vpc-id")
        )
        return [gateway["InternetGatewayId"] for gateway in gateways]

    # ---- what AWS creates on the plan's behalf, tied to a planned owner -------------------------------

    @cached_property
    def group_instances(self) -> set[str]:
        """The Auto Scaling group's instances: in its Instances list, tagged by AWS with its name."""
        name = self.outputs[Output.AUTOSCALING_GROUP_NAME]
        groups = self.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])
        listed = {instance["InstanceId"] for group in groups["AutoScalingGroups"] for instance in group["Instances"]}
        return {
            instance["InstanceId"]
            for instance in self.instances
            if instance["InstanceId"] in listed and _tags(instance).get("aws:autoscaling:groupName") == name
        }

    @cached_property
    def instances(self) -> list[dict]:
        reservations = self.describe("ec2", "describe_instances", "Reservations", Filters=self.in_vpc(), **MANAGED)
        return [
            instance
            for reservation in reservations
            for instance in reservation["Instances"]
            if _state(instance) not in ENDED
        ]

    @cached_property
    def planned_endpoints(self) -> list[dict]:
        ids = [self.declared[a] for a in self.declared if a.startswith("aws_vpc_endpoint.")]
        return self.describe("ec2", "describe_vpc_endpoints", "VpcEndpoints", VpcEndpointIds=ids) if ids else []

    def interface_owner(self, interface: dict) -> str | None:
        """The planned resource AWS made a network interface for, or None."""
        attached = interface.get("Attachment", {}).get("InstanceId")
        if attached in self.group_instances:
            return f"instance {attached} of the Auto Scaling group"
        for endpoint in self.planned_endpoints:
            if interface["NetworkInterfaceId"] in endpoint.get("NetworkInterfaceIds", []):
                return f"endpoint {endpoint['VpcEndpointId']}"
        for nat in self.planned_nat_gateways:
            if interface["NetworkInterfaceId"] in [a.get("NetworkInterfaceId") for a in nat["NatGatewayAddresses"]]:
                return f"NAT gateway {nat['NatGatewayId']}"
        return managed_interface_owner(
            interface, self.outputs[Output.ALB_ARN], self.outputs[Output.DB_SECURITY_GROUP_ID]
        )

    @cached_property
    def planned_nat_gateways(self) -> list[dict]:
        ids = list(self.outputs[Output.NAT_GATEWAY_IDS])
        return self.describe("ec2", "describe_nat_gateways", "NatGateways", NatGatewayIds=ids) if ids else []

    # ---- routes: each one the plan's (inline, aws_route, a gateway endpoint's), or the local route ------

    @cached_property
    def routes(self) -> list[dict]:
        tables = self.describe("ec2", "describe_route_tables", "RouteTables", Filters=self.in_vpc())
        return [{"RouteTableId": table["RouteTableId"], **route} for table in tables for route in table["Routes"]]

    @cached_property
    def planned_routes(self) -> set[str]:
        return set(self._planned_routes())

    def _planned_routes(self) -> Iterator[str]:
        for table in self.plan.resources("aws_route_table"):
            for route in table.get("route") or []:
                yield self._planned_route(self.live_id(f"${{{table.address}.id}}"), route)
        for route in self.plan.resources("aws_route"):
            yield self._planned_route(self.live_id(route["route_table_id"]), route.properties)
        for endpoint in self.plan.resources("aws_vpc_endpoint"):
            if endpoint.get("vpc_endpoint_type") == "Gateway":
                (prefix_list,) = self.client("ec2").describe_prefix_lists(
                    Filters=[{"Name": "prefix-list-name", "Values": [endpoint["service_name"]]}]
                )["PrefixLists"]
                target = self.live_id(f"${{{endpoint.address}.id}}")
                for table in endpoint.get("route_table_ids") or []:
                    yield route_identity(self.live_id(table), prefix_list["PrefixListId"], target)

    def _planned_route(self, table: str, route: dict) -> str:
        destination = next(
            route[name] for _, names in ROUTE_DESTINATIONS for name in names if route.get(name) is not None
        )
        target = next(route[name] for _, name in ROUTE_TARGETS if route.get(name))
        return route_identity(table, destination, self.live_id(target) if target.startswith("${") else target)


def managed_interface_owner(interface: dict, load_balancer_arn: str, database_group: str) -> str | None:
    """The planned load balancer or database an interface belongs to, as AWS marks the interfaces it makes for
    them: requester-managed (only AWS can make one so), described by the owner's name."""
    if not interface.get("RequesterManaged"):
        return None
    description = interface.get("Description", "")
    balancer = load_balancer_arn.split(":loadbalancer/", 1)[-1]
    if description == f"ELB {balancer}":
        return f"load balancer {balancer}"
    groups = [group["GroupId"] for group in interface.get("Groups", [])]
    if description == "RDSNetworkInterface" and groups == [database_group]:
        return "the database"
    return None


def _tags(item: dict) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in item.get("Tags", [])}


def route_identity(table: str, destination: str, target: str) -> str:
    return f"{destination} via {target} in {table}"


def live_route(route: dict) -> str:
    destination = next((route[field] for field, _ in ROUTE_DESTINATIONS if route.get(field)), "no destination")
    target = next((route[field] for field, _ in ROUTE_TARGETS if field and route.get(field)), "no target")
    return route_identity(route["RouteTableId"], destination, target)


@dataclass(frozen=True)
class Kind:
    name: str  # "security group"
    plan_types: tuple[str, ...]  # the plan's resource types that declare one
    found: Callable[[Network], list[dict]]  # the VPC's, still in use
    identity: Callable[[dict], str]
    aws_owned: Callable[[Network, dict], str | None] = lambda network, item: None  # its planned owner, if AWS's
    label: Callable[[dict], str] = lambda item: _tags(item).get("Name", "")  # what a person knows it by
    planned: Callable[[Network, Kind], set[str]] | None = None  # default: the ids the plan's outputs give
    controls: tuple[str, ...] = ()

    def planned_ids(self, network: Network) -> set[str]:
        if self.planned:
            return self.planned(network, self)
        return {live for address, live in network.declared.items() if address.split(".")[0] in self.plan_types}

    def declared_count(self, network: Network) -> int:
        if self.planned:
            return len(self.planned_ids(network))
        return sum(len(network.plan.resources(type_)) for type_ in self.plan_types)


def inventory(network: Network, kind: Kind) -> list[str]:
    """What is wrong with the VPC's items of a kind: each one neither planned nor AWS's for a planned owner, each
    planned one missing, and a plan declaring more than its outputs name (the rest look undeclared)."""
    planned = kind.planned_ids(network)
    found = {kind.identity(item): item for item in kind.found(network)}
    problems = [
        f"undeclared {kind.name} {identity}" + (f" ({label})" if (label := kind.label(item)) else "")
        for identity, item in sorted(found.items())
        if identity not in planned and not kind.aws_owned(network, item)
    ]
    problems += [f"missing planned {kind.name} {identity}" for identity in sorted(planned - set(found))]
    if (declared := kind.declared_count(network)) != len(planned):
        problems.append(f"the plan declares {declared} of kind {kind.name}, its outputs name {len(planned)}")
    return problems


def _ec2(operation: str, key: str, scope: str = "vpc-id", **arguments: Any) -> Callable[[Network], list[dict]]:
    """An EC2 describe call, filtered to the VPC."""
    return lambda network: network.describe("ec2", operation, key, Filters=network.in_vpc(scope), **arguments)


def _load_balancers(network: Network) -> list[dict]:
    found = network.describe("elbv2", "describe_load_balancers", "LoadBalancers")
    return [balancer for balancer in found if balancer.get("VpcId") == network.vpc]


def _classic_load_balancers(network: Network) -> list[dict]:
    found = _pages(network.client("elb"), "describe_load_balancers", "LoadBalancerDescriptions")
    return [balancer for balancer in found if balancer.get("VPCId") == network.vpc]


def _peering_connections(network: Network) -> list[dict]:
    # Either side: a peering this VPC requested or one it accepted.
    found = network.describe("ec2", "describe_vpc_peering_connections", "VpcPeeringConnections")
    sides = ("RequesterVpcInfo", "AccepterVpcInfo")
    return [peering for peering in found if network.vpc in (peering[side].get("VpcId") for side in sides)]


def _vpn_gateways(network: Network) -> list[dict]:
    found = _ec2("describe_vpn_gateways", "VpnGateways", "attachment.vpc-id")(network)
    attached = ("attaching", "attached")
    return [
        gateway
        for gateway in found
        if any(a.get("VpcId") == network.vpc and a.get("State") in attached for a in gateway.get("VpcAttachments", []))
    ]


def _by(field: str) -> Callable[[dict], str]:
    return lambda item: item[field]


NETWORK_PATHS = ("CKV2_PAY_3", "CKV_PAY_19")  # what reaches the VPC and what leaves it
# Managed instances too (another service's, launched into the VPC): AWS leaves them out unless asked.
MANAGED = {"IncludeManagedResources": True}

KINDS = (
    Kind(
        "instance",
        ("aws_instance",),
        lambda network: network.instances,
        _by("InstanceId"),
        aws_owned=lambda network, item: item["InstanceId"] in network.group_instances,
        controls=(*NETWORK_PATHS, "CKV_PAY_9"),
    ),
    Kind(
        "network interface",
        ("aws_network_interface",),
        _ec2("describe_network_interfaces", "NetworkInterfaces", **MANAGED),
        _by("NetworkInterfaceId"),
        aws_owned=Network.interface_owner,
        label=lambda item: item.get("Description", ""),
        controls=(*NETWORK_PATHS, "CKV_PAY_9"),
    ),
    Kind(
        "route table",
        ("aws_route_table",),
        _ec2("describe_route_tables", "RouteTables"),
        _by("RouteTableId"),
        # The VPC's main table: AWS's own, for subnets without an association (none, a check says).
        aws_owned=lambda network, item: any(a.get("Main") for a in item.get("Associations", [])),
        controls=NETWORK_PATHS,
    ),
    Kind(
        "route",
        ("aws_route_table", "aws_route", "aws_vpc_endpoint"),
        lambda network: network.routes,
        live_route,
        aws_owned=lambda network, item: item.get("GatewayId") == "local",
        label=lambda item: item.get("Origin", ""),
        planned=lambda network, kind: network.planned_routes,
        controls=NETWORK_PATHS,
    ),
    Kind(
        "security group",
        ("aws_security_group",),
        _ec2("describe_security_groups", "SecurityGroups"),
        _by("GroupId"),
        aws_owned=lambda network, item: item["GroupName"] == "default",
        label=_by("GroupName"),
        controls=("CKV_PAY_8", *NETWORK_PATHS),
    ),
    Kind(
        "VPC endpoint",
        ("aws_vpc_endpoint",),
        _ec2("describe_vpc_endpoints", "VpcEndpoints"),
        _by("VpcEndpointId"),
        label=_by("ServiceName"),
        controls=("CKV_PAY_20", "CKV_PAY_21"),
    ),
    Kind(
        "NAT gateway",
        ("aws_nat_gateway",),
        _ec2("describe_nat_gateways", "NatGateways"),
        _by("NatGatewayId"),
        controls=NETWORK_PATHS,
    ),
    Kind(
        "peering connection",
        ("aws_vpc_peering_connection", "aws_vpc_peering_connection_accepter"),
        _peering_connections,
        _by("VpcPeeringConnectionId"),
        controls=NETWORK_PATHS,
    ),
    Kind(
        "transit gateway attachment",
        ("aws_ec2_transit_gateway_vpc_attachment",),
        _ec2("describe_transit_gateway_vpc_attachments", "TransitGatewayVpcAttachments"),
        _by("TransitGatewayAttachmentId"),
        controls=NETWORK_PATHS,
    ),
    Kind("VPN gateway", ("aws_vpn_gateway",), _vpn_gateways, _by("VpnGatewayId"), controls=NETWORK_PATHS),
    Kind(
        "load balancer",
        ("aws_lb", "aws_alb"),
        _load_balancers,
        _by("LoadBalancerArn"),
        label=_by("LoadBalancerName"),
        controls=("CKV2_PAY_3",),
    ),
    Kind(
        "classic load balancer",
        ("aws_elb",),
        _classic_load_balancers,
        _by("LoadBalancerName"),
        label=lambda item: "",
        controls=("CKV2_PAY_3",),
    ),
)
