"""The alarms, as the plan declares them, and their encrypted topic."""

from __future__ import annotations

from stack.contract import Output
from tests.integration.conftest import same


def test_alarms_notify_the_encrypted_topic(target):
    topic = target.outputs[Output.ALARM_TOPIC_ARN]
    alarms = target.client("cloudwatch").describe_alarms(AlarmNames=target.outputs[Output.ALARM_NAMES])["MetricAlarms"]
    same(sorted(a["AlarmName"] for a in alarms), sorted(target.outputs[Output.ALARM_NAMES]), "the alarms")
    planned = {target.name(a, "alarm_name"): a for a in target.planned("aws_cloudwatch_metric_alarm")}
    for alarm in alarms:
        expected = planned[alarm["AlarmName"]]
        same(
            (alarm["MetricName"], alarm["Threshold"], alarm["AlarmActions"]),
            (expected["metric_name"], float(expected["threshold"]), [topic]),
            f"alarm {alarm['AlarmName']}",
        )
    attributes = target.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    same(attributes.get("KmsMasterKeyId"), target.outputs[Output.LOGS_KEY_ARN], "the alarm topic's key")
