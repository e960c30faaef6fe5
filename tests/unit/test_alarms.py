"""CloudWatch alarms on the ALB, its targets and the database, sent to an encrypted topic."""

from __future__ import annotations


def test_alarms_watch_alb_targets_and_database(plan):
    alarms = plan.resources("aws_cloudwatch_metric_alarm")
    for metric in ("HTTPCode_ELB_5XX_Count", "UnHealthyHostCount", "CPUUtilization", "FreeStorageSpace"):
        alarms.assert_count(1, {"metric_name": metric})
    topic = plan.resources("aws_sns_topic").only()
    alarms.assert_all({"alarm_actions": [f"${{{topic.address}.arn}}"]})
    assert topic["kms_master_key_id"].startswith("${aws_kms_key.")
