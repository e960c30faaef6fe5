"""Waivers and not-applicable declarations: read from the plan and from a file, refused when
incomplete, scoped to environments, judged by date."""

from __future__ import annotations

import ast
import datetime as dt

import pytest

from stack.contract import PROJECT_ROOT
from tap.audit.waivers import CompensatingControl, Declared, NotApplicable, Waiver, from_file, from_plan, merge
from tap.errors import UsageError

ENTRY = """
[[waiver]]
check = "CKV_AWS_260"
resource = "aws_vpc_security_group_ingress_rule.http_in"
reason = "Port 80 only redirects browsers to the HTTPS listener."
approver = "security-lead@payments.example"
reference = "SEC-1234"
environments = ["dev", "prod"]
expires = 2027-05-31
"""

WORKSHEET = """constraint = "Browsers try plain HTTP first."
identified_risk = "Clear text on port 80."
"""

NOT_APPLICABLE = """
[[not_applicable]]
check = "CKV_AWS_145"
resource = "aws_s3_bucket.logs"
reason = "The bucket holds access logs, never cardholder data."
approver = "security-lead@payments.example"
reference = "https://github.com/payments/stack/pull/42"
"""


def write(tmp_path, text):
    path = tmp_path / "waivers.toml"
    path.write_text(text)
    return path


def test_waivers_file_is_read_with_every_field(tmp_path):
    (waiver,) = from_file(write(tmp_path, ENTRY)).waivers
    assert waiver == Waiver(
        check_id="CKV_AWS_260",
        address="aws_vpc_security_group_ingress_rule.http_in",
        reason="Port 80 only redirects browsers to the HTTPS listener.",
        approver="security-lead@payments.example",
        reference="SEC-1234",
        expires=dt.date(2027, 5, 31),
        environments=("dev", "prod"),
        source=str(tmp_path / "waivers.toml"),
        compensating_control=None,
    )


def test_compensating_control_fields_are_read_when_present_and_only_those(tmp_path):
    (waiver,) = from_file(write(tmp_path, ENTRY + WORKSHEET)).waivers
    assert waiver.compensating_control == CompensatingControl(
        constraint="Browsers try plain HTTP first.", identified_risk="Clear text on port 80."
    )


def test_not_applicable_table_is_read_with_who_decided_it(tmp_path):
    declared = from_file(write(tmp_path, NOT_APPLICABLE))
    assert declared.waivers == []
    assert declared.not_applicable == [
        NotApplicable(
            "CKV_AWS_145",
            "aws_s3_bucket.logs",
            "The bucket holds access logs, never cardholder data.",
            "security-lead@payments.example",
            "https://github.com/payments/stack/pull/42",
            str(tmp_path / "waivers.toml"),
        )
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('approver = "security-lead@payments.example"\n', ""), "lacks approver"),
        (('reference = "SEC-1234"\n', ""), "lacks reference"),
        (('reference = "SEC-1234"', 'reference = "approved in chat"'), "is neither a ticket key"),
        (('reference = "SEC-1234"', 'reference = "http://tracker/1"'), "is neither a ticket key"),
        (('environments = ["dev", "prod"]\n', ""), "lacks environments"),
        (('environments = ["dev", "prod"]', "environments = []"), "lacks environments"),
        (('environments = ["dev", "prod"]', 'environments = "dev"'), "its environments is a string"),
        (('environments = ["dev", "prod"]', 'environments = ["dev", "prd"]'), "names environment prd, which"),
        (("expires = 2027-05-31", 'expires = "next spring"'), "is not a date"),
        (("Port 80 only redirects browsers to the HTTPS listener.", "ok"), "a sentence of at least 6 words"),
        (("[[waiver]]", "[[waiver]"), "is not TOML"),
    ],
)
def test_incomplete_waiver_is_bad_input_in_one_sentence(change, message, tmp_path):
    with pytest.raises(UsageError, match=message) as error:
        from_file(write(tmp_path, ENTRY.replace(*change)))
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("field", ["approver", "reference", "reason"])
def test_not_applicable_without_who_or_why_is_bad_input(field, tmp_path):
    text = "\n".join(line for line in NOT_APPLICABLE.splitlines() if not line.startswith(f"{field} ="))
    with pytest.raises(UsageError, match=f"lacks {field}"):
        from_file(write(tmp_path, text))


def test_missing_waivers_file_is_bad_input(tmp_path):
    with pytest.raises(UsageError, match="the waivers file .* does not exist"):
        from_file(tmp_path / "absent.toml")


def test_same_finding_waived_twice_is_bad_input(tmp_path):
    declared = from_file(write(tmp_path, ENTRY))
    with pytest.raises(UsageError, match="repeats"):
        merge(declared, declared)


def test_same_finding_waived_and_declared_not_applicable_is_bad_input(tmp_path):
    waived = from_file(write(tmp_path, ENTRY.replace("CKV_AWS_260", "CKV_AWS_145").replace("http_in", "x")))
    declared = Declared(not_applicable=[NotApplicable("CKV_AWS_145", waived.waivers[0].address, "r.", "a", "S-1", "f")])
    with pytest.raises(UsageError, match="repeats"):
        merge(waived, declared)


def test_waiver_expires_the_day_after_its_date(tmp_path):
    (waiver,) = from_file(write(tmp_path, ENTRY)).waivers
    assert not waiver.expired(dt.date(2027, 5, 31))
    assert waiver.expired(dt.date(2027, 6, 1))


def test_waiver_applies_only_in_the_environments_it_names(tmp_path):
    (waiver,) = from_file(write(tmp_path, ENTRY.replace('["dev", "prod"]', '["dev"]'))).waivers
    assert waiver.applies_in("dev")
    assert not waiver.applies_in("prod") and not waiver.applies_in("nightly") and not waiver.applies_in(None)


def test_plan_carries_the_profile_exceptions_declared_in_the_stack(plans):
    dev, prod = from_plan(plans["dev"]).waivers, from_plan(plans["prod"]).waivers
    resilience = {("CKV_AWS_157", "aws_db_instance"), ("CKV_AWS_293", "aws_db_instance"), ("CKV_AWS_150", "aws_lb")}
    assert resilience <= {(waiver.check_id, waiver.address.split(".")[0]) for waiver in dev}
    assert not resilience & {(waiver.check_id, waiver.address.split(".")[0]) for waiver in prod}
    # Approved for the environments that trade resilience for cost, never for prod.
    for waiver in dev:
        if (waiver.check_id, waiver.address.split(".")[0]) in resilience:
            assert "prod" not in waiver.environments and waiver.environments
    assert all(waiver.source == "plan" and waiver.reason.endswith(".") and waiver.reference for waiver in dev)


def test_only_the_access_log_bucket_is_declared_not_applicable_and_the_alb_log_bucket_is_waived(plans):
    """The load balancer's logs may hold a PAN from a request URL: that bucket is not out of scope."""
    for plan in plans.values():
        declared = from_plan(plan)
        scoped = {(item.check_id, item.address) for item in declared.not_applicable}
        assert scoped == {("CKV_AWS_145", "aws_s3_bucket.storage_access-logs_bucket_1F0A0A1E")}
        assert not scoped & {waiver.key for waiver in declared.waivers}
        assert all("no cardholder data" in item.reason for item in declared.not_applicable)
        (alb,) = [w for w in declared.waivers if w.key[0] == "CKV_AWS_145"]
        assert "alb-logs" in alb.address and alb.compensating_control and "prod" in alb.environments


def test_waive_has_no_default_approval():
    """Anyone who commits a waive() call must name the approval that covers it: none is assumed."""
    tree = ast.parse((PROJECT_ROOT / "stack" / "waivers.py").read_text())
    (waive,) = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "waive"]
    required = waive.args.args[: len(waive.args.args) - len(waive.args.defaults)]
    assert "approval" in [argument.arg for argument in required]
    approval = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Approval")
    assert not [item for item in approval.body if isinstance(item, ast.AnnAssign) and item.value is not None]
