"""Every (check, resource) pair ends in a verdict someone can read, in all four reports."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from tap.audit.reports import SCHEMA_FILE
from tap.cli import main
from tap.plan import Plan


def hostile(policy_run, tmp_path: Path, **changes: dict[str, object]) -> Path:
    """The dev plan with attributes of every resource of some types changed: {type: {attribute: value}}."""
    document = copy.deepcopy(Plan.load(policy_run.real["dev"]).document)
    for type_, attributes in changes.items():
        for body in document["resource"][type_].values():
            for key, value in attributes.items():
                *parents, last = key.split(".")
                target = body
                for parent in parents:
                    target = target[parent]
                target[last] = value
    path = tmp_path / "plan" / "cdk.tf.json"
    path.parent.mkdir()
    path.write_text(json.dumps(document, indent=2))
    return path


def audit(path: Path, out: Path, capsys) -> tuple[int, str, dict]:
    code = main(["audit", "--plan", str(path), "--out", str(out)])
    return code, capsys.readouterr().out, json.loads((out / "compliance.json").read_text())


def statuses(document: dict, check_id: str) -> set[str]:
    return {item["status"] for item in document["evidence"] if item["check_id"] == check_id}


def test_constant_expressions_are_judged_as_the_values_terraform_gives_them(policy_run, tmp_path, capsys):
    path = hostile(
        policy_run,
        tmp_path,
        aws_db_instance={"publicly_accessible": "${true}"},
        aws_kms_key={"enable_key_rotation": "${false}"},
        aws_lb={"access_logs.enabled": "${false}"},
    )
    code, console, document = audit(path, tmp_path / "out", capsys)
    assert code == 1
    for check_id in ("CKV_PAY_7", "CKV_PAY_5", "CKV_PAY_14", "CKV_AWS_17", "CKV_AWS_7"):
        assert statuses(document, check_id) == {"FAILED"}, check_id
        assert f"FAILED {check_id} " in console
    assert document["totals"]["NOT_EVALUATED"] == 0


def test_an_unresolved_expression_is_not_evaluated_in_every_report_and_fails_the_audit(policy_run, tmp_path, capsys):
    path = hostile(policy_run, tmp_path, aws_db_instance={"publicly_accessible": "${1 == 1}"})
    out = tmp_path / "out"
    code, console, document = audit(path, out, capsys)
    assert code == 1
    jsonschema.validate(document, json.loads(SCHEMA_FILE.read_text()))
    unread = [item for item in document["evidence"] if item["status"] == "NOT_EVALUATED"]
    assert {item["check_id"] for item in unread} >= {"CKV_PAY_7", "CKV_AWS_17"}
    assert all("publicly_accessible = ${1 == 1}" in item["reason"] for item in unread)
    assert document["totals"]["NOT_EVALUATED"] == len(unread) and document["verdict"] == "fail"
    assert "NOT EVALUATED CKV_PAY_7 aws_db_instance." in console and console.rstrip().endswith("FAIL")
    # The requirement the check evidences cannot be In Place on what was not read.
    summary = {item["id"]: item for item in document["requirements"]}
    assert summary["1.4.4"]["result"] == "not_evaluated" and summary["1.4.4"]["findings"]["NOT_EVALUATED"] >= 2

    html = (out / "compliance.html").read_text()
    assert html.count('class="status NOT_EVALUATED"') == len(unread) and "publicly_accessible = ${1 == 1}" in html
    cases = [case for case in ET.parse(out / "compliance.junit.xml").getroot().iter("testcase")]
    failures = [case.find("failure") for case in cases if case.find("failure") is not None]
    assert sum(failure.get("type") == "NOT_EVALUATED" for failure in failures) == len(unread)
    sarif = json.loads((out / "compliance.sarif").read_text())["runs"][0]["results"]
    opened = [result for result in sarif if result["kind"] == "open"]
    assert len(opened) == len(unread) and all(result["level"] == "error" for result in opened)


def test_a_requirement_resting_on_a_waived_failure_is_in_place_with_exception_naming_it(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    waived = [item for item in document["requirements"] if item["findings"]["WAIVED"]]
    assert waived
    for requirement in waived:
        assert requirement["result"] in ("in_place_with_exception", "not_tested", "not_applicable"), requirement["id"]
        if requirement["result"] == "in_place_with_exception":
            assert requirement["label"].startswith("In Place with exception")
            assert len(requirement["exceptions"]) == requirement["findings"]["WAIVED"]
            assert all("waived until" in text and "worksheet" in text for text in requirement["exceptions"])
    assert any(item["result"] == "in_place_with_exception" for item in waived)
    # The port-80 waiver carries a compensating-control worksheet, and says so where it is used.
    exceptions = [text for item in waived for text in item["exceptions"]]
    assert any("CKV_AWS_260" in text and "with a compensating-control worksheet" in text for text in exceptions)
    assert not [item["id"] for item in document["requirements"] if item["result"] == "in_place" and item["exceptions"]]
