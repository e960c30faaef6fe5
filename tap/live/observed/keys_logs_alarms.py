"""KMS keys, log groups and their card data masking, alarms, event rules and their targets, and the alarm topic,
as the account shows them."""

from __future__ import annotations

from botocore.exceptions import ClientError

from tap.live.observed.table import Kind, Observer, at, tag_map, unless_missing
from tap.plan import Resource


def _topic(observer: Observer, arn: str) -> dict | None:
    try:
        return observer.client("sns").get_topic_attributes(TopicArn=arn)
    except ClientError as error:
        if error.response["Error"]["Code"] == "NotFound":
            return None
        raise


def _planned_topic(observer: Observer, resource: Resource) -> dict | None:
    return _topic(observer, f"arn:aws:sns:{observer.region}:{observer.account}:{observer.value(resource, 'name')}")


def _subscription(observer: Observer, resource: Resource) -> dict | None:
    """The topic's subscription with the planned protocol and endpoint (a topic holds each pair once)."""
    topic, protocol, endpoint = (observer.value(resource, key) for key in ("topic_arn", "protocol", "endpoint"))
    listed = observer.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    found = [s for s in listed if (s["Protocol"], s["Endpoint"]) == (protocol, endpoint)]
    return found[0] if found else None


def _key(observer: Observer, resource: Resource) -> dict | None:
    """A key has no name: it is found through the planned alias that targets it."""
    (alias,) = [
        a for a in observer.plan.resources("aws_kms_alias") if a["target_key_id"] == f"${{{resource.address}.key_id}}"
    ]
    return _key_by_id(observer, observer.value(alias, "name"))


def _key_by_id(observer: Observer, key_id: str) -> dict | None:
    kms = observer.client("kms")
    try:
        metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "NotFoundException":
            return None
        raise
    if metadata["KeyState"] == "PendingDeletion":  # gone for Terraform too: only its deletion can be cancelled
        return None
    key = metadata["KeyId"]
    return {
        "KeyMetadata": metadata,
        "Rotation": kms.get_key_rotation_status(KeyId=key),
        "Policy": kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"],
        "Tags": [{"Key": t["TagKey"], "Value": t["TagValue"]} for t in kms.list_resource_tags(KeyId=key)["Tags"]],
    }


def _alias(observer: Observer, resource: Resource) -> dict | None:
    name = observer.value(resource, "name")
    aliases = observer.client("kms").list_aliases()["Aliases"]  # one page holds up to 100: the stack makes 8
    found = [alias for alias in aliases if alias["AliasName"] == name]
    return found[0] if found else None


def _log_group(observer: Observer, resource: Resource) -> dict | None:
    logs, name = observer.client("logs"), observer.value(resource, "name")
    pages = logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
    found = [group for page in pages for group in page["logGroups"] if group["logGroupName"] == name]
    if not found:
        return None
    arn = found[0]["arn"].removesuffix(":*")  # Terraform's ARN of a group, without the streams' wildcard
    return {**found[0], "Arn": arn, "Tags": logs.list_tags_for_resource(resourceArn=arn)["tags"]}


def _data_protection(observer: Observer, resource: Resource) -> dict | None:
    """The group's policy; None when the group has none (AWS answers the group without a policyDocument, and
    the provider reads that as no policy) or the group is gone."""
    group = observer.value(resource, "log_group_name")
    logs = observer.client("logs")
    found = unless_missing(
        lambda: logs.get_data_protection_policy(logGroupIdentifier=group), "ResourceNotFoundException"
    )
    return found if found and found.get("policyDocument") else None


def _alarm(observer: Observer, resource: Resource) -> dict | None:
    name = observer.value(resource, "alarm_name")
    found = observer.client("cloudwatch").describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm"])
    return found["MetricAlarms"][0] if found["MetricAlarms"] else None


def _event_rule(observer: Observer, resource: Resource) -> dict | None:
    name, events = observer.value(resource, "name"), observer.client("events")
    return unless_missing(lambda: events.describe_rule(Name=name), "ResourceNotFoundException")


def _event_target(observer: Observer, resource: Resource) -> dict | None:
    rule, target = observer.value(resource, "rule"), observer.value(resource, "target_id")
    events = observer.client("events")
    # One page: a rule holds at most five targets.
    listed = unless_missing(lambda: events.list_targets_by_rule(Rule=rule)["Targets"], "ResourceNotFoundException")
    found = [t for t in listed or [] if t["Id"] == target]
    return {**found[0], "Rule": rule} if found else None


def _tags(tags: dict[str, str]) -> dict[str, str]:
    """A tag map without AWS's own `aws:` tags."""
    return tag_map([{"Key": key, "Value": value} for key, value in tags.items()])


TOPIC_ARN = at("Attributes.TopicArn")
LOG_GROUP_NAME = at("logGroupName")

KINDS = {
    "aws_kms_key": Kind(
        describe=_key,
        attributes={
            "description": at("KeyMetadata.Description"),
            "enable_key_rotation": at("Rotation.KeyRotationEnabled"),
            "rotation_period_in_days": at("Rotation.RotationPeriodInDays"),
            "policy": at("Policy"),
            "key_usage": at("KeyMetadata.KeyUsage"),
            "customer_master_key_spec": at("KeyMetadata.KeySpec"),
            "multi_region": at("KeyMetadata.MultiRegion"),
            "is_enabled": at("KeyMetadata.Enabled"),
            "tags": at("Tags", tag_map),
        },
        unobservable={
            "deletion_window_in_days": "AWS shows a key's deletion window only once its deletion is scheduled",
        },
        exports={"arn": at("KeyMetadata.Arn"), "key_id": at("KeyMetadata.KeyId"), "id": at("KeyMetadata.KeyId")},
        fixed=frozenset({"key_usage", "customer_master_key_spec", "multi_region"}),
        # A key disabled out of band: whatever it encrypts can no longer be read or written.
        defaults={"is_enabled": True},
    ),
    "aws_kms_alias": Kind(
        describe=_alias,
        attributes={"name": at("AliasName"), "target_key_id": at("TargetKeyId")},
        exports={"arn": at("AliasArn"), "name": at("AliasName")},
        fixed=frozenset({"name"}),
    ),
    "aws_cloudwatch_log_group": Kind(
        describe=_log_group,
        attributes={
            "name": LOG_GROUP_NAME,
            "kms_key_id": at("kmsKeyId"),
            "retention_in_days": at("retentionInDays"),
            "tags": at("Tags", _tags),
        },
        unobservable={
            "skip_destroy": "a Terraform setting (keep the group when the stack is destroyed); "
            "AWS keeps no such setting",
        },
        exports={"name": LOG_GROUP_NAME, "id": LOG_GROUP_NAME, "arn": at("Arn")},
        fixed=frozenset({"name"}),
    ),
    "aws_cloudwatch_log_data_protection_policy": Kind(
        describe=_data_protection,
        attributes={"log_group_name": at("logGroupIdentifier"), "policy_document": at("policyDocument")},
        exports={"log_group_name": at("logGroupIdentifier")},
        fixed=frozenset({"log_group_name"}),
    ),
    "aws_cloudwatch_metric_alarm": Kind(
        describe=_alarm,
        attributes={
            "alarm_name": at("AlarmName"),
            "alarm_description": at("AlarmDescription"),
            "namespace": at("Namespace"),
            "metric_name": at("MetricName"),
            "statistic": at("Statistic"),
            "comparison_operator": at("ComparisonOperator"),
            "threshold": at("Threshold"),
            "period": at("Period"),
            "evaluation_periods": at("EvaluationPeriods"),
            "treat_missing_data": at("TreatMissingData"),
            "dimensions": at("Dimensions", lambda dimensions: {d["Name"]: d["Value"] for d in dimensions}),
            "alarm_actions": at("AlarmActions"),
            "ok_actions": at("OKActions"),
        },
        exports={"alarm_name": at("AlarmName"), "id": at("AlarmName"), "arn": at("AlarmArn")},
        fixed=frozenset({"alarm_name"}),
    ),
    "aws_cloudwatch_event_rule": Kind(
        describe=_event_rule,
        attributes={"name": at("Name"), "description": at("Description"), "event_pattern": at("EventPattern")},
        exports={"name": at("Name"), "id": at("Name"), "arn": at("Arn")},
        fixed=frozenset({"name"}),
    ),
    "aws_cloudwatch_event_target": Kind(
        describe=_event_target,
        attributes={"rule": at("Rule"), "target_id": at("Id"), "arn": at("Arn")},
        fixed=frozenset({"rule", "target_id"}),
    ),
    "aws_sns_topic": Kind(
        describe=_planned_topic,
        attributes={
            "name": at("Attributes.TopicArn", lambda arn: arn.rsplit(":", 1)[1]),
            "kms_master_key_id": at("Attributes.KmsMasterKeyId"),
        },
        exports={"arn": TOPIC_ARN, "id": TOPIC_ARN},
        fixed=frozenset({"name"}),
    ),
    "aws_sns_topic_policy": Kind(
        describe=lambda observer, resource: _topic(observer, observer.value(resource, "arn")),
        attributes={"arn": TOPIC_ARN, "policy": at("Attributes.Policy")},
        fixed=frozenset({"arn"}),
    ),
    "aws_sns_topic_subscription": Kind(
        describe=_subscription,
        attributes={"topic_arn": at("TopicArn"), "protocol": at("Protocol"), "endpoint": at("Endpoint")},
        fixed=frozenset({"topic_arn", "protocol", "endpoint"}),
    ),
}
