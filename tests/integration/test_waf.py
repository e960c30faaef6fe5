"""The WAF web ACL on the load balancer: its managed rule groups and request logging."""

from __future__ import annotations

import pytest

from stack.contract import Output
from tests.integration.conftest import same


@pytest.mark.controls("CKV2_AWS_28", "CKV2_AWS_76", "CKV2_AWS_31")
def test_waf_protects_the_load_balancer_and_logs_requests(target):
    waf = target.client("wafv2")
    acl = waf.get_web_acl_for_resource(ResourceArn=target.outputs[Output.ALB_ARN]).get("WebACL")
    assert acl, "drift: the WAF web ACL is no longer associated with the load balancer"
    same(acl["ARN"], target.outputs[Output.WEB_ACL_ARN], "the load balancer's WAF web ACL")
    (planned,) = target.planned("aws_wafv2_web_acl")
    groups = [rule["Statement"]["ManagedRuleGroupStatement"]["Name"] for rule in acl["Rules"]]
    same(groups, [rule["name"] for rule in planned["rule"]], "the WAF's managed rule groups")
    logging = waf.get_logging_configuration(ResourceArn=acl["ARN"])["LoggingConfiguration"]
    destinations = [arn.split(":log-group:")[1].removesuffix(":*") for arn in logging["LogDestinationConfigs"]]
    same(destinations, [target.outputs[Output.WAF_LOG_GROUP]], "the WAF's log destination")
