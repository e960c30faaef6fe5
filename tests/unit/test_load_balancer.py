"""The ALB: internet-facing and logged, HTTPS on TLS 1.3, HTTP only redirecting, health-checked targets."""

from __future__ import annotations

import json

from tap.plan import Match
from tests.unit.helpers import referenced


def test_alb_is_internet_facing_strict_and_logged(plan, config):
    plan.resources("aws_lb").assert_all(
        {
            "internal": False,
            "load_balancer_type": "application",
            "drop_invalid_header_fields": True,
            "enable_deletion_protection": config.settings.deletion_protection,
            "access_logs": {"enabled": True, "bucket": Match.any_value()},
        }
    )
    alb = plan.resources("aws_lb").only()
    public = {f"${{{s.address}.id}}" for s in plan.resources("aws_subnet").where({"tags": {"Tier": "public"}})}
    assert set(alb["subnets"]) == public


def test_https_listener_uses_tls13_policy_and_config_certificate(plan, config):
    plan.resources("aws_lb_listener").assert_count(
        1,
        {"port": 443, "protocol": "HTTPS", "ssl_policy": config.tls_policy, "certificate_arn": config.certificate_arn},
    )
    # The "Res" (restricted) TLS 1.3 policy: TLS 1.2 falls back to ECDHE with AES-GCM only, where the
    # plain ELBSecurityPolicy-TLS13-1-2-2021-06 also offers CBC suites (no AEAD). CKV_PAY_11 holds the list.
    assert config.tls_policy == "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"


def _app_subnet_routes(plan) -> list:
    app_subnets = {f"${{{s.address}.id}}" for s in plan.resources("aws_subnet").where({"tags": {"Tier": "app"}})}
    tables = {
        a["route_table_id"] for a in plan.resources("aws_route_table_association") if a["subnet_id"] in app_subnets
    }
    return [route for table in tables for route in plan.resource(referenced(table)).get("route") or []]


def test_plain_http_to_targets_never_crosses_an_open_network(plan, egress_plan):
    # ALB -> instance stays HTTP on the app port (README: "ALB to instances"). What makes that
    # acceptable must hold: only the ALB's group reaches the port, the targets sit in subnets with
    # no internet gateway route, and the VPC's flow log records all of it.
    for checked in (plan, egress_plan):
        group = checked.resources("aws_lb_target_group").only()
        assert (group["protocol"], group["target_type"]) == ("HTTP", "instance")
        app = (
            checked.resources("aws_security_group").where({"name": Match.that(lambda v: "-app-sg-" in v, "app")}).only()
        )
        alb = (
            checked.resources("aws_security_group").where({"name": Match.that(lambda v: "-alb-sg-" in v, "alb")}).only()
        )
        inbound = checked.resources("aws_vpc_security_group_ingress_rule").where(
            {"security_group_id": f"${{{app.address}.id}}"}
        )
        assert [(r["from_port"], r.get("referenced_security_group_id"), r.get("cidr_ipv4")) for r in inbound] == [
            (group["port"], f"${{{alb.address}.id}}", None)
        ]
        assert [route for route in _app_subnet_routes(checked) if route.get("gateway_id")] == []
        checked.resources("aws_flow_log").assert_count(1, {"traffic_type": "ALL"})


def test_http_listener_only_redirects_to_https(plan):
    http = plan.resources("aws_lb_listener").where({"port": 80}).only()
    (action,) = http["default_action"]
    assert action == {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}


def test_target_group_has_a_health_check(plan, config):
    plan.resources("aws_lb_target_group").assert_all(
        {"port": config.app_port, "health_check": {"enabled": True, "path": Match.any_value(), "matcher": "200"}}
    )


# CreateTargetGroup's accepted ranges: a health check outside them fails the deploy.
HEALTH_CHECK_RANGES = {
    "healthy_threshold": (2, 10),
    "unhealthy_threshold": (2, 10),
    "interval": (5, 300),
    "timeout": (2, 120),
}
# How long a dead instance may keep receiving payments, and a replaced one wait before it takes any.
ROTATION_BUDGET_SECONDS = 90


def test_health_check_states_values_elb_accepts(plan):
    for group in plan.resources("aws_lb_target_group"):
        check = group["health_check"]
        for setting, (lowest, highest) in HEALTH_CHECK_RANGES.items():
            assert lowest <= check.get(setting, lowest - 1) <= highest, (group.address, setting)
        assert check["timeout"] < check["interval"], group.address
        assert check.get("protocol") in ("HTTP", "HTTPS"), group.address


def test_instances_enter_and_leave_rotation_within_90_seconds(plan):
    for group in plan.resources("aws_lb_target_group"):
        check = group["health_check"]
        for threshold in ("unhealthy_threshold", "healthy_threshold"):
            assert check[threshold] * check["interval"] <= ROTATION_BUDGET_SECONDS, (group.address, threshold)


def test_alb_logs_land_where_the_log_bucket_admits_the_load_balancer(plan):
    # ELB writes under <prefix>/AWSLogs/<account>/ and checks it may when the ALB is created:
    # a prefix the bucket policy does not grant fails the deploy.
    alb = plan.resources("aws_lb").only()
    logs = alb["access_logs"]
    policy = plan.resources("aws_s3_bucket_policy").where({"bucket": logs["bucket"]}).only()
    granted = [
        statement["Resource"]
        for statement in json.loads(policy["policy"])["Statement"]
        if statement["Effect"] == "Allow" and "AWS" in statement["Principal"] and statement["Action"] == "s3:PutObject"
    ]
    assert logs.get("prefix") and [f"/{logs['prefix']}/AWSLogs/" in resource for resource in granted] == [True]
