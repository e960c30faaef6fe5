"""AWS WAF on the ALB: managed rule groups, the association, request logging."""

from __future__ import annotations

from tap.plan import Match


def test_alb_is_protected_by_waf_with_managed_rules_and_logging(plan):
    acl = plan.resources("aws_wafv2_web_acl").only()
    groups = {rule["statement"]["managed_rule_group_statement"]["name"] for rule in acl["rule"]}
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
