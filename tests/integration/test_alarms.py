"""The alarms and event rules as the plan declares them, their encrypted topic and who it reaches."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from stack.contract import Output
from tests.integration.conftest import Target, same

REFERENCE = re.compile(r"\$\{(\w+)\.([\w-]+)\.(\w+)\}")


@pytest.mark.controls("CKV_PAY_29")
def test_alarms_notify_the_encrypted_topic(target):
    topic = target.outputs[Output.ALARM_TOPIC_ARN]
    alarms = target.client("cloudwatch").describe_alarms(AlarmNames=target.outputs[Output.ALARM_NAMES])["MetricAlarms"]
    same(sorted(a["AlarmName"] for a in alarms), sorted(target.outputs[Output.ALARM_NAMES]), "the alarms")
    planned = {target.name(a, "alarm_name"): a for a in target.planned("aws_cloudwatch_metric_alarm")}
    for alarm in alarms:
        expected = planned[alarm["AlarmName"]]
        # An alarm whose actions are disabled still changes state, and tells nobody.
        same(
            (
                alarm["MetricName"],
                alarm["Threshold"],
                alarm["AlarmActions"],
                alarm.get("ActionsEnabled"),
                alarm.get("TreatMissingData"),
            ),
            (expected["metric_name"], float(expected["threshold"]), [topic], True, expected["treat_missing_data"]),
            f"alarm {alarm['AlarmName']} (metric, threshold, actions, actions enabled, missing data)",
        )
    attributes = target.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    same(attributes.get("KmsMasterKeyId"), target.outputs[Output.LOGS_KEY_ARN], "the alarm topic's key")
    statements = {s.get("Sid"): s for s in json.loads(attributes.get("Policy", "{}")).get("Statement", [])}
    account = target.client("sts").get_caller_identity()["Account"]
    same(
        {
            sid: (s["Principal"]["Service"], s.get("Condition", {}).get("StringEquals", {}).get("aws:SourceAccount"))
            for sid, s in statements.items()
            if "Service" in s["Principal"]
        },
        {
            "CloudWatchAlarmsPublish": ("cloudwatch.amazonaws.com", account),
            "EventBridgeRulesPublish": ("events.amazonaws.com", account),
        },
        "the services the alarm topic's policy lets publish, and for which account",
    )


@pytest.mark.controls("CKV2_PAY_10")
def test_alarm_topic_reaches_the_configured_addresses(target):
    found = target.client("sns").list_subscriptions_by_topic(TopicArn=target.outputs[Output.ALARM_TOPIC_ARN])
    same(
        sorted((s["Protocol"], s["Endpoint"]) for s in found["Subscriptions"]),
        sorted((s["protocol"], s["endpoint"]) for s in target.planned("aws_sns_topic_subscription")),
        "the alarm topic's subscriptions",
    )


@pytest.mark.controls("CKV2_PAY_10")
def test_security_control_failures_reach_the_topic(target):
    events = target.client("events")
    planned = {target.name(rule): rule for rule in target.planned("aws_cloudwatch_event_rule")}
    same(sorted(target.outputs[Output.EVENT_RULE_NAMES]), sorted(planned), "the event rules")
    for name in target.outputs[Output.EVENT_RULE_NAMES]:
        rule = _described_rule(events, name)
        targets = [t["Arn"] for t in events.list_targets_by_rule(Rule=name)["Targets"]]
        pattern = json.loads(rule.get("EventPattern", "{}"))
        same(
            (rule["State"], pattern.get("source"), pattern.get("detail-type"), targets),
            ("ENABLED", *_planned_source(planned[name]), [target.outputs[Output.ALARM_TOPIC_ARN]]),
            f"event rule {name} (state, sources, event types, target)",
        )


def _described_rule(events, name: str) -> dict:
    """The rule as the account describes it; a rule deleted out of band is a drift, named."""
    try:
        return events.describe_rule(Name=name)
    except events.exceptions.ResourceNotFoundException:
        raise AssertionError(f"drift: event rule {name} is not in the account") from None


def _planned_source(rule) -> tuple[list[str], list[str]]:
    pattern = json.loads(rule["event_pattern"])
    return pattern["source"], pattern["detail-type"]


@pytest.mark.controls("CKV_PAY_70", "CKV2_PAY_70", "CKV_PAY_71", "CKV2_PAY_72")
def test_every_event_rule_matches_what_the_plan_declares(target):
    # Every API call and event category the plan names, on exactly the stack's keys, log groups, buckets,
    # load balancer and database: a call dropped from a rule, or a resource from its scope, notifies nobody.
    events, live = target.client("events"), LiveReferences(target)
    for rule in target.planned("aws_cloudwatch_event_rule"):
        name = target.name(rule)
        found = json.loads(_described_rule(events, name).get("EventPattern", "{}"))
        expected = live.filled(json.loads(rule["event_pattern"]))
        same(_by_meaning(found), _by_meaning(expected), f"the pattern of event rule {name}")


@pytest.mark.controls("CKV2_PAY_71")
def test_every_alarm_watches_the_planned_resource(target):
    # An alarm moved to another log group (the upgrade log, which is quiet by nature) or another database
    # still has actions and a threshold: it watches the wrong thing.
    live = LiveReferences(target)
    alarms = target.client("cloudwatch").describe_alarms(AlarmNames=target.outputs[Output.ALARM_NAMES])["MetricAlarms"]
    planned = {target.name(a, "alarm_name"): a for a in target.planned("aws_cloudwatch_metric_alarm")}
    for alarm in alarms:
        expected = live.filled(planned[alarm["AlarmName"]]["dimensions"])
        found = {dimension["Name"]: dimension["Value"] for dimension in alarm.get("Dimensions", [])}
        same(found, expected, f"the dimensions of alarm {alarm['AlarmName']}")


class LiveReferences:
    """A plan's `${type.name.attribute}` references as the account holds them: from the outputs that
    declare them, or derived from a declared attribute of the same resource."""

    # (type, attribute) -> (the declared attribute it follows from, how)
    DERIVED: dict[tuple[str, str], tuple[str, Callable[[Target, str], str]]] = {
        ("aws_kms_key", "key_id"): ("arn", lambda target, arn: arn.rsplit("/", 1)[1]),
        ("aws_lb", "arn_suffix"): ("arn", lambda target, arn: arn.split(":loadbalancer/", 1)[1]),
        ("aws_lb_target_group", "arn_suffix"): ("arn", lambda target, arn: arn.rsplit(":", 1)[1]),
        ("aws_cloudwatch_log_group", "arn"): ("name", lambda target, name: _log_group_arn(target, name)),
    }

    def __init__(self, target: Target):
        self._target = target
        self._declared = {
            reference: value
            for name, planned in target.plan.outputs.items()
            for reference, value in zip(_as_list(planned), _as_list(target.outputs[name]), strict=True)
            if isinstance(reference, str) and REFERENCE.fullmatch(reference)
        }

    def value(self, type_: str, name: str, attribute: str) -> str:
        reference = f"${{{type_}.{name}.{attribute}}}"
        if reference in self._declared:
            return self._declared[reference]
        source, derive = self.DERIVED.get((type_, attribute), (None, None))
        assert derive, f"the live suite cannot tell the account's value of {reference}: no output declares it"
        return derive(self._target, self.value(type_, name, source))

    def filled(self, planned: Any) -> Any:
        """The planned value with every reference and the deployment suffix as the account has them."""
        if isinstance(planned, dict):
            return {key: self.filled(item) for key, item in planned.items()}
        if isinstance(planned, list):
            return [self.filled(item) for item in planned]
        if isinstance(planned, str):
            return self._target.live(REFERENCE.sub(lambda match: self.value(*match.groups()), planned))
        return planned


def _log_group_arn(target: Target, name: str) -> str:
    groups = target.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    arns = [group["logGroupArn"] for group in groups if group["logGroupName"] == name]
    assert arns, f"drift: log group {name} is missing from the account"
    return arns[0]


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _by_meaning(pattern: Any) -> Any:
    """An event pattern with its value lists sorted: EventBridge matches them as sets."""
    if isinstance(pattern, dict):
        return {key: _by_meaning(item) for key, item in pattern.items()}
    if isinstance(pattern, list):
        items = [_by_meaning(item) for item in pattern]
        return sorted(items, key=json.dumps)
    return pattern
