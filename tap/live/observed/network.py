"""The VPC and what is in it, as the account shows them: subnets, routes, gateways, addresses, network
ACLs and their rules, endpoints, the flow log (security groups: security_groups.py).

A resource is found by what names it in the account: its natural key where AWS has one (a subnet's
CIDR in the VPC, a group's name, an ACL entry's number and direction, an endpoint's service), else its
planned `Name` tag.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from tap.live.observed.table import Absent, Kind, Observer, Unresolvable, at, tag_map
from tap.plan import Resource

# States in which AWS still lists a NAT gateway or an endpoint that Terraform counts as gone.
GONE = frozenset({"deleting", "deleted", "failed", "rejected", "expired"})

TAGS = at("Tags", tag_map)


def ec2_client(observer: Observer):
    return observer.client("ec2")


def only_one(found: list[dict], what: str) -> dict | None:
    """The one live item found, None when there is none; two are ambiguous, never a guess."""
    live = [item for item in found if str(item.get("State", "")).lower() not in GONE]
    if len(live) > 1:
        raise Unresolvable(f"{len(live)} resources in the account are {what}")
    return live[0] if live else None


def _named(observer: Observer, resource: Resource, call: str, key: str, *filters: dict) -> dict | None:
    """The item a describe call lists with the planned Name tag (and the given filters)."""
    name = observer.value(resource, "tags").get("Name") if "tags" in resource.properties else None
    if not name:
        raise Unresolvable(f"{resource.address} plans no Name tag to find it by")
    found = getattr(ec2_client(observer), call)(Filters=[{"Name": "tag:Name", "Values": [name]}, *filters])[key]
    return only_one(found, f"named {name}")


def _tagged(call: str, key: str, within_vpc: bool = False):
    """A describe by the planned Name tag, among the planned VPC's resources when `within_vpc`."""

    def describe(observer: Observer, resource: Resource) -> dict | None:
        return _named(observer, resource, call, key, *(in_vpc(observer, resource) if within_vpc else ()))

    return describe


def in_vpc(observer: Observer, resource: Resource) -> list[dict]:
    return [{"Name": "vpc-id", "Values": [observer.value(resource, "vpc_id")]}]


def _vpc(observer: Observer, resource: Resource) -> dict | None:
    vpc = _named(observer, resource, "describe_vpcs", "Vpcs")
    if vpc is None:
        return None
    ec2, vpc_id = ec2_client(observer), vpc["VpcId"]
    for attribute in ("enableDnsSupport", "enableDnsHostnames"):
        vpc.update(ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute))
    default_acl = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"]
    vpc["DefaultNetworkAclId"] = default_acl[0]["NetworkAclId"] if default_acl else None
    return vpc


def _subnet(observer: Observer, resource: Resource) -> dict | None:
    cidr = [{"Name": "cidr-block", "Values": [observer.value(resource, "cidr_block")]}]
    found = ec2_client(observer).describe_subnets(Filters=in_vpc(observer, resource) + cidr)["Subnets"]
    return only_one(found, f"subnets of {cidr[0]['Values'][0]}")


def _association(observer: Observer, resource: Resource) -> dict | None:
    """The route table a subnet is explicitly associated with (none: it falls back to the VPC's main table)."""
    subnet = observer.value(resource, "subnet_id")
    tables = ec2_client(observer).describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
    found = [
        association
        for table in tables["RouteTables"]
        for association in table.get("Associations", [])
        if association.get("SubnetId") == subnet
    ]
    return only_one(found, f"route table associations of {subnet}")


# Terraform's route block -> the field of AWS's route that holds it.
ROUTE_FIELDS = {
    "carrier_gateway_id": "CarrierGatewayId",
    "cidr_block": "DestinationCidrBlock",
    "core_network_arn": "CoreNetworkArn",
    "destination_prefix_list_id": "DestinationPrefixListId",
    "egress_only_gateway_id": "EgressOnlyInternetGatewayId",
    "gateway_id": "GatewayId",
    "ipv6_cidr_block": "DestinationIpv6CidrBlock",
    "local_gateway_id": "LocalGatewayId",
    "nat_gateway_id": "NatGatewayId",
    "network_interface_id": "NetworkInterfaceId",
    "transit_gateway_id": "TransitGatewayId",
    "vpc_endpoint_id": "VpcEndpointId",
    "vpc_peering_connection_id": "VpcPeeringConnectionId",
}


def _routes(routes: list[dict]) -> list[dict]:
    """A table's routes as Terraform's `route` blocks: without the VPC's local route, gateway endpoints' routes
    (an endpoint manages its own, through its route_table_ids) and routes a VPN gateway propagates, which
    Terraform leaves out too."""
    return [
        {attribute: route.get(field) for attribute, field in ROUTE_FIELDS.items()}
        for route in routes
        if route.get("GatewayId") != "local"
        and not str(route.get("GatewayId", "")).startswith("vpce-")
        and route.get("Origin") != "EnableVgwRoutePropagation"
    ]


def _internet_gateway_vpc(gateway: dict) -> str:
    """The VPC a gateway is attached to; a detached gateway has none."""
    attached = [a["VpcId"] for a in gateway.get("Attachments", []) if a.get("State") in ("attached", "available")]
    if not attached:
        raise Absent("Attachments")
    return attached[0]


def _network_acl_by_id(observer: Observer, acl_id: str) -> dict | None:
    try:
        return ec2_client(observer).describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]
    except ClientError as error:
        if error.response["Error"]["Code"] == "InvalidNetworkAclID.NotFound":
            return None
        raise


def _network_acl_rule(observer: Observer, resource: Resource) -> dict | None:
    """An ACL's entry is named by its number and direction, as AWS names it."""
    acl = _network_acl_by_id(observer, observer.value(resource, "network_acl_id"))
    number, egress = observer.value(resource, "rule_number"), observer.value(resource, "egress")
    found = [
        {**entry, "NetworkAclId": acl["NetworkAclId"]}
        for entry in (acl or {}).get("Entries", [])
        if str(entry["RuleNumber"]) == str(number) and str(entry["Egress"]).lower() == str(egress).lower()
    ]
    return found[0] if found else None


def _endpoint(observer: Observer, resource: Resource) -> dict | None:
    service = [{"Name": "service-name", "Values": [observer.value(resource, "service_name")]}]
    found = ec2_client(observer).describe_vpc_endpoints(Filters=in_vpc(observer, resource) + service)["VpcEndpoints"]
    endpoint = only_one(found, f"endpoints of {service[0]['Values'][0]}")
    if endpoint is None or endpoint["VpcEndpointType"] != "Gateway":
        return endpoint
    # A gateway endpoint's routes go to its service's AWS-managed prefix list (what rules refer to).
    prefix_lists = ec2_client(observer).describe_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [endpoint["ServiceName"]]}]
    )["PrefixLists"]
    return {**endpoint, "PrefixListId": prefix_lists[0]["PrefixListId"] if prefix_lists else None}


def _flow_log(observer: Observer, resource: Resource) -> dict | None:
    flow_log = _tagged("describe_flow_logs", "FlowLogs")(observer, resource)
    if flow_log is None:
        return None
    arn = f"arn:aws:ec2:{observer.region}:{observer.account}:vpc-flow-log/{flow_log['FlowLogId']}"
    return {**flow_log, "FlowLogArn": arn}


def _ids(path: str, field: str):
    return at(path, lambda items: [item[field] for item in items])


VPC_ID = at("VpcId")

KINDS = {
    "aws_vpc": Kind(
        describe=_vpc,
        attributes={
            "cidr_block": at("CidrBlock"),
            "enable_dns_support": at("EnableDnsSupport.Value"),
            "enable_dns_hostnames": at("EnableDnsHostnames.Value"),
            "tags": TAGS,
        },
        exports={"id": VPC_ID, "default_network_acl_id": at("DefaultNetworkAclId")},
        fixed=frozenset({"cidr_block"}),
    ),
    "aws_subnet": Kind(
        describe=_subnet,
        attributes={
            "vpc_id": VPC_ID,
            "cidr_block": at("CidrBlock"),
            "availability_zone": at("AvailabilityZone"),
            "map_public_ip_on_launch": at("MapPublicIpOnLaunch"),
            "tags": TAGS,
        },
        exports={"id": at("SubnetId")},
        fixed=frozenset({"vpc_id", "cidr_block", "availability_zone"}),
    ),
    "aws_route_table": Kind(
        describe=_tagged("describe_route_tables", "RouteTables", within_vpc=True),
        attributes={"vpc_id": VPC_ID, "route": at("Routes", _routes), "tags": TAGS},
        exports={"id": at("RouteTableId")},
        fixed=frozenset({"vpc_id"}),
    ),
    "aws_route_table_association": Kind(
        describe=_association,
        attributes={"subnet_id": at("SubnetId"), "route_table_id": at("RouteTableId")},
        fixed=frozenset({"subnet_id"}),
    ),
    "aws_internet_gateway": Kind(
        describe=_tagged("describe_internet_gateways", "InternetGateways"),
        attributes={"vpc_id": _internet_gateway_vpc, "tags": TAGS},
        exports={"id": at("InternetGatewayId")},
    ),
    "aws_nat_gateway": Kind(
        describe=_tagged("describe_nat_gateways", "NatGateways"),
        attributes={
            "subnet_id": at("SubnetId"),
            "allocation_id": at("NatGatewayAddresses", lambda addresses: addresses[0]["AllocationId"]),
            "tags": TAGS,
        },
        exports={"id": at("NatGatewayId")},
        fixed=frozenset({"subnet_id", "allocation_id"}),
    ),
    "aws_eip": Kind(
        describe=_tagged("describe_addresses", "Addresses"),
        attributes={"domain": at("Domain"), "tags": TAGS},
        exports={"id": at("AllocationId")},
        fixed=frozenset({"domain"}),
    ),
    "aws_network_acl": Kind(
        describe=_tagged("describe_network_acls", "NetworkAcls", within_vpc=True),
        attributes={"vpc_id": VPC_ID, "subnet_ids": _ids("Associations", "SubnetId"), "tags": TAGS},
        exports={"id": at("NetworkAclId")},
        fixed=frozenset({"vpc_id"}),
    ),
    "aws_network_acl_rule": Kind(
        describe=_network_acl_rule,
        attributes={
            "network_acl_id": at("NetworkAclId"),
            "rule_number": at("RuleNumber"),
            "egress": at("Egress"),
            "protocol": at("Protocol"),
            "rule_action": at("RuleAction"),
            "cidr_block": at("CidrBlock"),
            "from_port": at("PortRange.From"),
            "to_port": at("PortRange.To"),
        },
        fixed=frozenset({"network_acl_id", "rule_number", "egress"}),
    ),
    "aws_default_network_acl": Kind(
        describe=lambda observer, resource: _network_acl_by_id(
            observer, observer.value(resource, "default_network_acl_id")
        ),
        attributes={"default_network_acl_id": at("NetworkAclId"), "tags": TAGS},
        fixed=frozenset({"default_network_acl_id"}),
    ),
    "aws_vpc_endpoint": Kind(
        describe=_endpoint,
        attributes={
            "vpc_id": VPC_ID,
            "service_name": at("ServiceName"),
            "vpc_endpoint_type": at("VpcEndpointType"),
            "policy": at("PolicyDocument"),
            "private_dns_enabled": at("PrivateDnsEnabled"),
            "route_table_ids": at("RouteTableIds"),
            "subnet_ids": at("SubnetIds"),
            "security_group_ids": _ids("Groups", "GroupId"),
            "tags": TAGS,
        },
        exports={"id": at("VpcEndpointId"), "prefix_list_id": at("PrefixListId")},
        fixed=frozenset({"vpc_id", "service_name", "vpc_endpoint_type"}),
    ),
    "aws_flow_log": Kind(
        describe=_flow_log,
        attributes={
            "vpc_id": at("ResourceId"),
            "traffic_type": at("TrafficType"),
            "log_destination_type": at("LogDestinationType"),
            "log_destination": at("LogDestination"),
            "iam_role_arn": at("DeliverLogsPermissionArn"),
            "max_aggregation_interval": at("MaxAggregationInterval"),
            "tags": TAGS,
        },
        exports={"arn": at("FlowLogArn")},
        # AWS has no call that changes a flow log: each of these is set when it is created.
        fixed=frozenset(
            {
                "vpc_id",
                "traffic_type",
                "log_destination_type",
                "log_destination",
                "iam_role_arn",
                "max_aggregation_interval",
            }
        ),
    ),
}
