"""Waivers: read from the plan and from a file, refused when incomplete, judged by date."""

from __future__ import annotations

import datetime as dt

import pytest

from tap.audit.waivers import Waiver, from_file, from_plan, merge
from tap.errors import UsageError

ENTRY = """
[[waiver]]
check = "CKV_AWS_260"
resource = "aws_vpc_security_group_ingress_rule.http_in"
reason = "Port 80 only redirects browsers to the HTTPS listener."
approver = "security-lead@payments.example"
expires = 2027-05-31
"""


def write(tmp_path, text):
    path = tmp_path / "waivers.toml"
    path.write_text(text)
    return path


def test_waivers_file_is_read_with_every_field(tmp_path):
    (waiver,) = from_file(write(tmp_path, ENTRY))
    assert waiver == Waiver(
        check_id="CKV_AWS_260",
        address="aws_vpc_security_group_ingress_rule.http_in",
        reason="Port 80 only redirects browsers to the HTTPS listener.",
        approver="security-lead@payments.example",
        expires=dt.date(2027, 5, 31),
        source=str(tmp_path / "waivers.toml"),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('approver = "security-lead@payments.example"\n', ""), "lacks approver"),
        (("expires = 2027-05-31", 'expires = "next spring"'), "is not a date"),
        (("Port 80 only redirects browsers to the HTTPS listener.", "ok"), "a sentence of at least 6 words"),
        (("[[waiver]]", "[[waiver]"), "not valid TOML"),
    ],
)
def test_incomplete_waiver_is_bad_input_in_one_sentence(change, message, tmp_path):
    with pytest.raises(UsageError, match=message) as error:
        from_file(write(tmp_path, ENTRY.replace(*change)))
    assert "\n" not in str(error.value)


def test_missing_waivers_file_is_bad_input(tmp_path):
    with pytest.raises(UsageError, match="cannot read the waivers file"):
        from_file(tmp_path / "absent.toml")


def test_same_finding_waived_twice_is_bad_input(tmp_path):
    waivers = from_file(write(tmp_path, ENTRY))
    with pytest.raises(UsageError, match="repeats"):
        merge(waivers, waivers)


def test_waiver_expires_the_day_after_its_date(tmp_path):
    (waiver,) = from_file(write(tmp_path, ENTRY))
    assert not waiver.expired(dt.date(2027, 5, 31))
    assert waiver.expired(dt.date(2027, 6, 1))


def test_plan_carries_the_profile_exceptions_declared_in_the_stack(plans):
    dev = {(waiver.check_id, waiver.address.split(".")[0]) for waiver in from_plan(plans["dev"])}
    prod = {(waiver.check_id, waiver.address.split(".")[0]) for waiver in from_plan(plans["prod"])}
    resilience = {("CKV_AWS_157", "aws_db_instance"), ("CKV_AWS_293", "aws_db_instance"), ("CKV_AWS_150", "aws_lb")}
    assert resilience <= dev
    assert not resilience & prod  # prod turns Multi-AZ and deletion protection on instead
    assert all(waiver.source == "plan" and waiver.reason.endswith(".") for waiver in from_plan(plans["dev"]))
