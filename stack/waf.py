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
# Card testing replays many small authorizations from few addresses: block an address past
# 300 requests in 5 minutes (one a second on average, far above a shopper's checkout).
# Limit and window bounds: https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html
RATE_LIMIT_RULE = "RateLimitPerIp"
RATE_LIMIT_REQUESTS = 300
RATE_LIMIT_WINDOW_SECONDS = 300
# Never written to the WAF logs: credentials (the authorization header, session cookies) and the
# query string, where a careless client can put a PAN. Redaction: https://docs.aws.amazon.com/waf/latest/developerguide/logging-management.html
REDACTED_HEADERS = ("authorization", "cookie")


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
                _rate_limit_rule(),
                *(
                    aws.wafv2_web_acl.Wafv2WebAclRule(
                        name=group,
                        priority=priority,
                        override_action=aws.wafv2_web_acl.Wafv2WebAclRuleOverrideAction(none={}),
                        statement={"managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}},
                        visibility_config=aws.wafv2_web_acl.Wafv2WebAclRuleVisibilityConfig(
                            cloudwatch_metrics_enabled=True, metric_name=group, sampled_requests_enabled=True
                        ),
                    )
                    for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1)
                ),
            ],
            visibility_config=aws.wafv2_web_acl.Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            ),
        )
        aws.wafv2_web_acl_association.Wafv2WebAclAssociation(
            self, "waf-alb", resource_arn=alb.arn, web_acl_arn=self.web_acl.arn
        )
        aws.wafv2_web_acl_logging_configuration.Wafv2WebAclLoggingConfiguration(
            self,
            "waf-logging",
            resource_arn=self.web_acl.arn,
            log_destination_configs=[log_group.arn],
            redacted_fields=[
                *(
                    aws.wafv2_web_acl_logging_configuration.Wafv2WebAclLoggingConfigurationRedactedFields(
                        single_header={"name": header}
                    )
                    for header in REDACTED_HEADERS
                ),
                aws.wafv2_web_acl_logging_configuration.Wafv2WebAclLoggingConfigurationRedactedFields(query_string={}),
            ],
        )


def _rate_limit_rule() -> aws.wafv2_web_acl.Wafv2WebAclRule:
    """Evaluated first: an address over the limit is blocked before any managed rule is paid for."""
    return aws.wafv2_web_acl.Wafv2WebAclRule(
        name=RATE_LIMIT_RULE,
        priority=0,
        action=aws.wafv2_web_acl.Wafv2WebAclRuleAction(block={}),
        statement={
            "rate_based_statement": {
                "limit": RATE_LIMIT_REQUESTS,
                "evaluation_window_sec": RATE_LIMIT_WINDOW_SECONDS,
                "aggregate_key_type": "IP",
            }
        },
        visibility_config=aws.wafv2_web_acl.Wafv2WebAclRuleVisibilityConfig(
            cloudwatch_metrics_enabled=True, metric_name=RATE_LIMIT_RULE, sampled_requests_enabled=True
        ),
    )
