"""The alarms and event rules as the plan declares them, their encrypted topic and who it reaches."""

from __future__ import annotations

import json

import pytest

from stack.contract import Output
from tests.integration.conftest import same


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
        rule = events.describe_rule(Name=name)
        targets = [t["Arn"] for t in events.list_targets_by_rule(Rule=name)["Targets"]]
        pattern = json.loads(rule.get("EventPattern", "{}"))
        same(
            (rule["State"], pattern.get("source"), pattern.get("detail-type"), targets),
            ("ENABLED", *_planned_source(planned[name]), [target.outputs[Output.ALARM_TOPIC_ARN]]),
            f"event rule {name} (state, sources, event types, target)",
        )


def _planned_source(rule) -> tuple[list[str], list[str]]:
    pattern = json.loads(rule["event_pattern"])
    return pattern["source"], pattern["detail-type"]
