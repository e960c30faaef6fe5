"""The WAF web ACL on the load balancer: its rate limit, managed rule groups and redacted request logging."""

from __future__ import annotations

import pytest

from stack.contract import Output
from tests.integration.conftest import same


@pytest.fixture(scope="module")
def web_acl(target) -> dict:
    acl = target.client("wafv2").get_web_acl_for_resource(ResourceArn=target.outputs[Output.ALB_ARN]).get("WebACL")
    assert acl, "drift: the WAF web ACL is no longer associated with the load balancer"
    return acl


@pytest.fixture(scope="module")
def planned(target) -> dict:
    (acl,) = target.planned("aws_wafv2_web_acl")
    return acl


def _by_priority(rules: list[dict], key: str) -> list[dict]:
    return sorted(rules, key=lambda rule: rule[key])


@pytest.mark.controls("CKV2_AWS_28", "CKV2_AWS_76", "CKV2_AWS_31")
def test_waf_protects_the_load_balancer_and_logs_requests(target, web_acl, planned):
    same(web_acl["ARN"], target.outputs[Output.WEB_ACL_ARN], "the load balancer's WAF web ACL")
    same(
        [rule["Name"] for rule in _by_priority(web_acl["Rules"], "Priority")],
        [rule["name"] for rule in _by_priority(planned["rule"], "priority")],
        "the WAF's rules, in order",
    )
    logging = target.client("wafv2").get_logging_configuration(ResourceArn=web_acl["ARN"])["LoggingConfiguration"]
    destinations = [arn.split(":log-group:")[1].removesuffix(":*") for arn in logging["LogDestinationConfigs"]]
    same(destinations, [target.outputs[Output.WAF_LOG_GROUP]], "the WAF's log destination")


@pytest.mark.controls("CKV_PAY_25")
def test_waf_blocks_addresses_past_the_rate_limit(web_acl, planned):
    (rule,) = [rule for rule in planned["rule"] if "rate_based_statement" in rule["statement"]]
    limit = rule["statement"]["rate_based_statement"]
    live = {found["Name"]: found for found in web_acl["Rules"]}.get(rule["name"], {})
    statement = live.get("Statement", {}).get("RateBasedStatement", {})
    same(
        ("Block" in live.get("Action", {}), statement.get("Limit"), statement.get("AggregateKeyType")),
        (True, limit["limit"], limit["aggregate_key_type"]),
        "the WAF's rate limit (blocks, requests per window, per what)",
    )


def _hidden(fields: list[dict], header: str, name: str, query: str) -> set[str]:
    """What redacted fields hide, as 'header <name>' and 'query string', in the API's or the plan's spelling."""
    headers = {f"header {field[header][name].lower()}" for field in fields if header in field}
    return headers | ({"query string"} if any(query in field for field in fields) else set())


@pytest.mark.controls("CKV_PAY_26")
def test_waf_logs_redact_credentials_and_the_query_string(target, web_acl):
    logging = target.client("wafv2").get_logging_configuration(ResourceArn=web_acl["ARN"])["LoggingConfiguration"]
    (planned,) = target.planned("aws_wafv2_web_acl_logging_configuration")
    same(
        _hidden(logging.get("RedactedFields", []), "SingleHeader", "Name", "QueryString"),
        _hidden(planned["redacted_fields"], "single_header", "name", "query_string"),
        "the fields the WAF's logs redact",
    )
