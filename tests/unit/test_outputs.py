"""The outputs the live suite reads: present, none sensitive, nested under the stack's name."""

from __future__ import annotations

REQUIRED_OUTPUTS = {
    "vpc_id",
    "public_subnet_ids",
    "app_subnet_ids",
    "db_subnet_ids",
    "nat_gateway_ids",
    "alb_arn",
    "alb_dns_name",
    "target_group_arn",
    "autoscaling_group_name",
    "launch_template_id",
    "db_identifier",
    "db_endpoint",
    "db_secret_arn",
    "data_bucket",
    "alb_logs_bucket",
    "data_key_arn",
    "logs_key_arn",
    "ebs_key_arn",
    "flow_log_group",
    "alarm_names",
}


def test_outputs_cover_every_identifier_the_live_suite_needs(plan):
    assert set(plan.outputs) >= REQUIRED_OUTPUTS
    assert all(value for value in plan.outputs.values())


def test_no_output_is_sensitive(plan):
    assert [name for name in plan.outputs if plan.output(name).get("sensitive")] == []


def test_outputs_are_nested_under_the_stack_name(plan, config):
    # `cdktf deploy --outputs-file` writes {"<stack>": {...}}: the live suite must select by this name.
    assert plan.stack_name == config.stack_name
    nested = plan.document["//"]["outputs"]
    assert list(nested) == [config.stack_name]
    assert set(nested[config.stack_name]) == set(plan.outputs)


def test_state_lives_beside_the_project_not_in_the_checkout_path(plan, config):
    assert plan.document["terraform"]["backend"] == {
        "local": {"path": f"../../../terraform.{config.stack_name}.tfstate"}
    }
