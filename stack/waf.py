"""AWS WAF in front of the internet-facing ALB, with its requests logged.

Public-facing web applications need an automated solution that detects and blocks
web-based attacks: AWS's managed rule groups for common exploits, known bad inputs
(Log4j among them), SQL injection and anonymizing networks, evaluated before the ALB
forwards a request.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.lb import Lb
from cdktf_cdktf_provider_aws.wafv2_web_acl import (
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclRule,
    Wafv2WebAclRuleOverrideAction,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from cdktf_cdktf_provider_aws.wafv2_web_acl_association import Wafv2WebAclAssociation
from cdktf_cdktf_provider_aws.wafv2_web_acl_logging_configuration import Wafv2WebAclLoggingConfiguration
from constructs import Construct

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
    def __init__(self, scope: Construct, id_: str, *, names: Names, alb: Lb, log_group: CloudwatchLogGroup):
        super().__init__(scope, id_)
        name = names["waf"]
        self.web_acl = Wafv2WebAcl(
            self,
            "waf",
            name=name,
            scope="REGIONAL",
            default_action=Wafv2WebAclDefaultAction(allow={}),
            rule=[
                Wafv2WebAclRule(
                    name=group,
                    priority=priority,
                    override_action=Wafv2WebAclRuleOverrideAction(none={}),
                    statement={"managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}},
                    visibility_config=Wafv2WebAclRuleVisibilityConfig(
                        cloudwatch_metrics_enabled=True, metric_name=group, sampled_requests_enabled=True
                    ),
                )
                for priority, group in enumerate(MANAGED_RULE_GROUPS)
            ],
            visibility_config=Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            ),
        )
        Wafv2WebAclAssociation(self, "waf-alb", resource_arn=alb.arn, web_acl_arn=self.web_acl.arn)
        Wafv2WebAclLoggingConfiguration(
            self, "waf-logging", resource_arn=self.web_acl.arn, log_destination_configs=[log_group.arn]
        )
