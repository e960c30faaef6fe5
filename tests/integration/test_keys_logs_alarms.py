"""KMS rotation, log group retention and keys, and the alarms with their encrypted topic."""

from __future__ import annotations

import pytest

from tests.integration.conftest import same


@pytest.mark.controls("CKV_PAY_5", "CKV_AWS_7")
@pytest.mark.parametrize("output", ["data_key_arn", "logs_key_arn", "ebs_key_arn"])
def test_key_rotates(target, output):
    enabled = target.client("kms").get_key_rotation_status(KeyId=target.outputs[output])["KeyRotationEnabled"]
    same(enabled, True, f"automatic rotation of the {output.removesuffix('_arn').replace('_', ' ')}")


@pytest.mark.controls("CKV_PAY_16", "CKV_PAY_3", "CKV_AWS_338", "CKV_AWS_158")
def test_log_groups_keep_events_and_use_the_logs_key(target):
    logs = target.client("logs")
    for planned in target.planned("aws_cloudwatch_log_group"):
        name = target.name(planned)
        found = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
        assert found, f"drift: log group {name} does not exist"
        same(
            (found[0].get("retentionInDays"), found[0].get("kmsKeyId")),
            (planned["retention_in_days"], target.outputs["logs_key_arn"]),
            f"the retention and key of log group {name}",
        )


def test_alarms_notify_the_encrypted_topic(target):
    topic = target.outputs["alarm_topic_arn"]
    alarms = target.client("cloudwatch").describe_alarms(AlarmNames=target.outputs["alarm_names"])["MetricAlarms"]
    same(sorted(a["AlarmName"] for a in alarms), sorted(target.outputs["alarm_names"]), "the alarms")
    planned = {target.name(a, "alarm_name"): a for a in target.planned("aws_cloudwatch_metric_alarm")}
    for alarm in alarms:
        expected = planned[alarm["AlarmName"]]
        same(
            (alarm["MetricName"], alarm["Threshold"], alarm["AlarmActions"]),
            (expected["metric_name"], float(expected["threshold"]), [topic]),
            f"alarm {alarm['AlarmName']}",
        )
    attributes = target.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    same(attributes.get("KmsMasterKeyId"), target.outputs["logs_key_arn"], "the alarm topic's key")
