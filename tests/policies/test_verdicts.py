"""Every (check, resource) pair ends in a verdict someone can read, in all four reports."""

from __future__ import annotations

import copy
import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from tap.audit import command, findings_cache
from tap.audit.reports import REPORT_FILES, SCHEMA_FILE
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


def test_a_requirement_resting_on_a_waived_failure_is_configured_with_exception_naming_it(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    waived = [item for item in document["requirements"] if item["findings"]["WAIVED"]]
    assert waived
    for requirement in waived:
        allowed = ("configured_with_exception", "manual_evidence_required", "not_tested", "not_applicable")
        assert requirement["result"] in allowed, requirement["id"]
        if requirement["result"] == "configured_with_exception":
            assert requirement["label"].startswith("Configured with exception")
            assert len(requirement["exceptions"]) == requirement["findings"]["WAIVED"]
            assert all("waived until" in text and "worksheet" in text for text in requirement["exceptions"])
    assert any(item["result"] == "configured_with_exception" for item in waived)
    # The port-80 waiver carries a compensating-control worksheet, and says so where it is used.
    exceptions = [text for item in waived for text in item["exceptions"]]
    assert any("CKV_AWS_260" in text and "with a compensating-control worksheet" in text for text in exceptions)
    plain = ("configured", "configured_partial")
    assert not [item["id"] for item in document["requirements"] if item["result"] in plain and item["exceptions"]]


def test_directives_and_values_borrowed_from_other_blocks_are_not_evaluated(policy_run, tmp_path, capsys):
    """`%{...}` is a template Terraform evaluates; `${terraform_data.x.output}` a value computed elsewhere."""
    path = hostile(
        policy_run,
        tmp_path,
        aws_subnet={"map_public_ip_on_launch": "%{ if true }true%{ endif }"},
        aws_db_instance={"publicly_accessible": "${terraform_data.peer.output.id}"},  # `.id` of a computed value
    )
    code, _, document = audit(path, tmp_path / "out", capsys)
    assert code == 1
    assert statuses(document, "CKV_PAY_10") == {"NOT_EVALUATED"}
    assert "NOT_EVALUATED" in statuses(document, "CKV_PAY_7") and "PASSED" not in statuses(document, "CKV_AWS_17")


def test_a_template_of_constants_is_judged_as_the_text_terraform_renders(policy_run, tmp_path, capsys):
    path = hostile(policy_run, tmp_path, aws_subnet={"map_public_ip_on_launch": '${"tr"}ue'})
    code, _, document = audit(path, tmp_path / "out", capsys)
    assert code == 1 and statuses(document, "CKV_AWS_130") == {"FAILED"}
    assert "FAILED" in statuses(document, "CKV_PAY_10")


def test_the_audit_judges_the_bytes_it_read_first_whatever_happens_to_the_file(
    policy_run, tmp_path, capsys, monkeypatch
):
    """A plan swapped for another while the audit runs: every step still reads the first bytes."""
    plan = tmp_path / "plan" / "cdk.tf.json"
    plan.parent.mkdir()
    original = policy_run.real["dev"].read_bytes()
    plan.write_bytes(original)
    (plan.parent / "engine.json").write_bytes((policy_run.real["dev"].parent / "engine.json").read_bytes())
    scan = command.scan

    def swapped_then_scanned(plans):
        document = json.loads(original)
        for body in document["resource"]["aws_db_instance"].values():
            body["publicly_accessible"] = True
        plan.write_text(json.dumps(document))
        return scan(plans)

    monkeypatch.setattr(command, "scan", swapped_then_scanned)
    out = tmp_path / "out"
    code = main(["audit", "--plan", str(plan), "--out", str(out)])
    report = json.loads((out / "compliance.json").read_text())
    assert code == 0 and report["binding"]["bound"]
    assert report["provenance"]["plan_sha256"] == hashlib.sha256(original).hexdigest()
    assert (out / "audited-plan.tf.json").read_bytes() == original
    assert statuses(report, "CKV_PAY_7") == {"PASSED"}


def test_an_audit_from_the_findings_cache_writes_the_same_reports_as_a_scan(policy_run, tmp_path, monkeypatch):
    """The second audit of an unchanged plan reads its findings from the cache: byte for byte the same
    reports, but for the time they were made."""
    monkeypatch.setenv(findings_cache.CACHE_VARIABLE, str(tmp_path / "cache"))
    runs = []
    for out in (tmp_path / "scanned", tmp_path / "cached"):
        assert main(["audit", "--plan", str(policy_run.real["prod"]), "--out", str(out), "--as-of", "2026-11-29"]) == 0
        generated = json.loads((out / "compliance.json").read_text())["provenance"]["generated_at"]
        runs.append({path.name: path.read_bytes().replace(generated.encode(), b"<time>") for path in out.iterdir()})
    assert [path.name for path in (tmp_path / "cache").glob("checks-*.json")], "the first audit scanned nothing"
    scanned, cached = runs
    # The four reports, the plan, its record, the manifest and the folder's mark.
    assert sorted(scanned) == sorted(cached) and len(scanned) == 8
    # Every report the same but for its time; the manifest then differs at most by their digests.
    assert {name for name in scanned if scanned[name] != cached[name]} <= {"manifest.json"}
    manifests = [json.loads(run["manifest.json"]) for run in runs]
    assert [{key: value for key, value in manifest.items() if key != "files"} for manifest in manifests] == [
        {key: value for key, value in manifests[0].items() if key != "files"}
    ] * 2


def test_a_block_is_shown_as_json_with_the_keys_that_name_secrets_redacted(policy_run, tmp_path, capsys):
    secret = "Zq81-not-for-reports"
    tag = {"key": "Name", "value": "app", "propagate_at_launch": True, "auth_token": secret}
    path = hostile(policy_run, tmp_path, aws_autoscaling_group={"tag": [tag]})
    _, _, document = audit(path, tmp_path / "out", capsys)
    shown = [item["attributes"]["tag"] for item in document["evidence"] if item["check_id"] == "CKV_AWS_153"]
    block = '[{"key": "Name", "value": "app", "propagate_at_launch": true, '
    assert shown and all(text.startswith(block) for text in shown)
    for name in REPORT_FILES.values():
        assert secret not in (tmp_path / "out" / name).read_text(), name
