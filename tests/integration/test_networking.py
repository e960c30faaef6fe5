"""VPC, subnets, NAT, routes, endpoints, flow logs and the default security group, as the plan declares them."""

from __future__ import annotations

import pytest

from stack.contract import Output
from tap.live.documents import canonical
from tests.integration.conftest import same

SUBNET_OUTPUTS = (Output.PUBLIC_SUBNET_IDS, Output.APP_SUBNET_IDS, Output.DB_SUBNET_IDS)
# An endpoint in any other state is (or is becoming) a path out of the VPC.
ENDPOINT_GONE = ("deleting", "deleted", "rejected", "failed", "expired")


def _live_ids(target, *outputs: Output) -> dict[str, str]:
    """Plan reference (`${aws_subnet.x.id}`) -> live id, for outputs that list resources."""
    return {
        reference: live
        for output in outputs
        for reference, live in zip(target.plan.outputs[output], target.outputs[output], strict=True)
    }


def _in_vpc(target, *filters: dict) -> list[dict]:
    """Describe* filters: the deployment's VPC, and any others given."""
    return [{"Name": "vpc-id", "Values": [target.outputs[Output.VPC_ID]]}, *filters]


def _subnets(target) -> dict[str, dict]:
    found = target.client("ec2").describe_subnets(Filters=_in_vpc(target))["Subnets"]
    return {subnet["CidrBlock"]: subnet for subnet in found}


def _tables_by_subnet(target) -> dict[str, dict]:
    """Subnet id -> the route table it is explicitly associated with, among every table of the VPC."""
    tables = target.client("ec2").describe_route_tables(Filters=_in_vpc(target))["RouteTables"]
    return {
        association["SubnetId"]: table
        for table in tables
        for association in table.get("Associations", [])
        if association.get("SubnetId") and _holds(association)
    }


def _holds(association: dict) -> bool:
    """An association still routes its subnet until it is on its way out."""
    return association.get("AssociationState", {}).get("State", "associated") in ("associating", "associated")


def _endpoints(target, *filters: dict) -> list[dict]:
    """The VPC's endpoints that are, or are becoming, a path out of it."""
    found = target.client("ec2").describe_vpc_endpoints(Filters=_in_vpc(target, *filters))["VpcEndpoints"]
    return [endpoint for endpoint in found if endpoint["State"].lower() not in ENDPOINT_GONE]


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
    # None at all unless the deployment declares internet destinations: one appearing is drift too.
    ids = target.outputs[Output.NAT_GATEWAY_IDS]
    gateways = target.client("ec2").describe_nat_gateways(Filters=_in_vpc(target))["NatGateways"]
    states = {gateway["NatGatewayId"]: gateway["State"] for gateway in gateways}
    same({nat: states.get(nat, "missing") for nat in ids}, dict.fromkeys(ids, "available"), "the NAT gateways' states")
    same(len(ids), len(target.planned("aws_nat_gateway")), "the number of NAT gateways")
    same(
        sorted(nat for nat, state in states.items() if state in ("pending", "available")),
        sorted(ids),
        "the VPC's NAT gateways",
    )
    public = set(target.outputs[Output.PUBLIC_SUBNET_IDS])
    assert {gateway["SubnetId"] for gateway in gateways if gateway["NatGatewayId"] in ids} <= public, (
        "drift: a NAT gateway is outside the public tier"
    )


def test_every_subnet_is_explicitly_associated_with_its_planned_route_table(target):
    # A subnet without an association falls back to the VPC's main route table: routes nobody
    # planned, and none to the S3 gateway endpoint. None below is that fallback.
    subnets = _live_ids(target, *SUBNET_OUTPUTS)
    tables = _live_ids(target, Output.ROUTE_TABLE_IDS)
    planned = {
        subnets[association["subnet_id"]]: tables[association["route_table_id"]]
        for association in target.planned("aws_route_table_association")
    }
    live = {subnet: table["RouteTableId"] for subnet, table in _tables_by_subnet(target).items()}
    same(
        {subnet: live.get(subnet) for subnet in subnets.values()},
        {subnet: planned.get(subnet) for subnet in subnets.values()},
        "the route table each subnet is explicitly associated with (None: the VPC's main table)",
    )


def test_private_subnets_route_to_internet_only_through_nat(target):
    routes = {}
    for subnet, table in _tables_by_subnet(target).items():
        default = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        routes[subnet] = default[0] if default else None
    nats = set(target.outputs[Output.NAT_GATEWAY_IDS])
    for subnet in target.outputs[Output.APP_SUBNET_IDS]:
        route = routes.get(subnet)
        if not nats:  # no declared internet destination: the application tier has no route out
            same(route, None, f"the default route of app subnet {subnet}")
            continue
        assert route and route.get("NatGatewayId") in nats, f"drift: app subnet {subnet} has no default route via NAT"
        same(route.get("State", "active"), "active", f"the default route of app subnet {subnet}")
    for subnet in target.outputs[Output.DB_SUBNET_IDS]:
        same(routes.get(subnet), None, f"the default route of database subnet {subnet}")
    for subnet in target.outputs[Output.PUBLIC_SUBNET_IDS]:
        assert routes.get(subnet) and routes[subnet].get("GatewayId", "").startswith("igw-"), (
            f"drift: public subnet {subnet} does not route to the internet gateway"
        )


@pytest.mark.controls("CKV2_PAY_6", "CKV2_AWS_11")
def test_vpc_flow_log_records_all_traffic_to_its_group(target):
    (planned,) = target.planned("aws_flow_log")
    logs = target.client("ec2").describe_flow_logs(
        Filters=[{"Name": "resource-id", "Values": [target.outputs[Output.VPC_ID]]}]
    )["FlowLogs"]
    assert logs, f"drift: VPC {target.outputs['vpc_id']} has no flow log"
    (log,) = logs
    same(log["TrafficType"], planned["traffic_type"], "the flow log's traffic type")
    same(
        log.get("LogGroupName") or log.get("LogDestination", "").split(":log-group:")[-1],
        target.outputs[Output.FLOW_LOG_GROUP],
        "the flow log's destination group",
    )
    same(log.get("FlowLogStatus", "ACTIVE"), "ACTIVE", "the flow log's status")


def test_default_security_group_allows_nothing(target):
    (group,) = target.client("ec2").describe_security_groups(
        Filters=_in_vpc(target, {"Name": "group-name", "Values": ["default"]})
    )["SecurityGroups"]
    same((group["IpPermissions"], group["IpPermissionsEgress"]), ([], []), "the default security group's rules")


@pytest.mark.controls("CKV_PAY_20", "CKV_PAY_21")
def test_vpc_has_exactly_the_planned_endpoints(target):
    # Every endpoint is a way out of the VPC: one the plan does not declare is drift, whatever it reaches.
    same(
        sorted((endpoint["VpcEndpointType"], endpoint["ServiceName"]) for endpoint in _endpoints(target)),
        sorted(
            (endpoint["vpc_endpoint_type"], endpoint["service_name"]) for endpoint in target.planned("aws_vpc_endpoint")
        ),
        "the VPC's endpoints (type, service)",
    )


@pytest.mark.controls("CKV_PAY_20")
def test_s3_gateway_endpoint_policy_and_routes_match_plan(target):
    (planned,) = [e for e in target.planned("aws_vpc_endpoint") if e["vpc_endpoint_type"] == "Gateway"]
    (endpoint,) = target.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[target.outputs[Output.S3_ENDPOINT_ID]])[
        "VpcEndpoints"
    ]
    tables = _live_ids(target, Output.ROUTE_TABLE_IDS)
    same(
        (endpoint["VpcEndpointType"], endpoint["ServiceName"], endpoint["State"]),
        ("Gateway", planned["service_name"], "available"),
        "the S3 gateway endpoint",
    )
    same(
        canonical(endpoint.get("PolicyDocument") or "{}"),
        canonical(target.live(planned["policy"])),
        "the policy of the S3 gateway endpoint",
    )
    same(
        sorted(endpoint["RouteTableIds"]),
        sorted(tables[reference] for reference in planned["route_table_ids"]),
        "the route tables of the S3 gateway endpoint",
    )


@pytest.mark.controls("CKV_PAY_21")
def test_interface_endpoints_match_plan(target):
    planned = {
        e["service_name"]: e for e in target.planned("aws_vpc_endpoint") if e["vpc_endpoint_type"] == "Interface"
    }
    found = _endpoints(target, {"Name": "vpc-endpoint-type", "Values": ["Interface"]})
    live = {endpoint["ServiceName"]: endpoint for endpoint in found}
    same(sorted(live), sorted(planned), "the VPC's interface endpoints")
    same(
        sorted(e["VpcEndpointId"] for e in live.values()),
        sorted(target.outputs[Output.INTERFACE_ENDPOINT_IDS]),
        "the interface endpoints' ids",
    )
    subnets = _live_ids(target, Output.APP_SUBNET_IDS)
    for service, endpoint in live.items():
        expected = planned[service]
        same(
            (
                endpoint["PrivateDnsEnabled"],
                sorted(group["GroupId"] for group in endpoint["Groups"]),
                sorted(endpoint["SubnetIds"]),
            ),
            (
                expected["private_dns_enabled"],
                [target.outputs[Output.ENDPOINTS_SECURITY_GROUP_ID]],
                sorted(subnets[reference] for reference in expected["subnet_ids"]),
            ),
            f"the private DNS, security group and subnets of the {service} endpoint",
        )


# ---- Network ACLs, endpoint policies, DNS ------------------------------------------------------

# The rule every ACL ends with; no API adds, changes or removes it.
IMPLICIT_DENY = 32767


def _acl_rules(entries) -> list[tuple]:
    """(direction, number, protocol, action, range, ports) of each rule, the implicit deny left out."""
    return sorted(
        (
            "out" if entry["Egress"] else "in",
            entry["RuleNumber"],
            str(entry["Protocol"]),
            entry["RuleAction"],
            entry.get("CidrBlock") or entry.get("Ipv6CidrBlock"),
            (entry.get("PortRange", {}).get("From"), entry.get("PortRange", {}).get("To")),
        )
        for entry in entries
        if entry["RuleNumber"] != IMPLICIT_DENY
    )


def _planned_acl_rules(target, acl_reference: str) -> list[tuple]:
    return sorted(
        (
            "out" if rule["egress"] else "in",
            rule["rule_number"],
            str(rule["protocol"]),
            rule["rule_action"],
            rule["cidr_block"],
            (rule["from_port"], rule["to_port"]),
        )
        for rule in target.planned("aws_network_acl_rule")
        if rule["network_acl_id"] == acl_reference
    )


@pytest.mark.controls("CKV_PAY_50", "CKV2_PAY_50")
def test_every_subnet_has_its_tiers_network_acl_rules_and_no_other(target):
    # ACLs are stateless: a rule added anywhere (SSH from the internet) or a subnet moved back to the
    # default ACL shows here as its subnet's rules differing from the plan.
    subnets = _live_ids(target, *SUBNET_OUTPUTS)
    acls = target.client("ec2").describe_network_acls(Filters=_in_vpc(target))["NetworkAcls"]
    live = {association["SubnetId"]: _acl_rules(acl["Entries"]) for acl in acls for association in acl["Associations"]}
    planned = {
        subnets[subnet]: _planned_acl_rules(target, f"${{{acl.address}.id}}")
        for acl in target.planned("aws_network_acl")
        for subnet in acl["subnet_ids"]
    }
    same(
        {subnet: live.get(subnet) for subnet in subnets.values()},
        {subnet: planned.get(subnet) for subnet in subnets.values()},
        "the network ACL rules of each subnet",
    )
    (default,) = [acl for acl in acls if acl["IsDefault"]]
    same(_acl_rules(default["Entries"]), [], "the default network ACL's rules (it must admit nothing)")


@pytest.mark.controls("CKV_PAY_51")
def test_interface_endpoint_policies_admit_only_this_account(target):
    account = target.identity["account"]
    planned = {
        e["service_name"]: e for e in target.planned("aws_vpc_endpoint") if e["vpc_endpoint_type"] == "Interface"
    }
    found = _endpoints(target, {"Name": "vpc-endpoint-type", "Values": ["Interface"]})
    for endpoint in found:
        expected = planned.get(endpoint["ServiceName"])
        policy = (
            expected["policy"].replace("${data.aws_caller_identity.account.account_id}", account) if expected else "{}"
        )
        same(
            canonical(endpoint.get("PolicyDocument") or "{}"),
            canonical(policy),
            f"the policy of the {endpoint['ServiceName']} endpoint",
        )


def _resolver(target):
    return target.client("route53resolver")


def _vpc_filter(target, name: str) -> list[dict]:
    return [{"Name": name, "Values": [target.outputs[Output.VPC_ID]]}]


@pytest.mark.controls("CKV2_PAY_51")
def test_every_dns_query_of_the_vpc_is_logged_to_its_group(target):
    resolver = _resolver(target)
    associations = resolver.list_resolver_query_log_config_associations(Filters=_vpc_filter(target, "ResourceId"))[
        "ResolverQueryLogConfigAssociations"
    ]
    active = [a for a in associations if a.get("Status", "ACTIVE") in ("CREATING", "ACTIVE")]
    destinations = sorted(
        resolver.get_resolver_query_log_config(ResolverQueryLogConfigId=a["ResolverQueryLogConfigId"])[
            "ResolverQueryLogConfig"
        ]["DestinationArn"].split(":log-group:")[-1]
        for a in active
    )
    same(
        destinations,
        [target.outputs[Output.DNS_QUERY_LOG_GROUP]],
        "the log groups the VPC's DNS query logging writes to",
    )


REDIRECTION_DEFAULT = "INSPECT_REDIRECTION_DOMAIN"


@pytest.mark.controls("CKV2_PAY_51")
def test_dns_firewall_answers_only_the_allowed_names(target):
    resolver = _resolver(target)
    associations = [
        a
        for a in resolver.list_firewall_rule_group_associations(VpcId=target.outputs[Output.VPC_ID])[
            "FirewallRuleGroupAssociations"
        ]
        if a["Status"] != "DELETING"
    ]
    same(len(associations), 1, "the number of DNS firewall rule groups associated with the VPC")
    rules = resolver.list_firewall_rules(FirewallRuleGroupId=associations[0]["FirewallRuleGroupId"])["FirewallRules"]
    # What decides a query besides its name: the block's answer, the query types a rule covers, and whether
    # a CNAME of an allowed name is followed (AWS's defaults where the plan says nothing).
    live = [
        (
            rule["Action"],
            # Fully qualified, as AWS stores them and the plan writes them.
            sorted(resolver.list_firewall_domains(FirewallDomainListId=rule["FirewallDomainListId"])["Domains"]),
            rule.get("BlockResponse"),
            rule.get("Qtype"),
            rule.get("FirewallDomainRedirectionAction", REDIRECTION_DEFAULT),
        )
        for rule in sorted(rules, key=lambda rule: rule["Priority"])
    ]
    lists = {
        f"${{{item.address}.id}}": item["domains"]
        for item in target.plan.resources("aws_route53_resolver_firewall_domain_list")
    }
    planned = [
        (
            rule["action"],
            sorted(lists[rule["firewall_domain_list_id"]]),
            rule.get("block_response"),
            rule.get("q_type"),
            rule.get("firewall_domain_redirection_action", REDIRECTION_DEFAULT),
        )
        for rule in sorted(target.planned("aws_route53_resolver_firewall_rule"), key=lambda rule: rule["priority"])
    ]
    same(live, planned, "the DNS firewall's rules")
    config = resolver.get_firewall_config(ResourceId=target.outputs[Output.VPC_ID])["FirewallConfig"]
    same(config.get("FirewallFailOpen", "DISABLED"), "DISABLED", "whether the DNS firewall fails open")
