"""Translators for stack/encryption.py, logs.py and alarms.py: KMS keys, log groups and their data protection
policies, the alarm topic, its subscriptions and policy, alarms and event rules."""

from __future__ import annotations

from tap.live.rehearsal.engine import Rehearsal, flag, handles


@handles("aws_kms_key")
def _kms_key(r: Rehearsal, body: dict) -> dict:
    kms = r.client("kms")
    key = kms.create_key(
        Description=body.get("description", ""), Policy=body["policy"], Tags=r.tag_list(None, "TagKey", "TagValue")
    )["KeyMetadata"]
    if flag(body.get("enable_key_rotation")):
        kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=body.get("rotation_period_in_days", 365))
    return {"arn": key["Arn"], "key_id": key["KeyId"], "id": key["KeyId"]}


@handles("aws_kms_alias")
def _kms_alias(r: Rehearsal, body: dict) -> dict:
    r.client("kms").create_alias(AliasName=body["name"], TargetKeyId=body["target_key_id"])
    return {"name": body["name"], "id": body["name"]}


@handles("aws_cloudwatch_log_group")
def _log_group(r: Rehearsal, body: dict) -> dict:
    logs = r.client("logs")
    logs.create_log_group(logGroupName=body["name"], kmsKeyId=body["kms_key_id"], tags=r.tags(body.get("tags")))
    logs.put_retention_policy(logGroupName=body["name"], retentionInDays=body["retention_in_days"])
    arn = f"arn:aws:logs:{r.region}:{r.account_id}:log-group:{body['name']}"
    return {"name": body["name"], "id": body["name"], "arn": arn}


@handles("aws_cloudwatch_log_data_protection_policy")
def _data_protection_policy(r: Rehearsal, body: dict) -> dict:
    r.client("logs").put_data_protection_policy(
        logGroupIdentifier=body["log_group_name"], policyDocument=body["policy_document"]
    )
    return {"id": body["log_group_name"], "log_group_name": body["log_group_name"]}


@handles("aws_sns_topic")
def _topic(r: Rehearsal, body: dict) -> dict:
    attributes = {"KmsMasterKeyId": body["kms_master_key_id"]} if body.get("kms_master_key_id") else {}
    topic = r.client("sns").create_topic(Name=body["name"], Attributes=attributes, Tags=r.tag_list(body.get("tags")))
    return {"arn": topic["TopicArn"], "id": topic["TopicArn"], "name": body["name"]}


@handles("aws_cloudwatch_metric_alarm")
def _alarm(r: Rehearsal, body: dict) -> dict:
    r.client("cloudwatch").put_metric_alarm(
        AlarmName=body["alarm_name"],
        AlarmDescription=body.get("alarm_description", ""),
        Namespace=body["namespace"],
        MetricName=body["metric_name"],
        Statistic=body["statistic"],
        ComparisonOperator=body["comparison_operator"],
        Threshold=float(body["threshold"]),
        Period=body["period"],
        EvaluationPeriods=body["evaluation_periods"],
        TreatMissingData=body.get("treat_missing_data", "missing"),
        Dimensions=[{"Name": name, "Value": value} for name, value in body.get("dimensions", {}).items()],
        AlarmActions=body.get("alarm_actions", []),
        OKActions=body.get("ok_actions", []),
        Tags=r.tag_list(body.get("tags")),
    )
    return {"alarm_name": body["alarm_name"], "id": body["alarm_name"]}


@handles("aws_sns_topic_subscription")
def _subscription(r: Rehearsal, body: dict) -> dict:
    subscription = r.client("sns").subscribe(
        TopicArn=body["topic_arn"], Protocol=body["protocol"], Endpoint=body["endpoint"], ReturnSubscriptionArn=True
    )
    return {"arn": subscription["SubscriptionArn"], "id": subscription["SubscriptionArn"]}


@handles("aws_sns_topic_policy")
def _topic_policy(r: Rehearsal, body: dict) -> dict:
    r.client("sns").set_topic_attributes(TopicArn=body["arn"], AttributeName="Policy", AttributeValue=body["policy"])
    return {"id": body["arn"]}


@handles("aws_cloudwatch_event_rule")
def _event_rule(r: Rehearsal, body: dict) -> dict:
    rule = r.client("events").put_rule(
        Name=body["name"],
        Description=body.get("description", ""),
        EventPattern=body["event_pattern"],
        State=body.get("state", "ENABLED"),
        Tags=r.tag_list(body.get("tags")),
    )
    return {"arn": rule["RuleArn"], "id": body["name"], "name": body["name"]}


@handles("aws_cloudwatch_event_target")
def _event_target(r: Rehearsal, body: dict) -> dict:
    r.client("events").put_targets(Rule=body["rule"], Targets=[{"Id": body["target_id"], "Arn": body["arn"]}])
    return {"id": f"{body['rule']}-{body['target_id']}"}
