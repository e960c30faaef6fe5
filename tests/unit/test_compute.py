"""Application instances: the launch template, the Auto Scaling group, its schedules and instance role."""

from __future__ import annotations

from tap.plan import Match
from tests.unit.helpers import KMS_ARN_REFERENCE


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
        }
    )
    assert template["update_default_version"] is True


def test_instance_profile_grants_session_manager_only(plan):
    plan.resources("aws_iam_role_policy_attachment", under="compute/").assert_all(
        {"policy_arn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}
    )


def test_dev_scales_down_on_a_schedule_and_prod_does_not(plan, config):
    schedules = plan.resources("aws_autoscaling_schedule")
    schedules.assert_count(len(config.settings.schedules))
    if config.profile == "dev":
        schedules.assert_some({"desired_capacity": 0, "min_size": 0})
        schedules.assert_some({"desired_capacity": Match.at_least(1)})


def test_instances_boot_the_parameter_store_ami_and_leave_no_volume_or_interface_behind(plan):
    template = plan.resources("aws_launch_template").only()
    assert template["image_id"].startswith("${data.aws_ssm_parameter.")  # the patched AMI AWS publishes
    assert template["block_device_mappings"][0]["ebs"]["delete_on_termination"] == "true"
    assert template["network_interfaces"][0]["delete_on_termination"] == "true"
    group = plan.resources("aws_lb_target_group").only()
    plan.resources("aws_autoscaling_group").assert_all({"target_group_arns": [f"${{{group.address}.arn}}"]})


def test_instances_run_as_the_application_role(plan):
    # An instance profile without its role leaves the instances without Session Manager, logs or data access.
    role = plan.resources("aws_iam_role", under="compute/app-role").only()
    plan.resources("aws_iam_instance_profile").assert_all({"role": Match.reference_to(role.address, "name")})
