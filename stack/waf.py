"""AWS WAF in front of the internet-facing ALB, with its requests logged.

Public-facing web applications need an automated solution that detects and blocks
web-based attacks: AWS's managed rule groups for common exploits, known bad inputs
(Log4j among them), SQL injection and anonymizing networks, evaluated before the ALB
forwards a request.
"""

from __future__ import annotations

from constructs import Construct

from stack.cdk import aws
from stack.naming import Names

# Evaluated in this order; each blocks what it matches.
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    # Anonymizing networks (Tor, VPN exits, hosting providers) are where card-testing bots hide.
    "AWSManagedRulesAnonymousIpList",
)


class Waf(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        names: Names,
        alb: aws.lb.Lb,
        log_group: aws.cloudwatch_log_group.CloudwatchLogGroup,
    ):
        super().__init__(scope, id_)
        name = names["waf"]
        self.web_acl = aws.wafv2_web_acl.Wafv2WebAcl(
            self,
            "waf",
            name=name,
            scope="REGIONAL",
            default_action=aws.wafv2_web_acl.Wafv2WebAclDefaultAction(allow={}),
            rule=[
                aws.wafv2_web_acl.Wafv2WebAclRule(
                    name=group,
                    priority=priority,
                    override_action=aws.wafv2_web_acl.Wafv2WebAclRuleOverrideAction(none={}),
                    statement={"managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}},
                    visibility_config=aws.wafv2_web_acl.Wafv2WebAclRuleVisibilityConfig(
                        cloudwatch_metrics_enabled=True, metric_name=group, sampled_requests_enabled=True
                    ),
                )
                for priority, group in enumerate(MANAGED_RULE_GROUPS)
            ],
            visibility_config=aws.wafv2_web_acl.Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            ),
        )
        aws.wafv2_web_acl_association.Wafv2WebAclAssociation(
            self, "waf-alb", resource_arn=alb.arn, web_acl_arn=self.web_acl.arn
        )
        aws.wafv2_web_acl_logging_configuration.Wafv2WebAclLoggingConfiguration(
            self, "waf-logging", resource_arn=self.web_acl.arn, log_destination_configs=[log_group.arn]
        )
