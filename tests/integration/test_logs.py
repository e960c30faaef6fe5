"""CloudWatch log groups: retention, the logs key and card data masking, as the plan declares them."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from stack.contract import Output
from stack.hosts import HOST_LOG_SOURCES
from tap.live.documents import canonical
from tests.integration.conftest import same, within


@pytest.mark.controls("CKV_PAY_16", "CKV_PAY_3", "CKV_AWS_338", "CKV_AWS_158")
def test_log_groups_keep_events_and_use_the_logs_key(target):
    logs = target.client("logs")
    reported = [
        target.outputs[key]
        for key in (Output.FLOW_LOG_GROUP, Output.APP_LOG_GROUP, Output.WAF_LOG_GROUP, Output.DNS_QUERY_LOG_GROUP)
    ]
    same(
        sorted([*reported, *target.outputs[Output.DB_LOG_GROUPS], *target.outputs[Output.HOST_LOG_GROUPS]]),
        sorted(target.name(planned) for planned in target.planned("aws_cloudwatch_log_group")),
        "the log groups the deployment reports",
    )
    for planned in target.planned("aws_cloudwatch_log_group"):
        name = target.name(planned)
        found = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
        assert found, f"drift: log group {name} does not exist"
        same(
            (found[0].get("retentionInDays"), found[0].get("kmsKeyId")),
            (planned["retention_in_days"], target.outputs[Output.LOGS_KEY_ARN]),
            f"the retention and key of log group {name}",
        )


def _masking(target, group: str) -> list[dict] | None:
    """The statements of the group's data protection policy in the account; None when it has none."""
    try:
        found = target.client("logs").get_data_protection_policy(logGroupIdentifier=group).get("policyDocument")
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        found = None
    return canonical(found)["Statement"] if found else None


@pytest.mark.controls("CKV_PAY_60", "CKV2_PAY_60")
def test_log_groups_mask_card_data_as_the_plan_declares(target):
    """Each group masks card data with the plan's policy, and a group the plan leaves unmasked has none."""
    planned = {
        protection["log_group_name"]: protection["policy_document"]
        for protection in target.planned("aws_cloudwatch_log_data_protection_policy")
    }
    for group in target.planned("aws_cloudwatch_log_group"):
        document = planned.get(f"${{{group.address}.name}}")
        name = target.name(group)
        same(
            _masking(target, name),
            canonical(document)["Statement"] if document else None,
            f"the card data masking (data protection policy) of log group {name}",
        )


# How often to look again while a new instance's agent starts (the group's grace period bounds the wait).
SHIPPING_POLL_SECONDS = 30


def _silent_streams(target, groups: dict[str, str]) -> str | None:
    """Which in-service instance has no stream in which host log group, or None when each has one in each."""
    (group,) = target.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[target.outputs[Output.AUTOSCALING_GROUP_NAME]]
    )["AutoScalingGroups"]
    instances = sorted(item["InstanceId"] for item in group["Instances"] if item["LifecycleState"] == "InService")
    logs = target.client("logs")
    missing = [
        f"{instance} in {name}"
        for instance in instances
        for name in groups.values()
        if not logs.describe_log_streams(logGroupName=name, logStreamNamePrefix=instance)["logStreams"]
    ]
    return f"no log stream of instance {', '.join(missing)}: its agent ships nothing there" if missing else None


@pytest.mark.controls("CKV_PAY_44")
@pytest.mark.beyond_emulator("moto 5.2.5 runs no software on its instances: no CloudWatch agent writes a log stream")
def test_every_instance_ships_its_authentication_system_and_application_logs(target):
    # 10.2.1, 10.2.1.2: what happens on the hosts (logins, sudo, the application) leaves the instance. A group
    # scaled to zero (dev at night) has nothing to ship.
    groups = {
        key: target.name(planned)
        for planned in target.planned("aws_cloudwatch_log_group")
        for key in HOST_LOG_SOURCES
        if planned.path.endswith(f"logs/{key}")
    }
    (planned_group,) = target.planned("aws_autoscaling_group")
    within(planned_group["health_check_grace_period"], SHIPPING_POLL_SECONDS, lambda: _silent_streams(target, groups))
