"""Monitoring mutants: alarms, event rules, log groups and their data protection, the alarm topic and its
subscriptions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Case, Scope, call, first_of_kind

ANOTHER_ACCOUNT = "111122223333"  # AWS's documentation account: anyone's but ours
ALARM = "aws_cloudwatch_metric_alarm"
RULE = "aws_cloudwatch_event_rule"
TARGET = "aws_cloudwatch_event_target"
LOG_GROUP = "aws_cloudwatch_log_group"
DATA_PROTECTION = "aws_cloudwatch_log_data_protection_policy"
TOPIC = "aws_sns_topic"
TOPIC_POLICY = "aws_sns_topic_policy"
SUBSCRIPTION = "aws_sns_topic_subscription"
OPPOSITE = {
    "GreaterThanThreshold": "LessThanThreshold",
    "LessThanThreshold": "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold": "LessThanOrEqualToThreshold",
    "LessThanOrEqualToThreshold": "GreaterThanOrEqualToThreshold",
}
# An alarm's settings changed one at a time: (field, operator, Terraform attribute, the other value from the alarm).
ALARM_CHANGES = (
    ("AlarmDescription", "swap", "alarm_description", lambda alarm: "an alarm of another purpose"),
    ("ComparisonOperator", "swap", "comparison_operator", lambda alarm: OPPOSITE[alarm["ComparisonOperator"]]),
    (
        "Dimensions",
        "swap",
        "dimensions",
        lambda alarm: [{**dimension, "Value": "mutant-elsewhere"} for dimension in alarm["Dimensions"]],
    ),
    ("EvaluationPeriods", "larger", "evaluation_periods", lambda alarm: alarm["EvaluationPeriods"] * 10),
    ("MetricName", "swap", "metric_name", lambda alarm: "MutantMetricNothingPublishes"),
    ("Namespace", "swap", "namespace", lambda alarm: "Mutant/Elsewhere"),
    ("OKActions", "drop", "ok_actions", lambda alarm: []),
    ("Period", "larger", "period", lambda alarm: alarm["Period"] * 2),
    ("Statistic", "swap", "statistic", lambda alarm: "Maximum" if alarm["Statistic"] != "Maximum" else "Minimum"),
)
ALARM_FIELDS = (
    "AlarmName",
    "AlarmDescription",
    "Namespace",
    "MetricName",
    "Statistic",
    "ComparisonOperator",
    "Threshold",
    "Period",
    "EvaluationPeriods",
    "Dimensions",
    "AlarmActions",
    "OKActions",
    "TreatMissingData",
    "ActionsEnabled",
)


def alarms(scope: Scope) -> Iterator[Case]:
    cloudwatch = scope.aws("cloudwatch")
    for alarm in sorted(cloudwatch.describe_alarms()["MetricAlarms"], key=lambda a: a["AlarmName"]):
        name, label = alarm["AlarmName"], scope.label(alarm["AlarmName"])
        yield scope.case(
            label,
            "flip",
            "actions_enabled",
            "true -> false",
            "logging and retention",
            call("cloudwatch", "disable_alarm_actions", AlarmNames=[name]),
        )
        yield scope.case(
            label,
            "drop",
            "alarm_actions",
            "",
            "logging and retention",
            _alarm(alarm, AlarmActions=[]),
            observes=(ALARM, "alarm_actions"),
        )
        threshold = alarm["Threshold"] * 10 or 1.0
        yield scope.case(
            label,
            "larger",
            "threshold",
            f"{alarm['Threshold']} -> {threshold}",
            "logging and retention",
            _alarm(alarm, Threshold=threshold),
            observes=(ALARM, "threshold"),
        )
        missing = "notBreaching" if alarm.get("TreatMissingData") != "notBreaching" else "breaching"
        yield scope.case(
            label,
            "swap",
            "treat_missing_data",
            f"{alarm.get('TreatMissingData')} -> {missing}",
            "logging and retention",
            _alarm(alarm, TreatMissingData=missing),
            observes=(ALARM, "treat_missing_data"),
        )
        for field, operator, attribute, other in ALARM_CHANGES:
            if alarm.get(field):
                yield scope.case(
                    label,
                    operator,
                    attribute,
                    "",
                    "logging and retention",
                    _alarm(alarm, **{field: other(alarm)}),
                    observes=(ALARM, attribute),
                )
        yield scope.case(
            label,
            "delete",
            "",
            "",
            "logging and retention",
            call("cloudwatch", "delete_alarms", AlarmNames=[name]),
            observes=(ALARM, ""),
        )


def _alarm(alarm: dict[str, Any], **changes: Any):
    fields = {key: alarm[key] for key in ALARM_FIELDS if key in alarm}

    def apply(aws) -> None:
        aws("cloudwatch").put_metric_alarm(**{**fields, **changes})

    return apply


def event_rules(scope: Scope) -> Iterator[Case]:
    events = scope.aws("events")
    for rule in sorted(events.list_rules()["Rules"], key=lambda r: r["Name"]):
        name, label = rule["Name"], scope.label(rule["Name"])
        targets = [t["Id"] for t in events.list_targets_by_rule(Rule=name)["Targets"]]
        yield scope.case(
            label,
            "flip",
            "state",
            "ENABLED -> DISABLED",
            "logging and retention",
            call("events", "disable_rule", Name=name),
        )
        yield scope.case(
            label,
            "drop",
            "targets",
            "",
            "logging and retention",
            call("events", "remove_targets", Rule=name, Ids=targets),
            observes=(TARGET, ""),
        )
        described = events.describe_rule(Name=name)
        for attribute, change in (
            ("description", {"Description": "a rule of another purpose"}),
            ("event_pattern", {"EventPattern": json.dumps({"source": ["mutant.nothing-sends-this"]})}),
        ):
            yield scope.case(
                label,
                "swap",
                attribute,
                "",
                "logging and retention",
                _rule(described, change),
                observes=(RULE, attribute),
            )
        for target in targets:
            yield scope.case(
                label,
                "swap",
                "target.arn",
                target,
                "logging and retention",
                _retarget(name, target, described["Arn"]),
                observes=(TARGET, "arn"),
            )
        yield scope.case(
            label,
            "delete",
            "",
            "",
            "logging and retention",
            _rule_deleted(name, targets),
            observes=((RULE, ""), (TARGET, "")),
        )


def _rule(rule: dict[str, Any], changes: dict[str, str]):
    fields = {key: rule[key] for key in ("Name", "Description", "EventPattern", "State") if key in rule}
    return call("events", "put_rule", **{**fields, **changes})


def _retarget(rule: str, target: str, rule_arn: str):
    """The target sends to a topic of another account (the rule's region and partition, AWS's documentation id)."""
    _, partition, _, region, _, _ = rule_arn.split(":", 5)
    elsewhere = f"arn:{partition}:sns:{region}:{ANOTHER_ACCOUNT}:mutant-elsewhere"
    return call("events", "put_targets", Rule=rule, Targets=[{"Id": target, "Arn": elsewhere}])


def _rule_deleted(name: str, targets: list[str]):
    def apply(aws) -> None:
        events = aws("events")
        events.remove_targets(Rule=name, Ids=targets)  # a rule with targets cannot be deleted
        events.delete_rule(Name=name)

    return apply


def log_groups(scope: Scope) -> Iterator[Case]:
    for group in sorted(scope.aws("logs").describe_log_groups()["logGroups"], key=lambda g: g["logGroupName"]):
        name, label = group["logGroupName"], scope.label(group["logGroupName"])
        days = group.get("retentionInDays")
        yield scope.case(
            label,
            "smaller",
            "retention_in_days",
            f"{days} -> 1",
            "logging and retention",
            call("logs", "put_retention_policy", logGroupName=name, retentionInDays=1),
            observes=(LOG_GROUP, "retention_in_days"),
        )
        if days:
            yield scope.case(
                label,
                "drop",
                "retention_in_days",
                f"{days} -> never expire",
                "logging and retention",
                call("logs", "delete_retention_policy", logGroupName=name),
                observes=(LOG_GROUP, "retention_in_days"),
            )
        arn = group["arn"].removesuffix(":*")
        tags = scope.aws("logs").list_tags_for_resource(resourceArn=arn)["tags"]
        if group.get("kmsKeyId"):
            yield scope.case(
                label,
                "drop",
                "kms_key_id",
                "the group made again without its key",
                "encryption",
                _unencrypted(group, tags),
                observes=(LOG_GROUP, "kms_key_id"),
            )
        for key in sorted(tags)[:1]:
            yield scope.case(
                label,
                "drop",
                "tags",
                key,
                "naming",
                call("logs", "untag_resource", resourceArn=arn, tagKeys=[key]),
                observes=(LOG_GROUP, "tags"),
            )
        yield scope.case(
            label,
            "delete",
            "",
            "",
            "logging and retention",
            call("logs", "delete_log_group", logGroupName=name),
            observes=(LOG_GROUP, ""),
        )


def _unencrypted(group: dict[str, Any], tags: dict[str, str]):
    """The group deleted and made again, unencrypted (the emulator has no DisassociateKmsKey; a real account
    lets either)."""
    name = group["logGroupName"]

    def apply(aws) -> None:
        logs = aws("logs")
        logs.delete_log_group(logGroupName=name)
        logs.create_log_group(logGroupName=name, tags=tags)
        if group.get("retentionInDays"):
            logs.put_retention_policy(logGroupName=name, retentionInDays=group["retentionInDays"])

    return apply


def data_protection_policies(scope: Scope) -> Iterator[Case]:
    logs = scope.aws("logs")
    names = sorted(group["logGroupName"] for group in logs.describe_log_groups()["logGroups"])
    documents = {name: logs.get_data_protection_policy(logGroupIdentifier=name).get("policyDocument") for name in names}
    for name in first_of_kind([name for name in names if documents[name]]):
        policy = json.loads(documents[name])
        # AWS takes only an Audit and a Deidentify statement naming the same identifiers: what can drift is an
        # identifier dropped from both (that kind of card data then reaches readers unmasked), or the policy gone.
        identifiers = sorted({i for statement in policy["Statement"] for i in statement["DataIdentifier"]})
        for dropped in identifiers if len(identifiers) > 1 else ():
            narrowed = [
                {**statement, "DataIdentifier": [i for i in statement["DataIdentifier"] if i != dropped]}
                for statement in policy["Statement"]
            ]
            yield scope.case(
                scope.label(name),
                "drop",
                "policy_document",
                dropped.rsplit("/", 1)[-1],
                "logging and retention",
                call(
                    "logs",
                    "put_data_protection_policy",
                    logGroupIdentifier=name,
                    policyDocument=json.dumps({**policy, "Statement": narrowed}),
                ),
                observes=(DATA_PROTECTION, "policy_document"),
            )
        yield scope.case(
            scope.label(name),
            "delete",
            "data_protection_policy",
            "",
            "logging and retention",
            call("logs", "delete_data_protection_policy", logGroupIdentifier=name),
            observes=(DATA_PROTECTION, ""),
        )


def topics(scope: Scope) -> Iterator[Case]:
    sns = scope.aws("sns")
    for arn in sorted(t["TopicArn"] for t in sns.list_topics()["Topics"]):
        label = scope.label(arn.rsplit(":", 1)[1])
        subscriptions = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        for subscription in sorted(subscriptions, key=lambda s: s["Endpoint"]):
            yield scope.case(
                label,
                "delete",
                "subscription",
                subscription["Endpoint"],
                "logging and retention",
                call("sns", "unsubscribe", SubscriptionArn=subscription["SubscriptionArn"]),
                observes=(SUBSCRIPTION, ""),
            )
        yield scope.case(
            label,
            "drop",
            "kms_master_key_id",
            "",
            "encryption",
            _topic_attribute(arn, "KmsMasterKeyId", ""),
            observes=(TOPIC, "kms_master_key_id"),
        )
        everyone = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": arn}]}
        yield scope.case(
            label,
            "widen",
            "policy",
            "anyone may publish",
            "public exposure",
            _topic_attribute(arn, "Policy", json.dumps(everyone)),
            observes=(TOPIC_POLICY, "policy"),
        )
        yield scope.case(
            label,
            "delete",
            "",
            "",
            "logging and retention",
            call("sns", "delete_topic", TopicArn=arn),
            observes=((TOPIC, ""), (TOPIC_POLICY, ""), (SUBSCRIPTION, "")),
        )


def _topic_attribute(arn: str, name: str, value: str):
    return call("sns", "set_topic_attributes", TopicArn=arn, AttributeName=name, AttributeValue=value)


GENERATORS = (alarms, event_rules, log_groups, data_protection_policies, topics)
