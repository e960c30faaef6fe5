"""The VPC and what is in it, as the account shows them: subnets, routes, gateways, addresses, security
groups and their rules, network ACLs and their rules, endpoints, the flow log.

A resource is found by what names it in the account: its natural key where AWS has one (a subnet's
CIDR in the VPC, a group's name, an ACL entry's number and direction, an endpoint's service), else its
planned `Name` tag. A rule of a security group has no key but its whole content, so the group's rule
closest to the planned one stands for it and every attribute where they differ is a drift.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from tap.live.observed.table import META, Absent, Kind, Observer, Unresolvable, at, tag_map
from tap.plan import Resource

# States in which AWS still lists a NAT gateway or an endpoint that Terraform counts as gone.
GONE = frozenset({"deleting", "deleted", "failed", "rejected", "expired"})

TAGS = at("Tags", tag_map)
# Terraform's own instruction, not a setting of the group: AWS keeps nothing of it.
REVOKE_RULES_ON_DELETE = (
    "Terraform's instruction to revoke the group's rules before deleting it; AWS keeps no such setting"
)


def _ec2(observer: Observer):
    return observer.client("ec2")


def _only(found: list[dict], what: str) -> dict | None:
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
    found = getattr(_ec2(observer), call)(Filters=[{"Name": "tag:Name", "Values": [name]}, *filters])[key]
    return _only(found, f"named {name}")


def _tagged(call: str, key: str, in_vpc: bool = False):
    """A describe by the planned Name tag, among the planned VPC's resources when `in_vpc`."""

    def describe(observer: Observer, resource: Resource) -> dict | None:
        return _named(observer, resource, call, key, *(_in_vpc(observer, resource) if in_vpc else ()))

    return describe


def _in_vpc(observer: Observer, resource: Resource) -> list[dict]:
    return [{"Name": "vpc-id", "Values": [observer.value(resource, "vpc_id")]}]


def _vpc(observer: Observer, resource: Resource) -> dict | None:
    vpc = _named(observer, resource, "describe_vpcs", "Vpcs")
    if vpc is None:
        return None
    ec2, vpc_id = _ec2(observer), vpc["VpcId"]
    for attribute in ("enableDnsSupport", "enableDnsHostnames"):
        vpc.update(ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute))
    default_acl = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"]
    vpc["DefaultNetworkAclId"] = default_acl[0]["NetworkAclId"] if default_acl else None
    return vpc


def _subnet(observer: Observer, resource: Resource) -> dict | None:
    cidr = [{"Name": "cidr-block", "Values": [observer.value(resource, "cidr_block")]}]
    found = _ec2(observer).describe_subnets(Filters=_in_vpc(observer, resource) + cidr)["Subnets"]
    return _only(found, f"subnets of {cidr[0]['Values'][0]}")


def _association(observer: Observer, resource: Resource) -> dict | None:
    """The route table a subnet is explicitly associated with (none: it falls back to the VPC's main table)."""
    subnet = observer.value(resource, "subnet_id")
    tables = _ec2(observer).describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
    found = [
        association
        for table in tables["RouteTables"]
        for association in table.get("Associations", [])
        if association.get("SubnetId") == subnet
    ]
    return _only(found, f"route table associations of {subnet}")


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


def _security_group(observer: Observer, resource: Resource, name: str) -> dict | None:
    group_name = [{"Name": "group-name", "Values": [name]}]
    found = _ec2(observer).describe_security_groups(Filters=_in_vpc(observer, resource) + group_name)
    return _only(found["SecurityGroups"], f"security groups named {name}")


# A peer of a security group rule: Terraform's attribute, the list of IpPermissions holding it, its field.
PEERS = (
    ("cidr_ipv4", "IpRanges", "CidrIp"),
    ("cidr_ipv6", "Ipv6Ranges", "CidrIpv6"),
    ("referenced_security_group_id", "UserIdGroupPairs", "GroupId"),
    ("prefix_list_id", "PrefixListIds", "PrefixListId"),
)


def _rules(group: dict, egress: bool) -> list[dict]:
    """A group's rules in one direction, one per peer, in the shape of Terraform's rule resources."""
    rules = []
    for permission in group["IpPermissionsEgress" if egress else "IpPermissions"]:
        ports = {"from_port": permission.get("FromPort"), "to_port": permission.get("ToPort")}
        for attribute, peers, field in PEERS:
            for peer in permission.get(peers, []):
                rules.append(
                    {
                        "security_group_id": group["GroupId"],
                        "ip_protocol": permission["IpProtocol"],
                        **(ports if permission["IpProtocol"] != "-1" else {}),
                        attribute: peer[field],
                        "description": peer.get("Description"),
                    }
                )
    return rules


def _rule(egress: bool):
    def describe(observer: Observer, resource: Resource) -> dict | None:
        """The group's rule closest to the planned one: the most planned attributes alike."""
        group_id = observer.value(resource, "security_group_id")
        groups = _ec2(observer).describe_security_groups(Filters=[{"Name": "group-id", "Values": [group_id]}])
        group = _only(groups["SecurityGroups"], f"security groups {group_id}")
        rules = _rules(group, egress) if group else []
        if not rules:
            return None
        planned = {key: observer.value(resource, key) for key in set(resource.properties) - META}
        return max(rules, key=lambda rule: sum(str(rule.get(key)) == str(value) for key, value in planned.items()))

    return describe


def _rules_block(permissions: list[dict]) -> list[dict]:
    """A default group's rules as Terraform's `ingress`/`egress` blocks."""
    return [
        {
            "protocol": permission["IpProtocol"],
            "from_port": permission.get("FromPort", 0),
            "to_port": permission.get("ToPort", 0),
            "cidr_blocks": [peer["CidrIp"] for peer in permission.get("IpRanges", [])],
            "ipv6_cidr_blocks": [peer["CidrIpv6"] for peer in permission.get("Ipv6Ranges", [])],
            "prefix_list_ids": [peer["PrefixListId"] for peer in permission.get("PrefixListIds", [])],
            "security_groups": [peer["GroupId"] for peer in permission.get("UserIdGroupPairs", [])],
        }
        for permission in permissions
    ]


def _network_acl_by_id(observer: Observer, acl_id: str) -> dict | None:
    try:
        return _ec2(observer).describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]
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
    found = _ec2(observer).describe_vpc_endpoints(Filters=_in_vpc(observer, resource) + service)["VpcEndpoints"]
    endpoint = _only(found, f"endpoints of {service[0]['Values'][0]}")
    if endpoint is None or endpoint["VpcEndpointType"] != "Gateway":
        return endpoint
    # A gateway endpoint's routes go to its service's AWS-managed prefix list (what rules refer to).
    prefix_lists = _ec2(observer).describe_prefix_lists(
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

RULE_ATTRIBUTES = {
    key: at(key)
    for key in (
        "security_group_id",
        "ip_protocol",
        "from_port",
        "to_port",
        "cidr_ipv4",
        "cidr_ipv6",
        "referenced_security_group_id",
        "prefix_list_id",
        "description",
    )
}


# The stack's egress rules include one to a prefix list (S3's, through the gateway endpoint).
PREFIX_LIST_DESCRIPTION = "moto 5.2 drops the description of a rule whose peer is a prefix list"


def _rule_kind(egress: bool) -> Kind:
    return Kind(
        describe=_rule(egress),
        attributes=RULE_ATTRIBUTES,
        beyond_emulator={"description": PREFIX_LIST_DESCRIPTION} if egress else {},
        fixed=frozenset({"security_group_id"}),
    )


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
        describe=_tagged("describe_route_tables", "RouteTables", in_vpc=True),
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
    "aws_security_group": Kind(
        describe=lambda observer, resource: _security_group(observer, resource, observer.value(resource, "name")),
        attributes={
            "name": at("GroupName"),
            "description": at("Description"),
            "vpc_id": VPC_ID,
            "tags": TAGS,
        },
        unobservable={"revoke_rules_on_delete": REVOKE_RULES_ON_DELETE},
        exports={"id": at("GroupId")},
        fixed=frozenset({"name", "description", "vpc_id"}),
    ),
    "aws_default_security_group": Kind(
        describe=lambda observer, resource: _security_group(observer, resource, "default"),
        attributes={
            "vpc_id": VPC_ID,
            "ingress": at("IpPermissions", _rules_block),
            "egress": at("IpPermissionsEgress", _rules_block),
            "tags": TAGS,
        },
        fixed=frozenset({"vpc_id"}),
    ),
    "aws_vpc_security_group_ingress_rule": _rule_kind(egress=False),
    "aws_vpc_security_group_egress_rule": _rule_kind(egress=True),
    "aws_network_acl": Kind(
        describe=_tagged("describe_network_acls", "NetworkAcls", in_vpc=True),
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
