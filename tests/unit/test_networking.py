"""The VPC: subnet tiers and zones, NAT and routes, flow logs, the endpoints, the default security group."""

from __future__ import annotations

import functools
import ipaddress
import itertools
import json

from stack.policy_documents import AL2023_REPOSITORY_BUCKET, SSM_AGENT_BUCKETS
from tap.plan import Match
from tests.unit.helpers import public_route_table, referenced


def _reference(resource) -> str:
    return f"${{{resource.address}.id}}"


def _app_route_tables(plan) -> list:
    """The route table of each application subnet."""
    associations = plan.resources("aws_route_table_association")
    tables = []
    for subnet in plan.resources("aws_subnet").where({"tags": {"Tier": "app"}}):
        (association,) = associations.where({"subnet_id": _reference(subnet)})
        tables.append(plan.resource(referenced(association["route_table_id"])))
    return tables


def test_vpc_has_dns_flow_logs_and_s3_endpoint(plan):
    plan.resources("aws_vpc").assert_all({"enable_dns_support": True, "enable_dns_hostnames": True})
    group = (
        plan.resources("aws_cloudwatch_log_group")
        .where({"name": Match.that(lambda v: "flow-logs" in v, "flow")})
        .only()
    )
    plan.resources("aws_flow_log").assert_all(
        {
            "traffic_type": "ALL",
            "log_destination_type": "cloud-watch-logs",
            "log_destination": f"${{{group.address}.arn}}",
            # 60 or 600 seconds are accepted: a flow shows in the logs within a minute, not ten.
            "max_aggregation_interval": 60,
        }
    )
    gateways = plan.resources("aws_vpc_endpoint").where({"vpc_endpoint_type": "Gateway"})
    gateways.assert_count(1, {"service_name": Match.that(lambda v: v.endswith(".s3"), "s3")})


def test_subnets_span_three_azs_in_three_tiers(plan, config):
    subnets = plan.resources("aws_subnet")
    for tier in ("public", "app", "db"):
        tiered = subnets.where({"tags": {"Tier": tier}})
        assert sorted(s["availability_zone"] for s in tiered) == list(config.availability_zones)


def test_no_subnet_maps_public_ips(plan):
    # NAT gateways hold Elastic IPs and the ALB gets its own addresses: nothing else needs one.
    plan.resources("aws_subnet").assert_all({"map_public_ip_on_launch": False})


def test_database_subnets_have_no_route_out(plan):
    db_subnets = {f"${{{s.address}.id}}" for s in plan.resources("aws_subnet").where({"tags": {"Tier": "db"}})}
    tables = {
        a["route_table_id"] for a in plan.resources("aws_route_table_association") if a["subnet_id"] in db_subnets
    }
    (table,) = tables
    assert plan.resource(referenced(table)).get("route") in (None, [])


def test_without_declared_destinations_the_app_tier_has_no_route_out(plan, config):
    # AWS traffic stays in the VPC (endpoints), so no declared destination means no NAT at all.
    assert config.internet_egress_cidrs == ()
    plan.resources("aws_nat_gateway").assert_count(0)
    plan.resources("aws_eip").assert_count(0)
    tables = _app_route_tables(plan)
    assert len(tables) == config.az_count
    assert [table.get("route") for table in tables] == [None] * config.az_count


def test_nat_gateway_count_follows_profile_once_a_destination_is_declared(egress_plan, egress_config):
    egress_plan.resources("aws_nat_gateway").assert_count(egress_config.nat_gateway_count)
    egress_plan.resources("aws_eip").assert_count(egress_config.nat_gateway_count)
    assert egress_config.nat_gateway_count == (3 if egress_config.profile == "prod" else 1)


def test_every_app_subnet_routes_through_a_nat_once_a_destination_is_declared(egress_plan, egress_config):
    nat_references = {_reference(nat) for nat in egress_plan.resources("aws_nat_gateway")}
    tables = _app_route_tables(egress_plan)
    assert len(tables) == egress_config.az_count
    for table in tables:
        (route,) = table["route"]
        assert (route["cidr_block"], route["nat_gateway_id"] in nat_references) == ("0.0.0.0/0", True), table.address


def _s3_endpoint_policy(plan) -> dict:
    endpoint = plan.resources("aws_vpc_endpoint").where({"vpc_endpoint_type": "Gateway"}).only()
    return json.loads(endpoint["policy"])


def test_s3_endpoint_admits_only_the_data_bucket_os_repositories_and_ssm_buckets(plan, config):
    data = plan.resources("aws_s3_bucket").where({"bucket": Match.that(lambda v: "-data-" in v, "data")}).only()
    data_arn = f"arn:aws:s3:::{data['bucket']}"
    aws_owned = {
        f"arn:aws:s3:::{bucket.format(region=config.region)}/*"
        for bucket in (AL2023_REPOSITORY_BUCKET, *SSM_AGENT_BUCKETS)
    }
    statements = _s3_endpoint_policy(plan)["Statement"]
    assert {statement["Effect"] for statement in statements} == {"Allow"}
    admitted = {resource for statement in statements for resource in statement["Resource"]}
    assert admitted == {data_arn, f"{data_arn}/*", *aws_owned}
    (aws_owned_statement,) = [statement for statement in statements if data_arn not in statement["Resource"]]
    assert aws_owned_statement["Action"] == "s3:GetObject"  # read-only: nothing can be written out there


def test_s3_endpoint_serves_the_app_and_db_route_tables(plan):
    endpoint = plan.resources("aws_vpc_endpoint").where({"vpc_endpoint_type": "Gateway"}).only()
    private = {f"${{{table.address}.id}}" for table in _app_route_tables(plan)}
    db = plan.resources("aws_route_table").where({"tags": {"Name": Match.that(lambda v: "-db-rt-" in v, "db")}}).only()
    assert set(endpoint["route_table_ids"]) == {*private, _reference(db)}


def test_interface_endpoints_serve_what_the_instances_call(plan, config):
    group = (
        plan.resources("aws_security_group").where({"name": Match.that(lambda v: "-endpoints-sg-" in v, "ep")}).only()
    )
    app_subnets = sorted(
        plan.resources("aws_subnet").where({"tags": {"Tier": "app"}}), key=lambda s: s["availability_zone"]
    )
    interfaces = plan.resources("aws_vpc_endpoint").where({"vpc_endpoint_type": "Interface"})
    assert sorted(e["service_name"] for e in interfaces) == sorted(
        f"com.amazonaws.{config.region}.{service}" for service in ("ssm", "ssmmessages", "ec2messages", "logs", "kms")
    )
    # prod in every AZ, so an AZ failure does not cut SSM; dev in the first AZ only.
    zones = 3 if config.profile == "prod" else 1
    interfaces.assert_all(
        {
            "private_dns_enabled": True,
            "security_group_ids": Match.exact([_reference(group)]),
            "subnet_ids": Match.exact([_reference(subnet) for subnet in app_subnets[:zones]]),
        }
    )


def test_instances_may_call_only_what_the_endpoints_serve(plan, config):
    # The endpoints follow the instance role: Session Manager's managed policy (ssm, ssmmessages, ec2messages)
    # and its own grants, whose services each need an endpoint (S3 has its gateway endpoint).
    # A new permission here needs its interface endpoint (stack/config.py INTERFACE_ENDPOINT_SERVICES).
    role = plan.resources("aws_iam_role").where({"name": Match.that(lambda v: "-app-role-" in v, "app")}).only()
    attached = plan.resources("aws_iam_role_policy_attachment").where({"role": f"${{{role.address}.name}}"})
    assert [a["policy_arn"] for a in attached] == ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    inline = plan.resources("aws_iam_role_policy").where({"role": Match.that(lambda v: role.address in v, "app role")})
    called = {
        action.split(":")[0]
        for policy in inline
        for statement in json.loads(policy["policy"])["Statement"]
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    assert called - {"s3"} <= set(config.interface_endpoint_services)


def test_default_security_group_allows_nothing(plan):
    plan.resources("aws_default_security_group").assert_all({"ingress": Match.exact([]), "egress": Match.exact([])})


# Every kind of resource that lives in a VPC: without `vpc_id` AWS puts it in the account's default VPC.
IN_A_VPC = (
    "aws_subnet",
    "aws_security_group",
    "aws_default_security_group",
    "aws_route_table",
    "aws_internet_gateway",
    "aws_vpc_endpoint",
    "aws_lb_target_group",
    "aws_flow_log",
)


def test_everything_that_lives_in_a_vpc_is_in_the_stacks_own(plan, egress_plan):
    for each in (plan, egress_plan):
        vpc = each.resources("aws_vpc").only()
        for kind in IN_A_VPC:
            each.resources(kind).assert_all({"vpc_id": Match.reference_to(vpc.address, "id")})


def test_subnets_lie_inside_the_vpc_and_never_overlap(plan):
    vpc = ipaddress.ip_network(plan.resources("aws_vpc").only()["cidr_block"])
    subnets = [ipaddress.ip_network(subnet["cidr_block"]) for subnet in plan.resources("aws_subnet")]
    assert all(subnet.subnet_of(vpc) and subnet != vpc for subnet in subnets)
    assert not [(a, b) for a, b in itertools.combinations(subnets, 2) if a.overlaps(b)]


def test_every_subnet_is_associated_with_exactly_one_route_table(plan, egress_plan):
    # An unassociated subnet falls back to the VPC's main route table, which the stack never manages.
    for each in (plan, egress_plan):
        associations = each.resources("aws_route_table_association")
        tables = {table.address for table in each.resources("aws_route_table")}
        for subnet in each.resources("aws_subnet"):
            (association,) = associations.where({"subnet_id": _reference(subnet)})
            assert referenced(association["route_table_id"]) in tables


def test_public_subnets_reach_the_internet_through_the_gateway_only(plan):
    gateway = plan.resources("aws_internet_gateway").only()
    assert [(r["cidr_block"], r["gateway_id"]) for r in public_route_table(plan)["route"]] == [
        ("0.0.0.0/0", f"${{{gateway.address}.id}}")
    ]


# ---- Network ACLs ---------------------------------------------------------------------------

# Ports a connection comes from: Linux instances (Amazon Linux 32768-60999), the load balancer's
# nodes and NAT gateways (1024-65535), internet clients (any unprivileged port). Each flow is tried
# from both ends of its range.
INSTANCE_PORTS, SERVICE_PORTS = (32768, 60999), (1024, 65535)
INTERNET_CLIENT, S3_ADDRESS = "198.51.100.23", "52.219.0.10"  # a client; an address in S3's ranges


def _subnet_cidrs(plan, tier: str) -> list[str]:
    subnets = plan.resources("aws_subnet").where({"tags": {"Tier": tier}})
    return [subnet["cidr_block"] for subnet in sorted(subnets, key=lambda s: s["availability_zone"])]


def _host(cidr: str) -> str:
    return str(ipaddress.ip_network(cidr)[10])


@functools.cache
def _acl_of(plan, address: str):
    """The ACL of the subnet holding the address (None off the VPC's subnets: the internet, S3)."""
    for subnet in plan.resources("aws_subnet"):
        if ipaddress.ip_address(address) in ipaddress.ip_network(subnet["cidr_block"]):
            (acl,) = [acl for acl in plan.resources("aws_network_acl") if _reference(subnet) in acl["subnet_ids"]]
            return acl.address
    return None


def _admits(plan, acl: str | None, egress: bool, peer: str, port: int) -> bool:
    """A stateless ACL's verdict on one TCP packet: its lowest-numbered matching rule, else the implicit deny."""
    if acl is None:
        return True
    address = ipaddress.ip_address(peer)
    for network, ports, allows in _ordered_rules(plan, acl, egress):
        if address in network and (ports is None or ports[0] <= port <= ports[1]):
            return allows
    return False


@functools.cache
def _ordered_rules(plan, acl: str, egress: bool) -> list[tuple]:
    """The ACL's TCP rules in the order AWS reads them: (network, ports or None for every port, allows)."""
    rules = plan.resources("aws_network_acl_rule").where({"network_acl_id": f"${{{acl}.id}}", "egress": egress})
    return [
        (
            ipaddress.ip_network(rule["cidr_block"]),
            None if str(rule["protocol"]) in ("-1", "all") else (rule["from_port"], rule["to_port"]),
            rule["rule_action"] == "allow",
        )
        for rule in sorted(rules, key=lambda r: r["rule_number"])
        if str(rule["protocol"]) in ("6", "tcp", "-1", "all")
    ]


def _connects(plan, client: str, server: str, port: int, client_ports: tuple[int, int]) -> bool:
    """A TCP connection and its replies get through both subnets' ACLs, from either end of the client's ports."""
    source, target = _acl_of(plan, client), _acl_of(plan, server)
    if source == target and source is not None and _same_subnet(plan, client, server):
        return True  # an ACL filters what crosses a subnet's boundary only
    return all(
        _admits(plan, source, True, server, port)
        and _admits(plan, target, False, client, port)
        and _admits(plan, target, True, client, client_port)
        and _admits(plan, source, False, server, client_port)
        for client_port in client_ports
    )


def _same_subnet(plan, one: str, other: str) -> bool:
    return any(
        ipaddress.ip_address(one) in network and ipaddress.ip_address(other) in network
        for network in (ipaddress.ip_network(subnet["cidr_block"]) for subnet in plan.resources("aws_subnet"))
    )


def _needed_flows(plan, config) -> list[tuple[str, str, int, tuple[int, int], str]]:
    """(client, server, port, client ports, what) for every connection the stack works by."""
    public, app, db = (list(map(_host, _subnet_cidrs(plan, tier))) for tier in TIERS_ORDER)
    endpoint_zones = app[: config.endpoint_zone_count]
    flows = [
        (INTERNET_CLIENT, alb, port, SERVICE_PORTS, "a client to the load balancer")
        for alb in public
        for port in (80, 443)
    ]
    flows += [
        (alb, instance, config.app_port, SERVICE_PORTS, "the load balancer to an instance")
        for alb in public
        for instance in app
    ]
    flows += [
        (instance, ep, 443, INSTANCE_PORTS, "an instance to an interface endpoint")
        for instance in app
        for ep in endpoint_zones
    ]
    flows += [
        (instance, database, 5432, INSTANCE_PORTS, "an instance to the database") for instance in app for database in db
    ]
    flows += [
        (instance, S3_ADDRESS, 443, INSTANCE_PORTS, "an instance to S3 through the gateway endpoint")
        for instance in app
    ]
    for cidr in config.internet_egress_cidrs:
        destination = _host(cidr)
        flows += [
            (instance, destination, 443, INSTANCE_PORTS, "an instance towards a destination, into NAT")
            for instance in app
        ]
        flows += [(nat, destination, 443, SERVICE_PORTS, "a NAT gateway to a declared destination") for nat in public]
    return flows


TIERS_ORDER = ("public", "app", "db")


def _through_nat(plan, client: str, server: str, port: int, client_ports) -> bool:
    """The instance's leg through NAT: the packet keeps the destination's address, so the public ACL sees that."""
    app_acl, public_acl = _acl_of(plan, client), _acl_of(plan, _host(_subnet_cidrs(plan, "public")[0]))
    return all(
        _admits(plan, app_acl, True, server, port)
        and _admits(plan, public_acl, False, client, port)
        and _admits(plan, public_acl, True, client, client_port)
        and _admits(plan, app_acl, False, server, client_port)
        for client_port in client_ports
    )


def test_acls_let_every_flow_the_stack_works_by_through_both_ways(plan, config, egress_plan, egress_config):
    for each, settings in ((plan, config), (egress_plan, egress_config)):
        for client, server, port, client_ports, what in _needed_flows(each, settings):
            nat_leg = what.endswith("into NAT")
            passes = (_through_nat if nat_leg else _connects)(each, client, server, port, client_ports)
            assert passes, f"{what}: {client} -> {server}:{port} is dropped by a network ACL"


def test_acls_stop_what_no_tier_serves(plan, egress_plan):
    for each in (plan, egress_plan):
        public, app, db = (list(map(_host, _subnet_cidrs(each, tier))) for tier in TIERS_ORDER)
        refused = [(INTERNET_CLIENT, host, port) for host in public + app + db for port in (22, 3389)]
        refused += [(INTERNET_CLIENT, host, port) for host in app for port in (8080, 443)]
        refused += [(source, database, 5432) for source in (INTERNET_CLIENT, *public) for database in db]
        refused += [(database, INTERNET_CLIENT, 443) for database in db]
        for client, server, port in refused:
            assert not _connects(each, client, server, port, (40000, 40000)), (
                f"{client} -> {server}:{port} gets through"
            )


def test_every_subnet_has_its_tiers_acl_and_the_default_acl_admits_nothing(plan, egress_plan):
    for each in (plan, egress_plan):
        for subnet in each.resources("aws_subnet"):
            (acl,) = [acl for acl in each.resources("aws_network_acl") if _reference(subnet) in acl["subnet_ids"]]
            assert acl["tags"]["Name"].startswith(f"payment-{subnet['tags']['Tier']}-acl-"), subnet.address
        default = each.resources("aws_default_network_acl").only()
        assert default.get("ingress") in (None, []) and default.get("egress") in (None, [])
        assert (
            default["default_network_acl_id"]
            == f"${{{each.resources('aws_vpc').only().address}.default_network_acl_id}}"
        )


def test_no_acl_rule_admits_the_internet_to_ssh_or_rdp(plan, egress_plan):
    for each in (plan, egress_plan):
        for rule in each.resources("aws_network_acl_rule").where({"egress": False, "rule_action": "allow"}):
            if not ipaddress.ip_network(rule["cidr_block"]).is_private:
                assert not any(rule["from_port"] <= port <= rule["to_port"] for port in (22, 3389)), rule.address


def test_every_acl_rule_is_justified_and_within_the_quota(plan, egress_plan):
    # AWS allows 20 rules per direction per ACL unless the quota is raised.
    for each in (plan, egress_plan):
        rules = each.resources("aws_network_acl_rule")
        assert all(rule.annotations.get("justification") for rule in rules)
        counts = {}
        for rule in rules:
            key = (rule["network_acl_id"], rule["egress"])
            counts[key] = counts.get(key, 0) + 1
        assert max(counts.values()) <= 20, counts


# ---- Endpoint policies and the DNS firewall -------------------------------------------------

ACCOUNT = "${data.aws_caller_identity.account.account_id}"


def test_every_interface_endpoint_admits_only_this_accounts_principals(plan):
    interfaces = plan.resources("aws_vpc_endpoint").where({"vpc_endpoint_type": "Interface"})
    assert len(interfaces) >= 3
    for endpoint in interfaces:
        statements = json.loads(endpoint["policy"])["Statement"]
        assert statements[0]["Action"] == "*" and statements[0]["Condition"] == {
            "StringEquals": {"aws:PrincipalAccount": ACCOUNT, "aws:ResourceAccount": ACCOUNT}
        }, endpoint.address
        for statement in statements:
            assert statement["Effect"] == "Allow" and statement["Principal"] == "*"
            assert statement["Condition"]["StringEquals"]["aws:PrincipalAccount"] == ACCOUNT, endpoint.address


def test_endpoint_exceptions_to_the_resource_account_are_narrow(plan, config):
    by_service = {
        endpoint["service_name"].rsplit(".", 1)[1]: json.loads(endpoint["policy"])["Statement"][1:]
        for endpoint in plan.resources("aws_vpc_endpoint").where({"vpc_endpoint_type": "Interface"})
    }
    (ssm,) = by_service["ssm"]
    assert ssm["Action"] == ["ssm:Describe*", "ssm:Get*", "ssm:List*"]  # reads only
    assert ssm["Resource"] == [
        f"arn:aws:ssm:{config.region}::document/*",
        f"arn:aws:ssm:{config.region}::parameter/aws/*",
    ]  # AWS-owned: no account in the ARN
    for channel in ("ssmmessages", "ec2messages"):
        (statement,) = by_service[channel]
        assert statement["Action"] == f"{channel}:*", channel


def test_dns_firewall_answers_the_regions_aws_names_and_blocks_everything_else(plan, config):
    lists = {item.address: item for item in plan.resources("aws_route53_resolver_firewall_domain_list")}
    group = plan.resources("aws_route53_resolver_firewall_rule_group").only()
    rules = plan.resources("aws_route53_resolver_firewall_rule").where(
        {"firewall_rule_group_id": f"${{{group.address}.id}}"}
    )
    ordered = [
        (rule["action"], lists[referenced(rule["firewall_domain_list_id"])]["domains"])
        for rule in sorted(rules, key=lambda r: r["priority"])
    ]
    # Fully qualified, as AWS stores them: a name without its final dot would be changed again by every plan.
    assert ordered == [
        ("ALLOW", [f"*.{config.region}.amazonaws.com.", *_internal_names(config), "*.0.10.in-addr.arpa."]),
        ("BLOCK", ["*."]),
    ]
    allow, block = sorted(rules, key=lambda r: r["priority"])
    # A CNAME of an allowed name (the database's endpoint) is followed; inspected, its target would be blocked.
    assert allow.get("firewall_domain_redirection_action") == "TRUST_REDIRECTION_DOMAIN"
    # Every query type blocked (a block of A records only leaves TXT tunnels open), with an empty answer.
    assert block.get("q_type") is None and block["block_response"] == "NODATA"
    vpc = plan.resources("aws_vpc").only()
    plan.resources("aws_route53_resolver_firewall_rule_group_association").assert_count(
        1, {"vpc_id": f"${{{vpc.address}.id}}", "firewall_rule_group_id": f"${{{group.address}.id}}"}
    )


def _internal_names(config) -> list[str]:
    zone = f"{config.region}.compute.internal."
    return [zone, f"*.{zone}"]


def test_every_dns_query_is_logged_to_an_encrypted_group(plan):
    group = plan.resources("aws_cloudwatch_log_group", under="logs/dns-query-logs").only()
    assert group["kms_key_id"].startswith("${aws_kms_key.")
    query_log = plan.resources("aws_route53_resolver_query_log_config").only()
    assert query_log["destination_arn"] == f"${{{group.address}.arn}}"
    vpc = plan.resources("aws_vpc").only()
    plan.resources("aws_route53_resolver_query_log_config_association").assert_count(
        1, {"resource_id": f"${{{vpc.address}.id}}", "resolver_query_log_config_id": f"${{{query_log.address}.id}}"}
    )
