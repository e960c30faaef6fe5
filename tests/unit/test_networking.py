"""The VPC: subnet tiers and zones, NAT and routes, flow logs, the endpoints, the default security group."""

from __future__ import annotations

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
