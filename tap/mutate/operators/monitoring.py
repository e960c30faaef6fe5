"""Monitoring mutants: alarms, event rules, log groups, the alarm topic and its subscriptions; IAM roles."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

from tap.mutate.operators import Case, Scope

# A managed policy that grants everything: the most permissive thing a role can be given.
ADMINISTRATOR = "arn:aws:iam::aws:policy/AdministratorAccess"
ANOTHER_ACCOUNT = "111122223333"  # AWS's documentation account: anyone's but ours
ALARM_FIELDS = (
    "AlarmName",
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
            _call("cloudwatch", "disable_alarm_actions", AlarmNames=[name]),
        )
        yield scope.case(label, "drop", "alarm_actions", "", "logging and retention", _alarm(alarm, AlarmActions=[]))
        threshold = alarm["Threshold"] * 10 or 1.0
        yield scope.case(
            label,
            "larger",
            "threshold",
            f"{alarm['Threshold']} -> {threshold}",
            "logging and retention",
            _alarm(alarm, Threshold=threshold),
        )
        missing = "notBreaching" if alarm.get("TreatMissingData") != "notBreaching" else "breaching"
        yield scope.case(
            label,
            "swap",
            "treat_missing_data",
            f"{alarm.get('TreatMissingData')} -> {missing}",
            "logging and retention",
            _alarm(alarm, TreatMissingData=missing),
        )
        yield scope.case(
            label, "delete", "", "", "logging and retention", _call("cloudwatch", "delete_alarms", AlarmNames=[name])
        )


def _alarm(alarm: dict[str, Any], **changes: Any):
    fields = {key: alarm[key] for key in ALARM_FIELDS if key in alarm}

    def apply(aws) -> None:
        aws("cloudwatch").put_metric_alarm(**{**fields, **changes})

    return apply


def _call(service: str, method: str, **arguments: Any):
    def apply(aws) -> None:
        getattr(aws(service), method)(**arguments)

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
            _call("events", "disable_rule", Name=name),
        )
        yield scope.case(
            label,
            "drop",
            "targets",
            "",
            "logging and retention",
            _call("events", "remove_targets", Rule=name, Ids=targets),
        )
        yield scope.case(label, "delete", "", "", "logging and retention", _rule_deleted(name, targets))


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
            _call("logs", "put_retention_policy", logGroupName=name, retentionInDays=1),
        )
        if days:
            yield scope.case(
                label,
                "drop",
                "retention_in_days",
                f"{days} -> never expire",
                "logging and retention",
                _call("logs", "delete_retention_policy", logGroupName=name),
            )
        yield scope.case(
            label, "delete", "", "", "logging and retention", _call("logs", "delete_log_group", logGroupName=name)
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
                _call("sns", "unsubscribe", SubscriptionArn=subscription["SubscriptionArn"]),
            )
        yield scope.case(
            label, "drop", "kms_master_key_id", "", "encryption", _topic_attribute(arn, "KmsMasterKeyId", "")
        )
        everyone = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": arn}]}
        yield scope.case(
            label,
            "widen",
            "policy",
            "anyone may publish",
            "public exposure",
            _topic_attribute(arn, "Policy", json.dumps(everyone)),
        )
        yield scope.case(label, "delete", "", "", "logging and retention", _call("sns", "delete_topic", TopicArn=arn))


def _topic_attribute(arn: str, name: str, value: str):
    return _call("sns", "set_topic_attributes", TopicArn=arn, AttributeName=name, AttributeValue=value)


def roles(scope: Scope) -> Iterator[Case]:
    iam = scope.aws("iam")
    for role in sorted((r for r in iam.list_roles()["Roles"] if r["Path"] == "/"), key=lambda r: r["RoleName"]):
        name, label = role["RoleName"], scope.label(role["RoleName"])
        yield scope.case(
            label,
            "add",
            "managed_policy_arns",
            "AdministratorAccess",
            "credentials",
            _call("iam", "attach_role_policy", RoleName=name, PolicyArn=ADMINISTRATOR),
        )
        trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
        for operator, detail, change in TRUST_CHANGES:
            yield scope.case(label, operator, "assume_role_policy", detail, "credentials", _trust(name, trust, change))


def _trusting(principal: dict[str, str]) -> Callable[[dict[str, Any]], None]:
    # A statement of its own, without the service statement's condition: aws:SourceAccount is set only on a
    # service's requests, so beside it another principal could never assume the role (that would be no widening).
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return lambda document: document["Statement"].append(statement)


def _unconditional(document: dict[str, Any]) -> None:
    for statement in document["Statement"]:
        statement.pop("Condition", None)


# Who else may assume a role: (operator, detail, change of its trust policy). The planned trust names one service
# and binds it to this account (aws:SourceAccount, the confused deputy guard).
TRUST_CHANGES = (
    ("widen", "any AWS principal", _trusting({"AWS": "*"})),
    ("widen", "another account", _trusting({"AWS": f"arn:aws:iam::{ANOTHER_ACCOUNT}:root"})),
    ("drop", "Condition", _unconditional),
)


def _trust(role: str, document: dict[str, Any], change: Callable[[dict[str, Any]], None]):
    changed = copy.deepcopy(document)
    change(changed)
    return _call("iam", "update_assume_role_policy", RoleName=role, PolicyDocument=json.dumps(changed))


GENERATORS = (alarms, event_rules, log_groups, topics, roles)
