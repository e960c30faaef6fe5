"""Every result checkov gives ends in a verdict: UNKNOWN never passes in silence, nor does a pass on an expression."""

from __future__ import annotations

import pytest

from stack.contract import OUT_OF_SCOPE_MARK
from tap.audit.judgement import SCOPE_FILE, judge, out_of_scope
from tap.errors import UsageError

LOAD_BALANCER = "aws_lb.alb"


def plan(**load_balancer) -> dict:
    return {"resource": {"aws_lb": {"alb": {"//": {"metadata": {"path": "s/alb"}}, **load_balancer}}}}


def result(check_id="CKV_AWS_91", outcome="PASSED", keys=("access_logs/[0]/enabled",), details=()) -> dict:
    """One worker result, as tap/audit/checkov_worker.py writes it."""
    return {
        "check_id": check_id,
        "check_name": "a check",
        "result": outcome,
        "address": LOAD_BALANCER,
        "evaluated_keys": list(keys),
        "guideline": None,
        "lines": [1, 9],
        "details": list(details),
    }


def test_a_pass_and_a_failure_on_literal_values_stand():
    document = plan(access_logs={"enabled": True})
    assert judge(result(), document).result == "PASSED"
    assert judge(result(outcome="FAILED"), document).result == "FAILED"


def test_a_pass_on_an_expression_is_not_evaluated_and_names_it():
    finding = judge(result(), plan(access_logs={"enabled": "${var.logs}"}))
    assert finding.result == "NOT_EVALUATED"
    assert "access_logs/[0]/enabled = ${var.logs}" in finding.reason


def test_a_pass_on_a_reference_or_a_folded_constant_stands():
    assert judge(result(), plan(access_logs={"enabled": "${true}"})).result == "PASSED"
    assert judge(result(keys=("subnets",)), plan(subnets=["${aws_subnet.a.id}"])).result == "PASSED"


def test_a_failure_on_an_expression_still_fails():
    assert judge(result(outcome="FAILED"), plan(access_logs={"enabled": "${1 == 1}"})).result == "FAILED"


def test_unknown_on_an_expression_is_not_evaluated_naming_the_attribute():
    finding = judge(result(outcome="UNKNOWN", keys=()), plan(load_balancer_type="${local.kind}"))
    assert finding.result == "NOT_EVALUATED"
    assert "load_balancer_type = ${local.kind}" in finding.reason


def test_unknown_with_nothing_unreadable_is_still_not_evaluated():
    finding = judge(result(outcome="UNKNOWN", keys=("idle_timeout",)), plan(idle_timeout=60))
    assert finding.result == "NOT_EVALUATED"
    assert "checkov gave no verdict" in finding.reason and "idle_timeout = 60" in finding.reason


def test_unknown_our_policy_marks_out_of_scope_is_not_applicable_with_its_reason():
    marked = result("CKV_PAY_11", "UNKNOWN", (), [f"{OUT_OF_SCOPE_MARK}a HTTP listener: this check judges HTTPS"])
    finding = judge(marked, plan())
    assert finding.result == "NOT_APPLICABLE"
    assert finding.reason.startswith("a HTTP listener") and "CKV_PAY_11's own scope" in finding.reason


def test_unknown_a_scope_entry_covers_is_not_applicable_on_its_literal_values_only():
    unknown = result("CKV_AWS_152", "UNKNOWN", ("enable_cross_zone_load_balancing",))
    application = judge(unknown, plan(load_balancer_type="application"))
    assert application.result == "NOT_APPLICABLE" and "checkov_scope.toml" in application.reason
    assert judge(unknown, plan()).result == "NOT_APPLICABLE"  # no type: an application load balancer
    assert judge(unknown, plan(load_balancer_type="network")).result == "NOT_EVALUATED"
    assert judge(unknown, plan(load_balancer_type="${var.kind}")).result == "NOT_EVALUATED"


def test_unknown_of_another_check_is_not_covered_by_a_scope_entry():
    assert judge(result("CKV_AWS_999", "UNKNOWN", ()), plan(load_balancer_type="application")).result == (
        "NOT_EVALUATED"
    )


def test_every_scope_entry_names_a_check_types_a_condition_and_a_sentence():
    entries = out_of_scope()
    assert entries
    for entry in entries:
        assert entry.types and (entry.when or entry.when_absent)
        assert entry.reason.endswith(".") and len(entry.reason.split()) >= 12, entry.check_id


@pytest.mark.parametrize(
    "text",
    [
        '[[out_of_scope]]\ncheck = "CKV_AWS_1"\ntypes = ["aws_lb"]\nreason = "No condition."\n',
        '[[out_of_scope]]\ncheck = "CKV_AWS_1"\nwhen_absent = ["x"]\nreason = "No types."\n',
        "not toml [",
    ],
)
def test_a_scope_entry_without_what_it_needs_is_refused(tmp_path, text):
    path = tmp_path / "scope.toml"
    path.write_text(text)
    with pytest.raises(UsageError):
        out_of_scope(path)


def test_the_scope_file_is_the_policies_folders():
    assert SCOPE_FILE.parent.name == "policies"


def test_a_pass_on_a_value_another_block_computes_is_not_evaluated_unless_our_policy_read_it():
    document = plan(access_logs={"enabled": "${terraform_data.switch.output}"})
    assert judge(result(), document).result == "NOT_EVALUATED"  # a built-in or graph check
    # Our Python policies read through policies.support, which refuses such a value where a literal is needed.
    assert judge({**result(), "strict": True}, document).result == "PASSED"
    assert judge(result(), plan(access_logs={"enabled": True, "bucket": "${aws_s3_bucket.logs.id}"})).result == (
        "PASSED"
    )


def test_a_directive_is_never_read_as_its_text():
    finding = judge(result(), plan(access_logs={"enabled": "%{ if true }true%{ endif }"}))
    assert finding.result == "NOT_EVALUATED" and "%{ if true }" in finding.reason
