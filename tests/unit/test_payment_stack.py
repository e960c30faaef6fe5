"""The stack's wiring: the contract's outputs, and where its state lives."""

from __future__ import annotations

from stack.contract import EMPTY_WHEN_NO_EGRESS, IDENTITY_OUTPUTS, PROJECT_ROOT, Output, state_path


def test_stack_declares_exactly_the_contract_outputs(plan, egress_plan):
    for checked in (plan, egress_plan):
        assert sorted(checked.outputs) == sorted(key.value for key in Output)
    # Every value is there; only the declared destinations and their NAT gateways are empty, and
    # only in a deployment that declares none.
    assert [key for key in Output if egress_plan.outputs[key] in ("", None, [])] == []
    assert [key for key in Output if plan.outputs[key] in ("", None, [])] == list(EMPTY_WHEN_NO_EGRESS)


def test_identity_outputs_say_which_deployment_this_is(plan, config):
    identity = {key.value: plan.outputs[key] for key in IDENTITY_OUTPUTS}
    assert identity == {
        "environment_suffix": config.environment_suffix,
        "profile": config.profile,
        "region": config.region,
        "certificate_arn": config.certificate_arn,
        "internet_egress_cidrs": list(config.internet_egress_cidrs),
        "alarm_emails": list(config.alarm_emails),
        "key_administrator_role": config.key_administrator_role,
        "app_image": config.app_image,
    }


def test_identity_outputs_carry_the_declared_destinations(egress_plan, egress_config):
    # The live suite rebuilds the expected plan from these: without them it would expect no NAT.
    assert egress_plan.outputs[Output.INTERNET_EGRESS_CIDRS] == list(egress_config.internet_egress_cidrs) != []


def test_no_output_is_sensitive(plan):
    assert [name for name in plan.outputs if plan.output(name).get("sensitive")] == []


def test_outputs_are_nested_under_the_stack_name(plan, config):
    # `cdktf deploy --outputs-file` writes {"<stack>": {...}}: the live suite must select by this name.
    assert plan.stack_name == config.stack_name
    nested = plan.document["//"]["outputs"]
    assert list(nested) == [config.stack_name]
    assert set(nested[config.stack_name]) == set(plan.outputs)


def test_state_lives_in_the_project_root_whatever_the_checkout_path(plan, config):
    # The backend path is relative to the stack's folder in cdktf.out: it must land where tools look for it.
    (backend,) = plan.document["terraform"]["backend"].values()
    stack_folder = PROJECT_ROOT / "cdktf.out" / "stacks" / config.stack_name
    assert not backend["path"].startswith("/")
    assert (stack_folder / backend["path"]).resolve() == state_path(config.stack_name)
    assert state_path(config.stack_name).parent == PROJECT_ROOT
