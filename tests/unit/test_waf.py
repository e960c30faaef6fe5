"""AWS WAF on the ALB: a rate limit, managed rule groups, the association, request logging with redaction."""

from __future__ import annotations

from tap.plan import Match


def test_alb_is_protected_by_waf_with_managed_rules_and_logging(plan):
    acl = plan.resources("aws_wafv2_web_acl").only()
    groups = {
        rule["statement"]["managed_rule_group_statement"]["name"]
        for rule in acl["rule"]
        if "managed_rule_group_statement" in rule["statement"]
    }
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= groups
    alb = plan.resources("aws_lb").only()
    plan.resources("aws_wafv2_web_acl_association").assert_count(
        1,
        {"resource_arn": Match.reference_to(alb.address, "arn"), "web_acl_arn": Match.reference_to(acl.address, "arn")},
    )
    log_group = plan.resources("aws_cloudwatch_log_group", under="logs/waf-logs").only()
    assert log_group["name"].startswith("aws-waf-logs-")
    plan.resources("aws_wafv2_web_acl_logging_configuration").assert_count(
        1, {"log_destination_configs": [Match.reference_to(log_group.address, "arn")]}
    )


def test_waf_blocks_an_address_past_the_rate_limit_before_any_managed_rule(plan):
    acl = plan.resources("aws_wafv2_web_acl").only()
    first = min(acl["rule"], key=lambda rule: rule["priority"])
    assert first["action"] == {"block": {}}
    limit = first["statement"]["rate_based_statement"]
    assert limit["aggregate_key_type"] == "IP" and 10 <= limit["limit"] <= 1000, limit
    # WAF counts requests over 1, 2, 5 or 10 minutes: another window fails the deploy.
    assert limit.get("evaluation_window_sec", 300) in (60, 120, 300, 600), limit
    priorities = [rule["priority"] for rule in acl["rule"]]
    assert min(priorities) >= 0 and len(set(priorities)) == len(priorities), priorities


def test_waf_logs_redact_credentials_and_the_query_string(plan):
    logging = plan.resources("aws_wafv2_web_acl_logging_configuration").only()
    redacted = logging["redacted_fields"]
    assert {field["single_header"]["name"] for field in redacted if "single_header" in field} == {
        "authorization",
        "cookie",
    }
    assert {"query_string": {}} in redacted


MANAGED_GROUPS = {
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",  # a payment form's fields are where SQL injection is tried
    "AWSManagedRulesAnonymousIpList",  # card testing comes through proxies and anonymizers
}


def test_waf_runs_every_managed_group_and_each_rule_reports_what_it_blocks(plan):
    # The "WAF blocking gone quiet" alarm and an investigation both need each rule's metrics and samples.
    acl = plan.resources("aws_wafv2_web_acl").only()
    groups = {
        rule["statement"]["managed_rule_group_statement"]["name"]
        for rule in acl["rule"]
        if "managed_rule_group_statement" in rule["statement"]
    }
    assert groups == MANAGED_GROUPS
    for config in [acl["visibility_config"], *(rule["visibility_config"] for rule in acl["rule"])]:
        assert config["cloudwatch_metrics_enabled"] is True and config["sampled_requests_enabled"] is True, config
