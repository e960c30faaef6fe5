"""The launch template's default version and the Auto Scaling group, as the plan declares them."""

from __future__ import annotations

import pytest

from stack.contract import Output
from tests.integration.conftest import reference_name, referenced, same


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


def test_autoscaling_group_spans_app_subnets_behind_the_target_group(target):
    (planned,) = target.planned("aws_autoscaling_group")
    (group,) = target.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[target.outputs[Output.AUTOSCALING_GROUP_NAME]]
    )["AutoScalingGroups"]
    same((group["MinSize"], group["MaxSize"]), (planned["min_size"], planned["max_size"]), "the group's size limits")
    same(
        sorted(group["VPCZoneIdentifier"].split(",")),
        sorted(target.outputs[Output.APP_SUBNET_IDS]),
        "the group's subnets",
    )
    same(group["TargetGroupARNs"], [target.outputs[Output.TARGET_GROUP_ARN]], "the group's target groups")
    same(group["HealthCheckType"], planned["health_check_type"], "the group's health check type")
    same(
        group["LaunchTemplate"]["LaunchTemplateId"],
        target.outputs[Output.LAUNCH_TEMPLATE_ID],
        "the group's launch template",
    )
