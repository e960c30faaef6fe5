"""CloudWatch alarms on what breaks payments first, notified through an encrypted topic."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from stack.cdk import aws
from stack.naming import Names

FREE_STORAGE_FLOOR_BYTES = 5 * 1024**3


@dataclass(frozen=True)
class AlarmSpec:
    resource: str
    namespace: str
    metric: str
    statistic: str
    comparison: str
    threshold: float
    description: str
    evaluation_periods: int = 1
    per_target_group: bool = False


ALARMS = (
    AlarmSpec(
        "alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        "Sum",
        "GreaterThanThreshold",
        10,
        "The load balancer returned more than 10 5xx responses in 5 minutes",
    ),
    AlarmSpec(
        "unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        "Maximum",
        "GreaterThanThreshold",
        0,
        "At least one application instance fails its health check",
        per_target_group=True,
    ),
    AlarmSpec(
        "db-cpu",
        "AWS/RDS",
        "CPUUtilization",
        "Average",
        "GreaterThanThreshold",
        80,
        "Database CPU above 80% for 15 minutes",
        evaluation_periods=3,
    ),
    AlarmSpec(
        "db-storage",
        "AWS/RDS",
        "FreeStorageSpace",
        "Minimum",
        "LessThanThreshold",
        FREE_STORAGE_FLOOR_BYTES,
        "Database free storage below 5 GiB",
    ),
)


class Alarms(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        names: Names,
        key: aws.kms_key.KmsKey,
        alb: aws.lb.Lb,
        target_group: aws.lb_target_group.LbTargetGroup,
        database: aws.db_instance.DbInstance,
    ):
        super().__init__(scope, id_)
        self.topic = aws.sns_topic.SnsTopic(self, "alarms", name=names["alarms"], kms_master_key_id=key.arn)
        dimensions = {
            "AWS/ApplicationELB": {"LoadBalancer": alb.arn_suffix},
            "AWS/RDS": {"DBInstanceIdentifier": database.identifier},
        }
        target_dimensions = {"TargetGroup": target_group.arn_suffix}
        self.alarms = [
            aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm(
                self,
                spec.resource,
                alarm_name=names[spec.resource],
                alarm_description=spec.description,
                namespace=spec.namespace,
                metric_name=spec.metric,
                statistic=spec.statistic,
                comparison_operator=spec.comparison,
                threshold=spec.threshold,
                period=300,
                evaluation_periods=spec.evaluation_periods,
                treat_missing_data="notBreaching",
                dimensions={
                    **dimensions[spec.namespace],
                    **(target_dimensions if spec.per_target_group else {}),
                },
                alarm_actions=[self.topic.arn],
                ok_actions=[self.topic.arn],
            )
            for spec in ALARMS
        ]
