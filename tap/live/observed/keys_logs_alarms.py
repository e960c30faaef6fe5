"""KMS keys, log groups, alarms and their topic, as the account shows them."""

from __future__ import annotations

from botocore.exceptions import ClientError

from tap.live.observed.table import Kind, Observer, at, tag_map
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


TOPIC_ARN = at("Attributes.TopicArn")

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
            "tags": at("Tags", tag_map),
        },
        beyond_emulator={
            "rotation_period_in_days": "moto 5.2 does not keep a key's rotation period (RotationPeriodInDays)",
        },
        unobservable={
            "deletion_window_in_days": "AWS shows a key's deletion window only once its deletion is scheduled",
        },
        exports={"arn": at("KeyMetadata.Arn"), "key_id": at("KeyMetadata.KeyId"), "id": at("KeyMetadata.KeyId")},
    ),
    "aws_kms_alias": Kind(
        describe=_alias,
        attributes={"name": at("AliasName"), "target_key_id": at("TargetKeyId")},
        exports={"arn": at("AliasArn"), "name": at("AliasName")},
    ),
    "aws_sns_topic": Kind(
        describe=_planned_topic,
        attributes={
            "name": at("Attributes.TopicArn", lambda arn: arn.rsplit(":", 1)[1]),
            "kms_master_key_id": at("Attributes.KmsMasterKeyId"),
        },
        exports={"arn": TOPIC_ARN, "id": TOPIC_ARN},
    ),
    "aws_sns_topic_policy": Kind(
        describe=lambda observer, resource: _topic(observer, observer.value(resource, "arn")),
        attributes={"arn": TOPIC_ARN, "policy": at("Attributes.Policy")},
    ),
    "aws_sns_topic_subscription": Kind(
        describe=_subscription,
        attributes={"topic_arn": at("TopicArn"), "protocol": at("Protocol"), "endpoint": at("Endpoint")},
    ),
}
