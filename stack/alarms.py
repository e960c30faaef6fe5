"""Alarms that reach people: availability and failures of security controls, sent to an encrypted topic.

Metric alarms watch what breaks payments first and log delivery going quiet; EventBridge
rules catch a security control being switched off or weakened (the API calls of
`stack/tamper.py`, one rule per resource family) and what happens to the database. All
notify one topic, encrypted with the logs key, to which the configured addresses are subscribed.

The tamper rules match the events CloudTrail delivers to EventBridge: they depend on a trail
logging this region's management events (an organization trail does), which this stack does
not create. RDS sends its instance events to EventBridge itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from constructs import Construct

from stack.cdk import aws
from stack.config import Config
from stack.naming import Names
from stack.policy_documents import account_root, document
from stack.tamper import (
    CLOUDTRAIL_API_CALL,
    DB_EVENT_CATEGORIES,
    EVENT_RULE,
    RDS_INSTANCE_EVENT,
    TAMPER_WATCHES,
    TamperWatch,
)

FREE_STORAGE_FLOOR_BYTES = 5 * 1024**3
HOUR = 3600
# Missing data is a failure unless the metric is published only when something happens:
# ELB publishes its count metrics (5xx) only for periods with a non-zero value
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
# A dead fleet, a stopped database or a log source that stopped delivering sends nothing,
# and must not read as healthy.
BREACHING = "breaching"
NOT_BREACHING = "notBreaching"


@dataclass(frozen=True)
class AlarmSpec:
    resource: str
    namespace: str
    metric: str
    statistic: str
    comparison: str
    threshold: float
    meaning: str  # what the on-call engineer should understand; the description states the condition first
    subject: str  # whose dimensions: "alb", "target_group", "database", a log group key
    missing_data: str = BREACHING
    evaluation_periods: int = 1
    period: int = 300


AVAILABILITY = (
    AlarmSpec(
        "alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        "Sum",
        "GreaterThanThreshold",
        10,
        "the load balancer answers with errors of its own",
        "alb",
        missing_data=NOT_BREACHING,
    ),
    AlarmSpec(
        "unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        "Maximum",
        "GreaterThanThreshold",
        0,
        "at least one application instance fails its health check",
        "target_group",
    ),
    AlarmSpec(
        "db-cpu",
        "AWS/RDS",
        "CPUUtilization",
        "Average",
        "GreaterThanThreshold",
        80,
        "the database is overloaded",
        "database",
        evaluation_periods=3,
    ),
    AlarmSpec(
        "db-storage",
        "AWS/RDS",
        "FreeStorageSpace",
        "Minimum",
        "LessThanThreshold",
        FREE_STORAGE_FLOOR_BYTES,
        "the database runs out of storage",
        "database",
    ),
)
# Only where the fleet never scales to zero (prod): otherwise every night would page someone.
NO_HEALTHY_HOSTS = AlarmSpec(
    "no-healthy-hosts",
    "AWS/ApplicationELB",
    "HealthyHostCount",
    "Minimum",
    "LessThanThreshold",
    1,
    "no application instance is healthy: the fleet is dead",
    "target_group",
)
# Flow logs always carry traffic (NAT, health checks), an internet-facing ALB always meets
# requests, and the database logs every connection (RDS's own rdsadmin connects every few
# minutes) and its checkpoints beside pgaudit's writes: an hour without a log event means
# delivery failed or logging was switched off. (The upgrade log is written only on a major
# upgrade: no alarm.) Group -> what it is, as the notification names it; the database's
# names the instance, which also ties the alarm to it in the plan (CKV2_PAY_71).
QUIET_LOG_GROUPS = {
    "flow-logs": "the VPC's flow log",
    "waf-logs": "the WAF's log",
    "postgresql": "the PostgreSQL log (connections, pgaudit) of database {database}",
}
LOG_DELIVERY = tuple(
    AlarmSpec(
        f"{group}-quiet",
        "AWS/Logs",
        "IncomingLogEvents",
        "Sum",
        "LessThanThreshold",
        1,
        f"{what} received nothing: delivery failed or logging stopped",
        group,
        period=HOUR,
    )
    for group, what in QUIET_LOG_GROUPS.items()
)

# How a threshold reads in a notification: bytes as GiB, utilisation as a percentage.
DISPLAY_UNITS = {"FreeStorageSpace": (" GiB", 1024**3), "CPUUtilization": ("%", 1)}


def condition(spec: AlarmSpec) -> str:
    """What fires the alarm, as the notification states it: 'CPUUtilization above 80% over 15 minutes'."""
    unit, scale = DISPLAY_UNITS.get(spec.metric, ("", 1))
    side = "below" if spec.comparison.startswith("LessThan") else "above"
    window = _duration(spec.period * spec.evaluation_periods)
    return f"{spec.metric} {side} {spec.threshold / scale:g}{unit} over {window}"


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, HOUR)
    if rest:
        return f"{seconds // 60} minutes"
    return "an hour" if hours == 1 else f"{hours} hours"


def tamper_pattern(watch: TamperWatch, resources: list) -> dict:
    """The event pattern of one watch: its service's API calls, on the stack's resources where it is scoped.

    Two request parameters naming the resource (a log group's name or ARN) are alternatives: `$or`.
    """
    detail: dict = {"eventSource": [watch.event_source], "eventName": list(watch.apis)}
    values: dict[str, list[str]] = {}
    for scope in watch.scopes:
        values.setdefault(scope.parameter, []).extend(getattr(resource, scope.attribute) for resource in resources)
    branches = [{"requestParameters": {parameter: named}} for parameter, named in values.items()]
    if len(branches) == 1:
        detail |= branches[0]
    elif branches:
        detail["$or"] = branches
    return {"source": [watch.source], "detail-type": [CLOUDTRAIL_API_CALL], "detail": detail}


def tamper_description(watch: TamperWatch, named: list[str]) -> str:
    """What the rule means; a rule that watches the whole region also names the stack's resources it protects."""
    if watch.scopes:
        return watch.meaning
    return f"{watch.meaning}; the stack's: {', '.join(named)}"


class Alarms(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: Config,
        names: Names,
        account_id: str,
        key: aws.kms_key.KmsKey,
        alb: aws.lb.Lb,
        target_group: aws.lb_target_group.LbTargetGroup,
        database: aws.db_instance.DbInstance,
        log_groups: dict[str, aws.cloudwatch_log_group.CloudwatchLogGroup],
        watched: dict[str, list],
    ):
        """`log_groups`: every group of the stack by naming key; `watched`: the resources the tamper
        watches protect, by plan type (`aws_kms_key`: the keys), but for the alarm path's, made here;
        a type missing is a wiring error (KeyError)."""
        super().__init__(scope, id_)
        self._names = names
        self._database = database
        self.topic = aws.sns_topic.SnsTopic(self, "alarms", name=names["alarms"], kms_master_key_id=key.arn)
        self.subscriptions = [
            aws.sns_topic_subscription.SnsTopicSubscription(
                self, f"alarm-email-{index}", topic_arn=self.topic.arn, protocol="email", endpoint=email
            )
            for index, email in enumerate(config.alarm_emails)
        ]
        dimensions = {
            "alb": {"LoadBalancer": alb.arn_suffix},
            "target_group": {"LoadBalancer": alb.arn_suffix, "TargetGroup": target_group.arn_suffix},
            "database": {"DBInstanceIdentifier": database.identifier},
            **{group: {"LogGroupName": log_groups[group].name} for group in QUIET_LOG_GROUPS},
        }
        specs = (*AVAILABILITY, *((NO_HEALTHY_HOSTS,) if config.fleet_always_on else ()), *LOG_DELIVERY)
        self.alarms = [self._alarm(spec, dimensions[spec.subject]) for spec in specs]
        watched = {**watched, "aws_cloudwatch_metric_alarm": self.alarms, "aws_sns_topic": [self.topic]}
        patterns = {
            **{
                watch.rule: (
                    tamper_description(watch, self._protected(watch, watched)),
                    tamper_pattern(watch, watched.get(watch.resource_type, [])),
                )
                for watch in TAMPER_WATCHES
            },
            "db-failures": (
                "The database failed, failed over, runs out of storage, had its configuration changed, "
                "underwent maintenance, was deleted or raised a security event",
                {
                    "source": ["aws.rds"],
                    "detail-type": [RDS_INSTANCE_EVENT],
                    "detail": {"SourceIdentifier": [database.identifier], "EventCategories": list(DB_EVENT_CATEGORIES)},
                },
            ),
        }
        self.rules = [self._rule(resource, *described) for resource, described in patterns.items()]
        aws.sns_topic_policy.SnsTopicPolicy(
            self, "alarms-policy", arn=self.topic.arn, policy=self._topic_policy(config.region, account_id)
        )

    def _protected(self, watch: TamperWatch, watched: dict[str, list]) -> list[str]:
        """How a watch's description names the stack's resources; the rules, which cannot name themselves,
        by the pattern all their names follow."""
        if watch.resource_type == EVENT_RULE:
            return [self._names.pattern("event_rule")]
        return [getattr(resource, watch.named_by) for resource in watched[watch.resource_type]]

    def _alarm(self, spec: AlarmSpec, dimensions: dict[str, str]) -> aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm:
        return aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm(
            self,
            spec.resource,
            alarm_name=self._names[spec.resource],
            alarm_description=f"{condition(spec)}: {spec.meaning.format(database=self._database.identifier)}",
            namespace=spec.namespace,
            metric_name=spec.metric,
            statistic=spec.statistic,
            comparison_operator=spec.comparison,
            threshold=spec.threshold,
            period=spec.period,
            evaluation_periods=spec.evaluation_periods,
            treat_missing_data=spec.missing_data,
            dimensions=dimensions,
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
        )

    def _rule(self, resource: str, description: str, pattern: dict) -> aws.cloudwatch_event_rule.CloudwatchEventRule:
        rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
            self, resource, name=self._names[resource], description=description, event_pattern=json.dumps(pattern)
        )
        aws.cloudwatch_event_target.CloudwatchEventTarget(
            self, f"{resource}-target", rule=rule.name, arn=self.topic.arn, target_id="alarm-topic"
        )
        return rule

    def _topic_policy(self, region: str, account_id: str) -> str:
        """The account manages the topic; CloudWatch and EventBridge publish for its own alarms and rules only.

        The account's statement also conditions on the caller's account: the same grant, stated so that a
        reader (and checkov's CKV_AWS_385) sees no cross-account access in a specific principal without one.
        """

        def publishes(sid: str, service: str, condition: dict) -> dict:
            return {
                "Sid": sid,
                "Effect": "Allow",
                "Principal": {"Service": f"{service}.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": self.topic.arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}, **condition},
            }

        return document(
            {
                "Sid": "AccountManagesTopic",
                "Effect": "Allow",
                "Principal": {"AWS": account_root(account_id)},
                "Action": [
                    "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes",
                    "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic",
                    "sns:Publish",
                ],
                "Resource": self.topic.arn,
                "Condition": {"StringEquals": {"aws:PrincipalAccount": account_id}},
            },
            publishes(
                "CloudWatchAlarmsPublish",
                "cloudwatch",
                {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{region}:{account_id}:alarm:*"}},
            ),
            publishes(
                "EventBridgeRulesPublish", "events", {"ArnEquals": {"aws:SourceArn": [r.arn for r in self.rules]}}
            ),
        )
