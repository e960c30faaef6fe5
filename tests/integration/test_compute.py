"""The launch template's default version and the Auto Scaling group (which must launch that version), as planned."""

from __future__ import annotations

import json

import pytest

from stack.contract import Output
from tests.integration.conftest import reference_name, referenced, same, within


@pytest.fixture(scope="module")
def launch_template(target) -> dict:
    """The data of the default version: what new instances launch with."""
    versions = target.client("ec2").describe_launch_template_versions(
        LaunchTemplateId=target.outputs[Output.LAUNCH_TEMPLATE_ID], Versions=["$Default"]
    )["LaunchTemplateVersions"]
    return versions[0]["LaunchTemplateData"]


@pytest.mark.controls("CKV_PAY_6", "CKV_AWS_79", "CKV_AWS_341")
def test_default_version_requires_imdsv2_with_one_hop(target, launch_template):
    (planned,) = target.planned("aws_launch_template")
    options = launch_template.get("MetadataOptions", {})
    expected = planned["metadata_options"]
    same(
        options.get("HttpTokens"),
        expected["http_tokens"],
        "IMDSv2 (HttpTokens) on the launch template's default version",
    )
    same(options.get("HttpPutResponseHopLimit"), expected["http_put_response_hop_limit"], "the IMDS hop limit")


@pytest.mark.controls("CKV_PAY_2")
def test_default_version_volumes_are_encrypted_gp3_with_the_ebs_key(target, launch_template):
    (planned,) = target.planned("aws_launch_template")
    actual = [
        (m["DeviceName"], m["Ebs"].get("VolumeType"), m["Ebs"].get("Encrypted"), m["Ebs"].get("KmsKeyId"))
        for m in launch_template.get("BlockDeviceMappings", [])
    ]
    expected = [
        (m["device_name"], m["ebs"]["volume_type"], m["ebs"]["encrypted"] == "true", target.outputs[Output.EBS_KEY_ARN])
        for m in planned["block_device_mappings"]
    ]
    same(actual, expected, "the launch template's volumes (device, type, encrypted, key)")


@pytest.mark.controls("CKV_PAY_9", "CKV_AWS_88")
def test_default_version_gives_no_public_ip(target, launch_template):
    public = [nic.get("AssociatePublicIpAddress") for nic in launch_template.get("NetworkInterfaces", [])]
    same(public, [False], "public IP addresses on the launch template's interfaces")
    groups = [group for nic in launch_template["NetworkInterfaces"] for group in nic.get("Groups", [])]
    same(groups, [target.outputs[Output.APP_SECURITY_GROUP_ID]], "the instances' security groups")


def test_default_version_launches_with_the_app_instance_profile(target, launch_template):
    # Without it instances get no credentials (no Session Manager, no data bucket); another profile, other rights.
    (planned,) = target.planned("aws_launch_template")
    profile = referenced(target, planned["iam_instance_profile"]["arn"])
    name = target.name(profile)
    found = target.client("iam").get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    same(
        launch_template.get("IamInstanceProfile", {}).get("Arn"),
        found["Arn"],
        "the instance profile of the launch template's default version",
    )
    same(
        [role["RoleName"] for role in found["Roles"]],
        [reference_name(target, profile["role"])],
        f"the role of instance profile {name}",
    )


def test_default_version_tags_instances_and_volumes(target, launch_template):
    (planned,) = target.planned("aws_launch_template")
    actual = {
        spec["ResourceType"]: {t["Key"]: t["Value"] for t in spec["Tags"]}
        for spec in launch_template.get("TagSpecifications", [])
    }
    expected = {
        spec["resource_type"]: {k: target.live(v) for k, v in spec["tags"].items()}
        for spec in planned["tag_specifications"]
    }
    same(actual, expected, "the launch template's tag specifications")


@pytest.fixture(scope="module")
def autoscaling_group(target) -> dict:
    (group,) = target.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[target.outputs[Output.AUTOSCALING_GROUP_NAME]]
    )["AutoScalingGroups"]
    return group


def test_autoscaling_group_spans_app_subnets_behind_the_target_group(target, autoscaling_group):
    (planned,) = target.planned("aws_autoscaling_group")
    same(
        (autoscaling_group["MinSize"], autoscaling_group["MaxSize"]),
        (planned["min_size"], planned["max_size"]),
        "the group's size limits",
    )
    same(
        sorted(autoscaling_group["VPCZoneIdentifier"].split(",")),
        sorted(target.outputs[Output.APP_SUBNET_IDS]),
        "the group's subnets",
    )
    same(autoscaling_group["TargetGroupARNs"], [target.outputs[Output.TARGET_GROUP_ARN]], "the group's target groups")
    same(autoscaling_group["HealthCheckType"], planned["health_check_type"], "the group's health check type")
    same(
        autoscaling_group.get("LaunchTemplate", {}).get("LaunchTemplateId"),
        target.outputs[Output.LAUNCH_TEMPLATE_ID],
        "the group's launch template",
    )


# What the default version's tests above evidence holds for instances only if the group launches that version.
@pytest.mark.controls("CKV_PAY_6", "CKV_AWS_79", "CKV_AWS_341", "CKV_PAY_2", "CKV_PAY_9", "CKV_AWS_88")
def test_autoscaling_group_launches_the_default_version(target, autoscaling_group):
    # The plan pins the group to the template's latest_version and sets update_default_version, so after every
    # apply the latest version is the default and the group names its number. So the group must launch the default
    # version, however it names it: that number, "$Default", or "$Latest" while the latest is the default.
    # Any other version (an old one, or a new one nobody made the default) launches what no test here reads.
    (template,) = target.client("ec2").describe_launch_templates(
        LaunchTemplateIds=[target.outputs[Output.LAUNCH_TEMPLATE_ID]]
    )["LaunchTemplates"]
    spec = autoscaling_group.get("LaunchTemplate")
    named = (spec.get("Version") or "$Default") if spec else None  # naming no version is naming $Default
    numbers = {"$Default": template["DefaultVersionNumber"], "$Latest": template["LatestVersionNumber"]}
    same(
        str(numbers.get(named, named)),
        str(template["DefaultVersionNumber"]),
        f"the launch template version the group launches (it names {named!r}; the plan's is the default version)",
    )


def test_default_version_boots_the_planned_image_with_user_data(target, launch_template):
    # The guard redacts user data (it could hold a secret), so only its presence is read here; the unit suite
    # and the audit read what the plan gives it. Without it nothing answers the health check and no log ships.
    (planned,) = target.planned("aws_launch_template")
    same(launch_template.get("ImageId"), planned["image_id"], "the image of the launch template's default version")
    same("UserData" in launch_template, True, "the user data of the launch template's default version (present)")


# What a new instance needs before the load balancer calls it healthy: the group's grace period, then
# the healthy checks in a row. A real account is given that long; an emulator answers at once.
HEALTH_POLL_SECONDS = 15
NEVER_HEALTHY = {"unused"}  # stopped, or not registered: no wait makes such a target healthy


def _target_health(target, autoscaling_group) -> str | None:
    """What keeps the fleet from serving: None when every instance of the group is a healthy target."""
    described = target.client("elbv2").describe_target_health(TargetGroupArn=target.outputs[Output.TARGET_GROUP_ARN])
    health = {item["Target"]["Id"]: item["TargetHealth"] for item in described["TargetHealthDescriptions"]}
    group = target.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[autoscaling_group["AutoScalingGroupName"]]
    )["AutoScalingGroups"][0]
    instances = {item["InstanceId"] for item in group["Instances"] if item["LifecycleState"] == "InService"}
    states = {instance: health.get(instance, {}).get("State", "not registered") for instance in instances}
    what = f"the health of the target group's targets, by instance of the group, is {states!r}"
    assert not set(states.values()) & NEVER_HEALTHY, f"drift: {what}"
    return None if set(states.values()) <= {"healthy"} else what


@pytest.mark.controls("CKV_PAY_44")
def test_every_instance_of_the_group_is_a_healthy_target(target, autoscaling_group):
    # A fleet nothing answers on never turns healthy: the group replaces it for ever and the alarm never clears.
    # In rehearsal moto calls every registered running target healthy without checking it: what runs here is the
    # reading (registration, states, the wait); that the hosts answer the health check shows only with --live.
    (planned_group,) = target.planned("aws_autoscaling_group")
    (planned_target_group,) = target.planned("aws_lb_target_group")
    check = planned_target_group["health_check"]
    budget = planned_group["health_check_grace_period"] + check["healthy_threshold"] * check["interval"]
    within(budget, HEALTH_POLL_SECONDS, lambda: _target_health(target, autoscaling_group))


@pytest.mark.controls("CKV_PAY_40")
def test_autoscaling_group_replaces_instances_within_the_planned_lifetime(target, autoscaling_group):
    (planned,) = target.planned("aws_autoscaling_group")
    same(
        autoscaling_group.get("MaxInstanceLifetime"), planned["max_instance_lifetime"], "the group's instance lifetime"
    )


@pytest.mark.controls("CKV_PAY_41", "CKV2_PAY_40")
def test_patch_baseline_installs_on_the_fleet_on_the_planned_schedule(target, autoscaling_group):
    (planned,) = target.planned("aws_ssm_association")
    ssm, name = target.client("ssm"), target.name(planned, "association_name")
    listed = ssm.list_associations(AssociationFilterList=[{"key": "AssociationName", "value": name}])["Associations"]
    assert listed, f"drift: the patch association {name} does not exist"
    found = ssm.describe_association(AssociationId=listed[0]["AssociationId"])["AssociationDescription"]
    same(
        (
            found.get("Name"),
            found.get("Parameters", {}).get("Operation"),
            found.get("ScheduleExpression"),
            [(item["Key"], item["Values"]) for item in found.get("Targets", [])],
        ),
        (
            planned["name"],
            [planned["parameters"]["Operation"]],
            planned["schedule_expression"],
            [(item["key"], [autoscaling_group["AutoScalingGroupName"]]) for item in planned["targets"]],
        ),
        f"the patch association {name} (document, operation, schedule, targets)",
    )


@pytest.mark.controls("CKV_PAY_42")
def test_session_preferences_encrypt_log_and_close_idle_sessions(target):
    (planned,) = target.planned("aws_ssm_document")
    name = target.outputs[Output.SESSION_DOCUMENT_NAME]
    same(name, target.name(planned), "the name of the session preferences document")
    found = target.client("ssm").get_document(Name=name)  # the default version
    expected = json.loads(planned["content"])["inputs"]
    expected["kmsKeyId"] = target.outputs[Output.SESSION_KEY_ARN]
    expected["cloudWatchLogGroupName"] = reference_name(target, expected["cloudWatchLogGroupName"])
    same(
        (found.get("DocumentType"), json.loads(found["Content"]).get("inputs")),
        ("Session", expected),
        f"the Session Manager preferences of document {name} (type, inputs)",
    )
