"""The ALB: internet-facing and logged, HTTPS on TLS 1.3, HTTP only redirecting, health-checked targets."""

from __future__ import annotations

from tap.plan import Match


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
    assert config.tls_policy.startswith("ELBSecurityPolicy-TLS13-")


def test_http_listener_only_redirects_to_https(plan):
    http = plan.resources("aws_lb_listener").where({"port": 80}).only()
    (action,) = http["default_action"]
    assert action == {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}


def test_target_group_has_a_health_check(plan, config):
    plan.resources("aws_lb_target_group").assert_all(
        {"port": config.app_port, "health_check": {"enabled": True, "path": Match.any_value(), "matcher": "200"}}
    )
