"""Application instances: the launch template, the Auto Scaling group, its schedules and instance role."""

from __future__ import annotations

from stack.naming import Names
from tap.plan import Match
from tests.unit.helpers import KMS_ARN_REFERENCE, SUFFIX_REFERENCE


def test_launch_template_requires_imdsv2_and_encrypted_volumes(plan):
    plan.resources("aws_launch_template").assert_all(
        {
            "metadata_options": {
                "http_tokens": "required",
                "http_put_response_hop_limit": 1,
                "http_endpoint": "enabled",
            },
            "block_device_mappings": [{"ebs": {"encrypted": "true", "kms_key_id": KMS_ARN_REFERENCE}}],
            "network_interfaces": [{"associate_public_ip_address": "false"}],
            "iam_instance_profile": {"arn": Match.any_value()},
        }
    )


# The Amazon Linux 2023 AMI's root snapshot: a smaller root volume fails every launch.
AMI_ROOT_SNAPSHOT_GIB = 8


def test_root_volume_holds_the_ami(plan):
    for template in plan.resources("aws_launch_template"):
        (device,) = template["block_device_mappings"]
        assert device["ebs"].get("volume_size", AMI_ROOT_SNAPSHOT_GIB) >= AMI_ROOT_SNAPSHOT_GIB, template.address


def test_launch_template_tags_instances_and_volumes(plan):
    template = plan.resources("aws_launch_template").only()
    types = {spec["resource_type"] for spec in template["tag_specifications"]}
    assert types == {"instance", "volume"}
    assert all(spec["tags"].get("Name") for spec in template["tag_specifications"])


def test_autoscaling_group_runs_latest_template_in_app_subnets_with_elb_checks(plan, config):
    template = plan.resources("aws_launch_template").only()
    group = plan.resources("aws_autoscaling_group").only()
    app = {f"${{{s.address}.id}}" for s in plan.resources("aws_subnet").where({"tags": {"Tier": "app"}})}
    assert set(group["vpc_zone_identifier"]) == app
    plan.resources("aws_autoscaling_group").assert_all(
        {
            "health_check_type": "ELB",
            "launch_template": {
                "id": f"${{{template.address}.id}}",
                "version": f"${{{template.address}.latest_version}}",
            },
            "min_size": config.settings.min_size,
            "max_size": config.settings.max_size,
            "desired_capacity": config.settings.desired_capacity,
        }
    )
    assert template["update_default_version"] is True
    assert template["instance_type"] == config.settings.instance_type


def test_deploys_leave_the_running_capacity_to_the_schedules(plan):
    # Without this, every apply would reset the capacity a schedule (or an operator) set.
    plan.resources("aws_autoscaling_group").assert_all({"lifecycle": {"ignore_changes": ["desired_capacity"]}})


# Booting Amazon Linux and starting the application, before the first health check can pass.
BOOT_SECONDS = 120


def test_a_new_instance_has_time_to_pass_its_health_checks_before_it_is_judged(plan):
    # A grace period shorter than boot plus the checks ELB needs replaces every new instance in a loop.
    check = plan.resources("aws_lb_target_group").only()["health_check"]
    needed = BOOT_SECONDS + check["healthy_threshold"] * check["interval"]
    plan.resources("aws_autoscaling_group").assert_all({"health_check_grace_period": Match.at_least(needed)})


def test_instances_volumes_and_their_group_carry_the_inventory_tags(plan, config):
    # Provider default tags reach neither Auto Scaling groups nor what they launch: without these,
    # the instances that process card data would be missing from a tag-based inventory.
    (default_tags,) = plan.block("provider.aws")["default_tags"]
    inventory = default_tags["tags"]
    assert inventory == config.inventory_tags
    template = plan.resources("aws_launch_template").only()
    for spec in template["tag_specifications"]:
        assert spec["tags"].items() >= inventory.items(), spec["resource_type"]
    group = plan.resources("aws_autoscaling_group").only()
    assert {tag["key"]: tag["value"] for tag in group["tag"]}.items() >= inventory.items()
    # The launch template names the instances: propagated group tags would overwrite their Name.
    assert [tag["propagate_at_launch"] for tag in group["tag"]] == [False] * len(group["tag"])


def test_instance_profile_grants_session_manager_only(plan):
    plan.resources("aws_iam_role_policy_attachment", under="compute/").assert_all(
        {"policy_arn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}
    )


SIZES = ("min_size", "max_size", "desired_capacity")


def test_schedules_are_the_profiles(plan, config):
    names = Names(config, SUFFIX_REFERENCE)
    declared = {
        names[s.name]: {"recurrence": s.recurrence, "time_zone": "UTC", **{size: getattr(s, size) for size in SIZES}}
        for s in config.settings.schedules
    }
    planned = {
        schedule["scheduled_action_name"]: {key: schedule.get(key) for key in ("recurrence", "time_zone", *SIZES)}
        for schedule in plan.resources("aws_autoscaling_schedule")
    }
    assert planned == declared


def test_dev_scales_down_on_a_schedule_and_prod_does_not(plan, config):
    schedules = plan.resources("aws_autoscaling_schedule")
    schedules.assert_count(len(config.settings.schedules))
    if config.profile == "dev":
        schedules.assert_some({"desired_capacity": 0, "min_size": 0})
        schedules.assert_some({"desired_capacity": Match.at_least(1)})


def test_instances_boot_the_configured_image_read_at_each_launch_and_leave_no_volume_or_interface_behind(plan, config):
    template = plan.resources("aws_launch_template").only()
    # EC2 resolves the parameter as each instance launches: a replacement boots the image current then.
    assert template["image_id"] == f"resolve:ssm:{config.app_image}"
    assert config.app_image.startswith("/aws/service/ami-amazon-linux-latest/")
    assert template["block_device_mappings"][0]["ebs"]["delete_on_termination"] == "true"
    assert template["network_interfaces"][0]["delete_on_termination"] == "true"
    group = plan.resources("aws_lb_target_group").only()
    plan.resources("aws_autoscaling_group").assert_all({"target_group_arns": [f"${{{group.address}.arn}}"]})


# What Auto Scaling accepts: 0 (no limit) or from one day to a year.
DAY_SECONDS = 24 * 3600


def test_every_instance_is_replaced_before_it_is_thirty_days_old(plan):
    # 6.3.3: each instance then runs an image at most 30 days old, patched weekly in between.
    plan.resources("aws_autoscaling_group").assert_all(
        {"max_instance_lifetime": Match.that(lambda v: DAY_SECONDS <= v <= 30 * DAY_SECONDS, "1 to 30 days")}
    )


def test_instances_run_as_the_application_role(plan):
    # An instance profile without its role leaves the instances without Session Manager, logs or data access.
    role = plan.resources("aws_iam_role", under="compute/app-role").only()
    plan.resources("aws_iam_instance_profile").assert_all({"role": Match.reference_to(role.address, "name")})
