"""The VPC: subnet tiers and zones, NAT and routes, flow logs, the S3 endpoint, the default security group."""

from __future__ import annotations

from tap.plan import Match


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
        }
    )
    plan.resources("aws_vpc_endpoint").assert_all(
        {"vpc_endpoint_type": "Gateway", "service_name": Match.that(lambda v: v.endswith(".s3"), "s3")}
    )


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
    assert plan.resource(table.removeprefix("${").removesuffix(".id}")).get("route") in (None, [])


def test_nat_gateway_count_follows_profile(plan, config):
    plan.resources("aws_nat_gateway").assert_count(config.nat_gateway_count)
    plan.resources("aws_eip").assert_count(config.nat_gateway_count)
    assert config.nat_gateway_count == (3 if config.profile == "prod" else 1)


def test_every_app_subnet_routes_through_a_nat(plan, config):
    app_subnets = plan.resources("aws_subnet").where({"tags": {"Tier": "app"}})
    app_subnets.assert_count(config.az_count)
    associations = plan.resources("aws_route_table_association")
    nat_tables = {
        t.address for t in plan.resources("aws_route_table").where({"route": [{"nat_gateway_id": Match.any_value()}]})
    }
    for subnet in app_subnets:
        (association,) = associations.where({"subnet_id": f"${{{subnet.address}.id}}"})
        assert association["route_table_id"].removeprefix("${").removesuffix(".id}") in nat_tables


def test_default_security_group_allows_nothing(plan):
    plan.resources("aws_default_security_group").assert_all({"ingress": Match.exact([]), "egress": Match.exact([])})
