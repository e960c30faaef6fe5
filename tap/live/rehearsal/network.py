"""Translators for stack/networking.py, network_acls.py, dns_firewall.py and firewall.py: VPC, subnets, gateways,
routes, endpoints, network ACLs, the resolver's query logging and DNS firewall, security groups."""

from __future__ import annotations

from typing import Any

from tap.live.rehearsal.engine import Rehearsal, flag, handles

# The rule every ACL ends with, which no API changes: what no other rule admits is denied.
IMPLICIT_DENY = 32767


@handles("aws_vpc")
def _vpc(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    vpc = ec2.create_vpc(CidrBlock=body["cidr_block"], TagSpecifications=r.ec2_tags("vpc", body.get("tags")))["Vpc"]
    for attribute in ("enable_dns_support", "enable_dns_hostnames"):
        if attribute in body:
            name = "EnableDnsSupport" if attribute == "enable_dns_support" else "EnableDnsHostnames"
            ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], **{name: {"Value": flag(body[attribute])}})
    (default_acl,) = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"]
    return {
        "id": vpc["VpcId"],
        "arn": f"arn:aws:ec2:{r.region}::vpc/{vpc['VpcId']}",
        "default_network_acl_id": default_acl["NetworkAclId"],
    }


@handles("aws_default_network_acl")
def _default_network_acl(r: Rehearsal, body: dict) -> dict:
    # Terraform's aws_default_network_acl replaces the default rules with the declared ones (none here).
    ec2, acl_id = r.client("ec2"), body["default_network_acl_id"]
    (acl,) = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"]
    for entry in acl["Entries"]:
        if entry["RuleNumber"] != IMPLICIT_DENY:
            ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=entry["RuleNumber"], Egress=entry["Egress"])
    ec2.create_tags(Resources=[acl_id], Tags=r.tag_list(body.get("tags")))
    return {"id": acl_id}


@handles("aws_network_acl")
def _network_acl(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    acl = ec2.create_network_acl(VpcId=body["vpc_id"], TagSpecifications=r.ec2_tags("network-acl", body.get("tags")))
    acl_id = acl["NetworkAcl"]["NetworkAclId"]
    # AWS has no "associate": a subnet always has an ACL, so its current association is replaced (as Terraform does).
    for subnet in body.get("subnet_ids", []):
        (current,) = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])[
            "NetworkAcls"
        ]
        (association,) = [a for a in current["Associations"] if a["SubnetId"] == subnet]
        ec2.replace_network_acl_association(AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl_id)
    return {"id": acl_id}


@handles("aws_network_acl_rule")
def _network_acl_rule(r: Rehearsal, body: dict) -> dict:
    r.client("ec2").create_network_acl_entry(
        NetworkAclId=body["network_acl_id"],
        RuleNumber=body["rule_number"],
        Protocol=str(body["protocol"]),
        RuleAction=body["rule_action"],
        Egress=flag(body.get("egress")),
        CidrBlock=body["cidr_block"],
        PortRange={"From": body["from_port"], "To": body["to_port"]},
    )
    return {"id": f"{body['network_acl_id']}-{body['rule_number']}-{flag(body.get('egress'))}"}


@handles("aws_route53_resolver_query_log_config")
def _query_log_config(r: Rehearsal, body: dict) -> dict:
    config = r.client("route53resolver").create_resolver_query_log_config(
        Name=body["name"],
        DestinationArn=body["destination_arn"],
        CreatorRequestId=body["name"],
        Tags=r.tag_list(body.get("tags")),
    )["ResolverQueryLogConfig"]
    return {"id": config["Id"], "arn": config["Arn"]}


@handles("aws_route53_resolver_query_log_config_association")
def _query_log_association(r: Rehearsal, body: dict) -> dict:
    association = r.client("route53resolver").associate_resolver_query_log_config(
        ResolverQueryLogConfigId=body["resolver_query_log_config_id"], ResourceId=body["resource_id"]
    )["ResolverQueryLogConfigAssociation"]
    return {"id": association["Id"]}


# The DNS firewall, made as Terraform's provider makes it (moto's API for it is the route53resolver-dns-firewall
# fix, tap/live/moto_fixes/): a domain list is created empty and its domains then replaced.
@handles("aws_route53_resolver_firewall_domain_list")
def _firewall_domain_list(r: Rehearsal, body: dict) -> dict:
    resolver = r.client("route53resolver")
    domain_list = resolver.create_firewall_domain_list(
        Name=body["name"], CreatorRequestId=body["name"], Tags=r.tag_list(body.get("tags"))
    )["FirewallDomainList"]
    if body.get("domains"):
        resolver.update_firewall_domains(
            FirewallDomainListId=domain_list["Id"], Operation="REPLACE", Domains=body["domains"]
        )
    return {"id": domain_list["Id"], "arn": domain_list["Arn"], "name": domain_list["Name"]}


@handles("aws_route53_resolver_firewall_rule_group")
def _firewall_rule_group(r: Rehearsal, body: dict) -> dict:
    group = r.client("route53resolver").create_firewall_rule_group(
        Name=body["name"], CreatorRequestId=body["name"], Tags=r.tag_list(body.get("tags"))
    )["FirewallRuleGroup"]
    return {"id": group["Id"], "arn": group["Arn"], "name": group["Name"]}


# A rule's optional settings: Terraform attribute -> API field, sent only when the plan sets them.
FIREWALL_RULE_SETTINGS = {
    "block_response": "BlockResponse",
    "block_override_domain": "BlockOverrideDomain",
    "block_override_dns_type": "BlockOverrideDnsType",
    "block_override_ttl": "BlockOverrideTtl",
    "firewall_domain_redirection_action": "FirewallDomainRedirectionAction",
    "q_type": "Qtype",
}


@handles("aws_route53_resolver_firewall_rule")
def _firewall_rule(r: Rehearsal, body: dict) -> dict:
    group, domain_list = body["firewall_rule_group_id"], body["firewall_domain_list_id"]
    r.client("route53resolver").create_firewall_rule(
        FirewallRuleGroupId=group,
        FirewallDomainListId=domain_list,
        Name=body["name"],
        Priority=body["priority"],
        Action=body["action"],
        CreatorRequestId=body["name"],
        **{api: body[key] for key, api in FIREWALL_RULE_SETTINGS.items() if key in body},
    )
    return {"id": f"{group}:{domain_list}"}  # Terraform's id: the rule is found by its group and its list


@handles("aws_route53_resolver_firewall_rule_group_association")
def _firewall_rule_group_association(r: Rehearsal, body: dict) -> dict:
    association = r.client("route53resolver").associate_firewall_rule_group(
        FirewallRuleGroupId=body["firewall_rule_group_id"],
        VpcId=body["vpc_id"],
        Priority=body["priority"],
        Name=body["name"],
        CreatorRequestId=body["name"],
        **({"MutationProtection": body["mutation_protection"]} if "mutation_protection" in body else {}),
        Tags=r.tag_list(body.get("tags")),
    )["FirewallRuleGroupAssociation"]
    return {"id": association["Id"], "arn": association["Arn"], "name": association["Name"]}


@handles("aws_default_security_group")
def _default_security_group(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [body["vpc_id"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    group = groups[0]
    # Terraform's aws_default_security_group replaces the default rules with the declared ones (none).
    if group["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
    if group["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
    ec2.create_tags(Resources=[group["GroupId"]], Tags=r.tag_list(body.get("tags")))
    return {"id": group["GroupId"]}


@handles("aws_subnet")
def _subnet(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    subnet = ec2.create_subnet(
        VpcId=body["vpc_id"],
        CidrBlock=body["cidr_block"],
        AvailabilityZone=body["availability_zone"],
        TagSpecifications=r.ec2_tags("subnet", body.get("tags")),
    )["Subnet"]
    ec2.modify_subnet_attribute(
        SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": flag(body.get("map_public_ip_on_launch"))}
    )
    return {"id": subnet["SubnetId"], "arn": subnet.get("SubnetArn", "")}


@handles("aws_internet_gateway")
def _internet_gateway(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    gateway = ec2.create_internet_gateway(TagSpecifications=r.ec2_tags("internet-gateway", body.get("tags")))
    gateway_id = gateway["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=body["vpc_id"])
    return {"id": gateway_id}


@handles("aws_eip")
def _eip(r: Rehearsal, body: dict) -> dict:
    address = r.client("ec2").allocate_address(
        Domain=body.get("domain", "vpc"), TagSpecifications=r.ec2_tags("elastic-ip", body.get("tags"))
    )
    return {"id": address["AllocationId"], "allocation_id": address["AllocationId"], "public_ip": address["PublicIp"]}


@handles("aws_nat_gateway")
def _nat_gateway(r: Rehearsal, body: dict) -> dict:
    nat = r.client("ec2").create_nat_gateway(
        SubnetId=body["subnet_id"],
        AllocationId=body["allocation_id"],
        TagSpecifications=r.ec2_tags("natgateway", body.get("tags")),
    )["NatGateway"]
    return {"id": nat["NatGatewayId"]}


ROUTE_TARGETS = {"gateway_id": "GatewayId", "nat_gateway_id": "NatGatewayId"}


@handles("aws_route_table")
def _route_table(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    table = ec2.create_route_table(VpcId=body["vpc_id"], TagSpecifications=r.ec2_tags("route-table", body.get("tags")))
    table_id = table["RouteTable"]["RouteTableId"]
    for route in body.get("route", []):
        targets = {api: route[key] for key, api in ROUTE_TARGETS.items() if route.get(key)}
        ec2.create_route(RouteTableId=table_id, DestinationCidrBlock=route["cidr_block"], **targets)
    return {"id": table_id}


@handles("aws_route_table_association")
def _route_association(r: Rehearsal, body: dict) -> dict:
    association = r.client("ec2").associate_route_table(RouteTableId=body["route_table_id"], SubnetId=body["subnet_id"])
    return {"id": association["AssociationId"]}


@handles("aws_vpc_endpoint")
def _vpc_endpoint(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    interface = body.get("vpc_endpoint_type") == "Interface"
    placement = (
        {
            "SubnetIds": body.get("subnet_ids", []),
            "SecurityGroupIds": body.get("security_group_ids", []),
            "PrivateDnsEnabled": flag(body.get("private_dns_enabled")),
        }
        if interface
        else {"RouteTableIds": body.get("route_table_ids", [])}
    )
    endpoint = ec2.create_vpc_endpoint(
        VpcId=body["vpc_id"],
        ServiceName=body["service_name"],
        VpcEndpointType=body.get("vpc_endpoint_type", "Gateway"),
        **placement,
        **({"PolicyDocument": body["policy"]} if body.get("policy") else {}),
        TagSpecifications=r.ec2_tags("vpc-endpoint", body.get("tags")),
    )["VpcEndpoint"]
    if interface:
        return {"id": endpoint["VpcEndpointId"]}
    # A gateway endpoint's prefix list is the service's AWS-managed one, found by name (as Terraform does).
    (prefix_list,) = ec2.describe_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [body["service_name"]]}]
    )["PrefixLists"]
    return {"id": endpoint["VpcEndpointId"], "prefix_list_id": prefix_list["PrefixListId"]}


@handles("aws_flow_log")
def _flow_log(r: Rehearsal, body: dict) -> dict:
    result = r.client("ec2").create_flow_logs(
        ResourceIds=[body["vpc_id"]],
        ResourceType="VPC",
        TrafficType=body["traffic_type"],
        LogDestinationType=body["log_destination_type"],
        LogDestination=body["log_destination"],
        DeliverLogsPermissionArn=body["iam_role_arn"],
        MaxAggregationInterval=body.get("max_aggregation_interval", 600),
        TagSpecifications=r.ec2_tags("vpc-flow-log", body.get("tags")),
    )
    flow_log = result["FlowLogIds"][0]
    return {"id": flow_log, "arn": f"arn:aws:ec2:{r.region}:{r.account_id}:vpc-flow-log/{flow_log}"}


@handles("aws_security_group")
def _security_group(r: Rehearsal, body: dict) -> dict:
    ec2 = r.client("ec2")
    group_id = ec2.create_security_group(
        GroupName=body["name"],
        Description=body.get("description", "Managed by Terraform"),
        VpcId=body["vpc_id"],
        TagSpecifications=r.ec2_tags("security-group", body.get("tags")),
    )["GroupId"]
    # Terraform removes the allow-all egress AWS adds to a new group; rules are separate resources.
    ec2.revoke_security_group_egress(
        GroupId=group_id, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    return {"id": group_id}


def _permission(body: dict) -> dict:
    permission: dict[str, Any] = {"IpProtocol": body["ip_protocol"]}
    if body["ip_protocol"] != "-1":
        permission.update(FromPort=body["from_port"], ToPort=body["to_port"])
    described = {"Description": body["description"]} if body.get("description") else {}
    if body.get("cidr_ipv4"):
        permission["IpRanges"] = [{"CidrIp": body["cidr_ipv4"], **described}]
    if body.get("cidr_ipv6"):
        permission["Ipv6Ranges"] = [{"CidrIpv6": body["cidr_ipv6"], **described}]
    if body.get("referenced_security_group_id"):
        permission["UserIdGroupPairs"] = [{"GroupId": body["referenced_security_group_id"], **described}]
    if body.get("prefix_list_id"):
        permission["PrefixListIds"] = [{"PrefixListId": body["prefix_list_id"], **described}]
    return permission


@handles("aws_vpc_security_group_ingress_rule")
def _ingress_rule(r: Rehearsal, body: dict) -> dict:
    result = r.client("ec2").authorize_security_group_ingress(
        GroupId=body["security_group_id"], IpPermissions=[_permission(body)]
    )
    return {"id": result["SecurityGroupRules"][0]["SecurityGroupRuleId"]}


@handles("aws_vpc_security_group_egress_rule")
def _egress_rule(r: Rehearsal, body: dict) -> dict:
    result = r.client("ec2").authorize_security_group_egress(
        GroupId=body["security_group_id"], IpPermissions=[_permission(body)]
    )
    return {"id": result["SecurityGroupRules"][0]["SecurityGroupRuleId"]}
