"""The launch template, the Auto Scaling group, its schedules and the instance profile, as the account shows them."""

from __future__ import annotations

from botocore.exceptions import ClientError

from tap.live.observed.table import Absent, Kind, Observer, at, snake, tag_map
from tap.plan import Resource


def _launch_template(observer: Observer, resource: Resource) -> dict | None:
    """The template and the data of its default version: what new instances launch with."""
    ec2 = observer.client("ec2")
    name = observer.value(resource, "name")
    try:
        (template,) = ec2.describe_launch_templates(LaunchTemplateNames=[name])["LaunchTemplates"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "InvalidLaunchTemplateName.NotFoundException":
            return None
        raise
    (default,) = ec2.describe_launch_template_versions(
        LaunchTemplateId=template["LaunchTemplateId"], Versions=["$Default"]
    )["LaunchTemplateVersions"]
    return {"LaunchTemplate": template, "Data": default["LaunchTemplateData"]}


def _interfaces(interfaces: list[dict]) -> list[dict]:
    """An interface's security groups are `Groups` to EC2, `security_groups` to Terraform."""
    return [
        {
            **snake({key: value for key, value in nic.items() if key != "Groups"}),
            "security_groups": nic.get("Groups", []),
        }
        for nic in interfaces
    ]


def _tag_specifications(specifications: list[dict]) -> list[dict]:
    return [{"resource_type": spec["ResourceType"], "tags": tag_map(spec.get("Tags", []))} for spec in specifications]


def _default_is_latest(template: dict) -> bool:
    """`update_default_version`: every new version becomes the default, so the latest is the default."""
    return template["DefaultVersionNumber"] == template["LatestVersionNumber"]


def _group(observer: Observer, resource: Resource) -> dict | None:
    name = observer.value(resource, "name")
    groups = observer.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    found = groups["AutoScalingGroups"]
    return found[0] if found else None


def _group_tags(tags: list[dict]) -> list[dict]:
    return [
        {"key": tag["Key"], "value": tag["Value"], "propagate_at_launch": tag.get("PropagateAtLaunch", False)}
        for tag in tags
        if not tag["Key"].startswith("aws:")
    ]


def _schedule(observer: Observer, resource: Resource) -> dict | None:
    group, name = (observer.value(resource, key) for key in ("autoscaling_group_name", "scheduled_action_name"))
    actions = observer.client("autoscaling").describe_scheduled_actions(
        AutoScalingGroupName=group, ScheduledActionNames=[name]
    )["ScheduledUpdateGroupActions"]
    return actions[0] if actions else None


def _instance_profile(observer: Observer, resource: Resource) -> dict | None:
    try:
        return observer.client("iam").get_instance_profile(InstanceProfileName=observer.value(resource, "name"))[
            "InstanceProfile"
        ]
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchEntity":
            return None
        raise


def _role(roles: list[dict]) -> str:
    """A profile holds one role at most (AWS's limit): its name; none is the attribute not set."""
    if not roles:
        raise Absent("Roles")
    return ", ".join(role["RoleName"] for role in roles)


TEMPLATE_ID = at("LaunchTemplate.LaunchTemplateId")
GROUP_NAME = at("AutoScalingGroupName")
PROFILE_ARN = at("Arn")

KINDS = {
    "aws_launch_template": Kind(
        describe=_launch_template,
        attributes={
            "name": at("LaunchTemplate.LaunchTemplateName"),
            "update_default_version": at("LaunchTemplate", _default_is_latest),
            # AWS keeps an `resolve:ssm:` image as written (DescribeLaunchTemplateVersions resolves it on request only).
            "image_id": at("Data.ImageId"),
            "instance_type": at("Data.InstanceType"),
            "ebs_optimized": at("Data.EbsOptimized"),
            "iam_instance_profile": at("Data.IamInstanceProfile", snake),
            "metadata_options": at("Data.MetadataOptions", snake),
            "monitoring": at("Data.Monitoring", snake),
            "block_device_mappings": at("Data.BlockDeviceMappings", snake),
            "network_interfaces": at("Data.NetworkInterfaces", _interfaces),
            "tag_specifications": at("Data.TagSpecifications", _tag_specifications),
        },
        unobservable={
            "user_data": "the read-only guard withholds every launch template version's UserData (a boot script "
            "can carry a secret), and AWS keeps no digest of it to compare instead",
        },
        exports={
            "id": TEMPLATE_ID,
            "latest_version": at("LaunchTemplate.LatestVersionNumber"),
            "default_version": at("LaunchTemplate.DefaultVersionNumber"),
        },
        fixed=frozenset({"name"}),
    ),
    "aws_autoscaling_group": Kind(
        describe=_group,
        attributes={
            "name": GROUP_NAME,
            "min_size": at("MinSize"),
            "max_size": at("MaxSize"),
            "desired_capacity": at("DesiredCapacity"),
            "health_check_type": at("HealthCheckType"),
            "health_check_grace_period": at("HealthCheckGracePeriod"),
            "max_instance_lifetime": at("MaxInstanceLifetime"),
            "launch_template": at("LaunchTemplate", lambda t: {"id": t["LaunchTemplateId"], "version": t["Version"]}),
            "vpc_zone_identifier": at("VPCZoneIdentifier", lambda subnets: subnets.split(",")),
            "target_group_arns": at("TargetGroupARNs"),
            "enabled_metrics": at("EnabledMetrics", lambda metrics: [m["Metric"] for m in metrics]),
            "tag": at("Tags", _group_tags),
        },
        exports={"name": GROUP_NAME, "id": GROUP_NAME, "arn": at("AutoScalingGroupARN")},
        fixed=frozenset({"name"}),
    ),
    "aws_autoscaling_schedule": Kind(
        describe=_schedule,
        attributes={
            "autoscaling_group_name": at("AutoScalingGroupName"),
            "scheduled_action_name": at("ScheduledActionName"),
            "recurrence": at("Recurrence"),
            "time_zone": at("TimeZone"),
            "min_size": at("MinSize"),
            "max_size": at("MaxSize"),
            "desired_capacity": at("DesiredCapacity"),
        },
        fixed=frozenset({"autoscaling_group_name", "scheduled_action_name"}),
    ),
    "aws_iam_instance_profile": Kind(
        describe=_instance_profile,
        attributes={"name": at("InstanceProfileName"), "role": at("Roles", _role)},
        exports={"arn": PROFILE_ARN, "name": at("InstanceProfileName"), "id": at("InstanceProfileName")},
        fixed=frozenset({"name"}),
    ),
}
