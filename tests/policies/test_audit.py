"""`tap audit` end to end: reports, exit codes, waivers judged, live evidence folded in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import markupsafe
import pytest

from stack.contract import ENGINE_RECORD
from stack.engines import ENGINES
from tap.audit import command, live_results, waivers
from tap.audit.binding import bind
from tap.audit.bundle import MANIFEST, PLAN_COPY
from tap.audit.command import DEFAULT_WAIVERS, load_waivers
from tap.audit.mapping import Mapping
from tap.audit.network import RULE_TYPES, network_rules
from tap.audit.reports import REPORT_FILES, SCHEMA_FILE, to_json, write_all
from tap.audit.verdict import evaluate
from tap.audit.waivers import from_file, shown_source
from tap.cli import main
from tap.errors import UsageError
from tap.files import FOLDER_MARK
from tap.plan import Plan
from tests.policies.conftest import TODAY
from tests.policies.junit import ACCOUNT, REGION, write_live_results


def audit_of(policy_run, profile="dev", waivers=None, as_of=TODAY, live=(), reviewed_file=None):
    """The audit of a real plan, bound to the commit; `reviewed_file`: a waivers file taken as reviewed too."""
    path = policy_run.real[profile]
    plan = Plan.load(path)
    accepted = load_waivers(plan, None) if waivers is None else waivers
    binding = bind(path, DEFAULT_WAIVERS)
    if reviewed_file:  # the waiver logic under test, on declarations taken as reviewed
        binding = dataclasses.replace(binding, reviewed_files=(shown_source(reviewed_file),))
    return evaluate(plan, path, policy_run.scan, accepted, Mapping.load(), as_of, live, binding)


def test_audit_of_real_plan_exits_0_and_writes_four_reports_sealed_with_the_plan_and_its_record(reports):
    code, out = reports
    assert code == 0
    assert sorted(path.name for path in out.iterdir()) == [
        ".tap-output",
        "audited-plan.tf.json",
        "compliance.html",
        "compliance.json",
        "compliance.junit.xml",
        "compliance.sarif",
        "engine.json",
        "manifest.json",
    ]
    sealed = json.loads((out / MANIFEST).read_text())["files"]
    assert {"engine.json", "audited-plan.tf.json", ".tap-output"} <= set(sealed)


def test_json_report_follows_its_schema_and_keeps_waived_findings(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    jsonschema.validate(document, json.loads(SCHEMA_FILE.read_text()))
    waived = [item for item in document["evidence"] if item["status"] == "WAIVED"]
    assert waived and all(item["waiver"]["reason"] and item["waiver"]["approver"] for item in waived)
    assert re.fullmatch(r"[0-9a-f]{64}", document["provenance"]["plan_sha256"])
    assert document["provenance"]["stack"] == "TapStackdev" and document["provenance"]["profile"] == "dev"


def test_provenance_records_the_engine_that_made_the_plan(reports):
    engine = json.loads((reports[1] / "compliance.json").read_text())["provenance"]["engine"]
    assert engine["name"] in ENGINES
    assert set(ENGINES[engine["name"]].distributions) <= set(engine["versions"])
    assert f"{engine['name']}: " in (reports[1] / "compliance.html").read_text()


def test_sarif_names_the_resource_in_every_result(reports):
    sarif = json.loads((reports[1] / "compliance.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert results
    for result in results:
        (location,) = result["locations"]
        assert location["logicalLocations"][0]["fullyQualifiedName"] == result["properties"]["resource"]
        assert result["properties"]["resource"] in result["message"]["text"]
    suppressed = [result for result in results if "suppressions" in result]
    assert suppressed and all(item["suppressions"][0]["status"] == "accepted" for item in suppressed)


def test_junit_has_a_case_per_finding_and_skips_waived_ones(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    root = ET.parse(reports[1] / "compliance.junit.xml").getroot()
    cases = list(root.iter("testcase"))
    assert len(cases) == len(document["evidence"])
    skipped = document["totals"]["WAIVED"] + document["totals"]["NOT_APPLICABLE"]
    assert sum(case.find("skipped") is not None for case in cases) == skipped
    assert not any(case.find("failure") is not None for case in cases)


def test_html_report_is_self_contained_with_every_section(reports):
    html = (reports[1] / "compliance.html").read_text()
    assert not re.search(r"<(script|link|img|iframe)\b|url\(|@import", html, re.IGNORECASE)
    for section in ("provenance", "requirements", "evidence", "waivers", "live", "unmapped"):
        assert f'id="{section}"' in html
    assert "@media print" in html
    assert "3.5.1" in html and "WAIVED" in html


def test_mutated_plan_makes_audit_exit_1_and_name_the_resource(policy_run, tmp_path, capsys):
    mutant = policy_run.mutants["CKV_PAY_6"]
    assert main(["audit", "--plan", str(mutant.path), "--out", str(tmp_path)]) == 1
    assert f"FAILED CKV_PAY_6 {mutant.address}" in capsys.readouterr().out


def test_expired_waivers_fail_the_audit_and_are_named(policy_run):
    audit = audit_of(policy_run, as_of=dt.date(2027, 6, 1))
    assert audit.exit_code == 1
    assert any(
        "CKV_AWS_293 on aws_db_instance" in problem and "expired on 2027-05-31" in problem for problem in audit.problems
    )
    assert audit.count("WAIVED") == 0  # an expired waiver covers nothing


def test_stale_waivers_fail_the_audit(policy_run, tmp_path):
    waivers_file = tmp_path / "waivers.toml"
    shutil.copy(DEFAULT_WAIVERS, waivers_file)
    stale = {
        "CKV_AWS_999": ("aws_lb.load_balancer_alb_027FD642", "names a check that no longer exists"),
        "CKV_AWS_145": ("aws_s3_bucket.gone_bucket", "names a resource that is not in the plan"),
        "CKV_PAY_5": ("aws_kms_key.encryption_data-key_5FB0C2D1", "covers a finding that no longer fails"),
    }
    with waivers_file.open("a") as handle:
        for check, (resource, _) in stale.items():
            handle.write(
                f'\n[[waiver]]\ncheck = "{check}"\nresource = "{resource}"\n'
                'reason = "A waiver that outlived the finding it covered."\n'
                'approver = "someone"\nreference = "SEC-1"\nenvironments = ["dev"]\nexpires = 2027-01-01\n'
            )
    plan = Plan.load(policy_run.real["dev"])
    audit = audit_of(policy_run, waivers=load_waivers(plan, waivers_file), reviewed_file=waivers_file)
    assert audit.exit_code == 1
    for check, (resource, sentence) in stale.items():
        assert any(f"{check} on {resource}" in problem and sentence in problem for problem in audit.problems), check


def test_waivers_are_kept_in_every_report_when_they_apply(policy_run):
    document = to_json(audit_of(policy_run))
    file_waivers = from_file(DEFAULT_WAIVERS).waivers
    waived = {(item["check_id"], item["resource"]) for item in document["evidence"] if item["status"] == "WAIVED"}
    assert {(waiver.check_id, waiver.address) for waiver in file_waivers} <= waived


def test_live_results_are_folded_in_per_requirement(policy_run, tmp_path):
    live = write_live_results(tmp_path / "live-results.xml", policy_run.real["dev"])
    audit = audit_of(policy_run, live=live_results.read(live))
    summary = {item.requirement.id: item for item in audit.requirements}
    # Storage encryption only supports 3.5.1: its live test evidences the customer-managed key (3.6.1).
    assert summary["3.6.1"].live == {"passed": 1} and summary["3.5.1"].live == {}
    assert summary["1.4.4"].live == {"failed": 1} and summary["1.4.4"].result == "not_in_place"
    assert summary["3.7.4"].live == {"passed": 1}
    assert audit.exit_code == 1
    assert any("the database is publicly accessible" in problem for problem in audit.problems)


def test_malformed_live_results_are_bad_input(tmp_path):
    broken = tmp_path / "results.xml"
    broken.write_text("<testsuites><testcase")
    with pytest.raises(UsageError, match="is not XML"):
        live_results.read(broken)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("{not json", "is not JSON"),
        ('{"resource": {}}', "is not a CDKTF plan"),
    ],
)
def test_bad_plan_exits_2_with_one_line(content, message, tmp_path, capsys):
    plan = tmp_path / "cdk.tf.json"
    if content is not None:
        plan.write_text(content)
    assert main(["audit", "--plan", str(plan), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1 and "Traceback" not in error


def test_a_secret_in_the_plan_never_reaches_a_report(policy_run, tmp_path, capsys):
    mutant = policy_run.mutants["CKV_PAY_18"]  # a literal master password in the plan
    secret = json.loads(mutant.path.read_text())["resource"]["aws_db_instance"]
    (password,) = [body["password"] for body in secret.values()]
    assert main(["audit", "--plan", str(mutant.path), "--out", str(tmp_path)]) == 1
    assert password not in capsys.readouterr().out
    reports = [path.read_text() for path in tmp_path.iterdir()]
    # four reports, the manifest and the folder's mark
    assert len(reports) == 6 and not (tmp_path / PLAN_COPY).exists()
    assert not [text for text in reports if password in text]
    assert "<redacted>" in (tmp_path / "compliance.json").read_text()


def test_live_results_carry_what_they_checked(policy_run, tmp_path):
    live = write_live_results(tmp_path / "live-results.xml", policy_run.real["dev"])
    (first, *_) = live_results.read(live)
    assert (first.stack, first.account, first.region) == ("TapStackdev", ACCOUNT, REGION)
    assert re.fullmatch(r"[0-9a-f]{64}", first.plan_sha256)


def test_prod_audit_refuses_the_live_results_of_dev(policy_run, tmp_path, capsys):
    live = write_live_results(tmp_path / "live-results.xml", policy_run.real["dev"])
    arguments = ["audit", "--plan", str(policy_run.real["prod"]), "--live-results", str(live)]
    assert main([*arguments, "--out", str(tmp_path / "reports")]) == 2
    assert (
        capsys.readouterr().err == "tap: the live results are from TapStackdev, not TapStackprod: "
        "pass the live results of TapStackprod\n"
    )
    assert not (tmp_path / "reports").exists()


def as_scanned(scan, plan_path, audited):
    """The session's findings on `plan_path`, under the path of the audit's own copy of it (`audited`)."""
    return dataclasses.replace(scan, findings={Path(audited).resolve(): scan.findings[plan_path.resolve()]})


@pytest.fixture
def scanned_once(policy_run, monkeypatch):
    """`tap audit` reads the session's one checkov scan instead of running its own."""
    real = {path.read_bytes(): path for path in policy_run.real.values()}
    monkeypatch.setattr(
        command, "scan", lambda plans: as_scanned(policy_run.scan, real[Path(plans[0]).read_bytes()], plans[0])
    )


def test_live_accounts_and_regions_are_in_the_provenance_and_a_failed_live_test_fails(
    policy_run, scanned_once, tmp_path
):
    live = write_live_results(tmp_path / "live-results.xml", policy_run.real["dev"])
    out = tmp_path / "reports"
    arguments = ["audit", "--plan", str(policy_run.real["dev"]), "--live-results", str(live), "--out", str(out)]
    assert main([*arguments, "--as-of", "2026-11-29"]) == 1  # the failed live test
    provenance = json.loads((out / "compliance.json").read_text())["provenance"]
    assert (provenance["live_accounts"], provenance["live_regions"]) == ([ACCOUNT], [REGION])
    assert f"account {ACCOUNT} in {REGION}" in (out / "compliance.html").read_text()


def without_findings(scan, plan_path, unread: set[str] | None):
    """The scan as if checkov had read none of the plan's resources in `unread` (None: none at all)."""
    findings = scan.findings[plan_path.resolve()]
    kept = [item for item in findings if unread is not None and item.address not in unread]
    return dataclasses.replace(scan, findings={plan_path.resolve(): kept})


@pytest.mark.parametrize("one_resource", [False, True], ids=["no finding at all", "a resource not read"])
def test_a_scan_that_checked_nothing_is_no_verdict(one_resource, policy_run, monkeypatch, tmp_path, capsys):
    dev = policy_run.real["dev"]
    address = next(iter(Plan.load(dev).resources())).address
    unread = {address} if one_resource else None
    monkeypatch.setattr(
        command, "scan", lambda plans: as_scanned(without_findings(policy_run.scan, dev, unread), dev, plans[0])
    )
    assert main(["audit", "--plan", str(dev), "--out", str(tmp_path / "reports")]) == 2
    error = capsys.readouterr().err
    expected = f"no finding on {address} of the plan" if one_resource else "checkov produced no finding on the plan"
    assert expected in error and error.count("\n") == 1


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def leftovers(folder: Path) -> list[str]:
    return [path.name for path in folder.parent.iterdir() if path.name.startswith(f".{folder.name}.")]


def fail_sarif_writer(monkeypatch):
    def broken(audit):
        raise RuntimeError("the SARIF writer broke")

    monkeypatch.setattr("tap.audit.reports.to_sarif", broken)
    return RuntimeError


def fail_disk_at_sarif_file(monkeypatch):
    original = Path.write_text

    def write_text(path, *args, **kwargs):
        if path.name == REPORT_FILES["sarif"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(path, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    return UsageError


@pytest.mark.parametrize("break_writing", [fail_sarif_writer, fail_disk_at_sarif_file])
def test_a_failed_report_write_leaves_the_previous_set_whole(break_writing, policy_run, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    write_all(audit_of(policy_run, "prod"), out)
    previous = snapshot(out)
    error = break_writing(monkeypatch)
    with pytest.raises(error):
        write_all(audit_of(policy_run, "dev"), out)
    assert snapshot(out) == previous
    assert leftovers(out) == []


def test_reports_replace_the_previous_set_whole(policy_run, tmp_path):
    out = tmp_path / "reports"
    write_all(audit_of(policy_run, "prod"), out)
    write_all(audit_of(policy_run, "dev"), out)
    assert sorted(path.name for path in out.iterdir()) == sorted(
        [*REPORT_FILES.values(), PLAN_COPY, ENGINE_RECORD, MANIFEST, FOLDER_MARK]
    )
    stacks = {
        json.loads((out / "compliance.json").read_text())["provenance"]["stack"],
        json.loads((out / "compliance.sarif").read_text())["runs"][0]["properties"]["provenance"]["stack"],
        ET.parse(out / "compliance.junit.xml").getroot().get("name").split()[-1],
        re.search(r"<title>Compliance report: (\w+)", (out / "compliance.html").read_text()).group(1),
    }
    assert stacks == {"TapStackdev"}
    assert leftovers(out) == []


def test_partial_coverage_has_a_result_of_its_own_never_the_plain_one(reports):
    """A machine reader of compliance.json sees partial coverage in the result itself, not only in a label."""
    document = json.loads((reports[1] / "compliance.json").read_text())
    html = (reports[1] / "compliance.html").read_text()
    partial = [item for item in document["requirements"] if item["coverage"] == "partial"]
    assert partial and not [item for item in partial if item["result"] in ("configured", "in_place")]
    passed = [item for item in partial if item["result"] == "configured_partial"]
    assert passed
    for requirement in passed:
        assert requirement["label"] == "Configured (partial)"
        row = re.search(rf"<strong>{re.escape(requirement['id'])}</strong>.*?</tr>", html, re.DOTALL).group(0)
        assert ">Configured<" not in row and str(markupsafe.escape(requirement["still_needed"])) in row


def test_a_report_without_live_results_is_a_design_time_report_saying_so_first(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    html = (reports[1] / "compliance.html").read_text()
    assert document["stage"] == "design" and document["provenance"]["live_accounts"] == []
    results = {item["result"] for item in document["requirements"]}
    assert results & {"configured", "configured_partial"} and not results & {"in_place", "in_place_partial"}
    assert html.index('id="stage"') < html.index("<h1>") and "Design-time report" in html


def test_report_opens_with_its_scope_and_lists_every_network_rule(reports, policy_run):
    document = json.loads((reports[1] / "compliance.json").read_text())
    html = (reports[1] / "compliance.html").read_text()
    assert html.index('id="scope"') < html.index('id="requirements"')
    assert "PCI DSS v4.0.1" in document["standard"] and "PCI DSS v4.0 " not in html
    plan = Plan.load(policy_run.real["dev"])
    planned = {rule.address for type_ in RULE_TYPES for rule in plan.resources(type_)}
    assert {rule["address"] for rule in document["network_rules"]} == planned
    assert all(rule["justification"] for rule in document["network_rules"])


def test_network_rules_list_each_acl_rule_with_its_direction_peer_and_justification(plans):
    plan = plans["dev"]
    listed = {rule.address: rule for rule in network_rules(plan)}
    acl_rules = plan.resources("aws_network_acl_rule")
    assert acl_rules
    for rule in acl_rules:
        found = listed[rule.address]
        assert found.justification == rule.annotations["justification"] != ""
        assert found.direction == ("outbound" if rule["egress"] else "inbound")
        assert (found.group, found.protocol, found.peer) == (
            rule["network_acl_id"][2:].rsplit(".", 1)[0],
            "tcp",
            rule["cidr_block"],
        )


def test_network_rules_list_inline_acl_rules_saying_what_denies_and_that_nothing_justifies_them():
    acl = {
        "vpc_id": "vpc-1",
        "ingress": [{"rule_no": 100, "protocol": "-1", "action": "deny", "cidr_block": "0.0.0.0/0"}],
        "egress": [
            {
                "rule_no": 100,
                "protocol": "6",
                "action": "allow",
                "cidr_block": "10.0.0.0/16",
                "from_port": 443,
                "to_port": 443,
            }
        ],
    }
    plan = Plan({"resource": {"aws_network_acl": {"tier": acl}}})
    assert {
        (rule.address, rule.direction, rule.protocol, rule.ports, rule.justification) for rule in network_rules(plan)
    } == {
        ("aws_network_acl.tier ingress rule 100", "inbound", "all (deny)", "all", ""),
        ("aws_network_acl.tier egress rule 100", "outbound", "tcp", "443", ""),
    }


def test_manual_requirements_need_manual_evidence_whatever_passed(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    requirements = {item["id"]: item for item in document["requirements"]}
    for rid in ("10.3.4", "10.7.3", "3.5.1.2"):
        assert requirements[rid]["result"] == "manual_evidence_required" and requirements[rid]["still_needed"]
        assert requirements[rid]["label"] == "Manual evidence required"
    assert requirements["1.3.3"]["result"] == "not_applicable"


def test_requirement_evidence_reads_as_checks_on_resources_not_as_passes(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    rows = requirement_rows((reports[1] / "compliance.html").read_text())
    for requirement in document["requirements"]:
        counted = [
            item
            for item in document["evidence"]
            if requirement["id"] in item["requirements"] and item["status"] != "NOT_APPLICABLE"
        ]
        assert requirement["checks"] == len({item["check_id"] for item in counted}), requirement["id"]
        assert requirement["resources"] == len({item["resource"] for item in counted}), requirement["id"]
        plural = "s" if requirement["checks"] != 1 else ""
        shown = f"{requirement['checks']} check{plural} on {requirement['resources']} resource"
        assert shown in rows[requirement["id"]], requirement["id"]
    # One check on many resources is one control, however many passes it counts.
    one_check = [item for item in document["requirements"] if item["checks"] == 1 and item["resources"] > 1]
    assert one_check and all(sum(item["findings"].values()) > item["checks"] for item in one_check)


def test_report_opens_with_the_entity_and_the_cde_boundary_holding_every_resource(reports, policy_run):
    document = json.loads((reports[1] / "compliance.json").read_text())
    html = (reports[1] / "compliance.html").read_text()
    scope = document["scope"]
    assert scope["entity"] in ("merchant", "service_provider") and scope["unclassified"] == []
    placed = [address for entry in scope["boundary"] for address in entry["resources"]]
    planned = [resource.address for resource in Plan.load(policy_run.real["dev"]).resources()]
    assert sorted(placed) == sorted(planned)
    assert html.index('id="boundary"') < html.index('id="provenance"') < html.index('id="requirements"')
    assert scope["entity_reason"] in html


def test_checks_run_unmapped_say_why_in_the_report(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    html = (reports[1] / "compliance.html").read_text()
    assert document["unmapped_checks"] and set(document["unmapped_reasons"]) == set(document["unmapped_checks"])
    section = html[html.index('id="unmapped"') :]
    assert all(str(markupsafe.escape(reason)) in section for reason in document["unmapped_reasons"].values())


# ---- waivers an assessor can read: environments, worksheet, not applicable, display --------------

HTTP_IN = "aws_vpc_security_group_ingress_rule.firewall_alb-sg-http-in_0B8F07C6"


def waivers_scoped(tmp_path, environments: str, expires: str = "2027-05-31") -> Path:
    """The project's waivers file with the port-80 waiver approved only for `environments`."""
    text = DEFAULT_WAIVERS.read_text()
    start = text.index(f'resource = "{HTTP_IN}"')
    end = text.index("[[waiver]]", start)
    scoped = (
        text[start:end]
        .replace('environments = ["dev", "nightly", "prod"]', f"environments = {environments}")
        .replace("expires = 2027-05-31", f"expires = {expires}")
    )
    path = tmp_path / "waivers.toml"
    path.write_text(text[:start] + scoped + text[end:])
    return path


def scoped_audit(policy_run, profile, waivers_file, as_of=TODAY):
    plan = Plan.load(policy_run.real[profile])
    return audit_of(
        policy_run, profile, waivers=load_waivers(plan, waivers_file), as_of=as_of, reviewed_file=waivers_file
    )


def status_of(audit, check_id, address):
    (item,) = [item for item in audit.evidence if (item.check_id, item.address) == (check_id, address)]
    return item.status


def test_a_dev_only_waiver_does_not_apply_in_the_prod_audit_where_the_finding_fails(policy_run, tmp_path):
    waivers_file = waivers_scoped(tmp_path, '["dev"]')
    dev, prod = (scoped_audit(policy_run, profile, waivers_file) for profile in ("dev", "prod"))
    assert status_of(dev, "CKV_AWS_260", HTTP_IN) == "WAIVED" and dev.exit_code == 0
    assert status_of(prod, "CKV_AWS_260", HTTP_IN) == "FAILED" and prod.exit_code == 1
    assert [waiver.key for waiver in prod.other_waivers] == [("CKV_AWS_260", HTTP_IN)]
    assert ("CKV_AWS_260", HTTP_IN) not in {waiver.key for waiver in prod.waivers}
    # Not applied is not "unused": the prod audit names no problem with the dev waiver.
    assert not [problem for problem in prod.problems if "CKV_AWS_260" in problem]


def test_a_waiver_for_another_environment_is_neither_judged_expired_nor_warned_about(policy_run, tmp_path):
    expired = waivers_scoped(tmp_path, '["dev"]', expires="2026-11-01")
    assert any(
        "CKV_AWS_260" in problem and "expired" in problem
        for problem in scoped_audit(policy_run, "dev", expired).problems
    )
    assert not [p for p in scoped_audit(policy_run, "prod", expired).problems if "CKV_AWS_260" in p]
    soon = waivers_scoped(tmp_path, '["dev"]', expires="2026-12-10")
    assert any("CKV_AWS_260" in warning for warning in scoped_audit(policy_run, "dev", soon).warnings)
    assert not [w for w in scoped_audit(policy_run, "prod", soon).warnings if "CKV_AWS_260" in w]


def test_in_plan_waivers_for_dev_are_listed_but_not_applied_in_a_plan_of_prod(policy_run):
    """A dev-only waive() that leaks into prod's plan (made unconditional by mistake) waives nothing there."""
    path = policy_run.real["prod"]
    document = json.loads(path.read_text())
    rule_type, name = HTTP_IN.split(".")
    waiver = {"reason": "Copied into prod's plan by a mistaken edit.", "approver": "lead", "reference": "SEC-9"}
    waiver |= {"environments": ["dev", "nightly"], "expires": "2027-05-31"}
    document["resource"][rule_type][name]["//"]["waivers"] = {"CKV_AWS_260": waiver}
    plan = Plan(document, str(path))
    # The plan's waivers alone: the project's file waives CKV_AWS_260 for prod too.
    audit = evaluate(plan, path, policy_run.scan, waivers.from_plan(plan), Mapping.load(), TODAY)
    assert status_of(audit, "CKV_AWS_260", HTTP_IN) == "FAILED"
    assert ("CKV_AWS_260", HTTP_IN) in {waiver.key for waiver in audit.other_waivers}


def test_audit_env_that_contradicts_the_plan_is_bad_input(policy_run, tmp_path, capsys):
    arguments = ["audit", "--plan", str(policy_run.real["prod"]), "--env", "dev", "--out", str(tmp_path / "r")]
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.startswith("tap: the plan") and "is of environment 'prod', not 'dev'" in error
    assert error.count("\n") == 1 and not (tmp_path / "r").exists()


ACCESS_LOGS = "aws_s3_bucket.storage_access-logs_bucket_1F0A0A1E"
ALB_LOGS = "aws_s3_bucket.storage_alb-logs_bucket_FB38E344"


def test_the_access_log_bucket_is_not_applicable_with_its_reason_in_every_report(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    scoped = [item for item in document["evidence"] if item["status"] == "NOT_APPLICABLE"]
    declared = [item for item in scoped if item["not_applicable"]]
    assert {(item["check_id"], item["resource"]) for item in declared} == {("CKV_AWS_145", ACCESS_LOGS)}
    assert all("no cardholder data" in item["not_applicable"]["reason"] and not item["waiver"] for item in declared)
    assert len(declared) == len(document["not_applicable"])
    # The rest are outside a check's own scope: each says why, none is waived.
    assert all(item["reason"] and not item["waiver"] for item in scoped)
    assert document["totals"]["NOT_APPLICABLE"] == len(scoped)
    assert [w["address"] for w in document["waivers"] if w["check_id"] == "CKV_AWS_145"] == [ALB_LOGS]
    html = (reports[1] / "compliance.html").read_text()
    assert 'id="not-applicable"' in html and html.count('class="status NOT_APPLICABLE"') == len(scoped)
    sarif = json.loads((reports[1] / "compliance.sarif").read_text())["runs"][0]["results"]
    assert sum(result["kind"] == "notApplicable" for result in sarif) == len(scoped)
    skipped = [
        case.find("skipped") for case in ET.parse(reports[1] / "compliance.junit.xml").getroot().iter("testcase")
    ]
    assert sum(item is not None and item.get("message").startswith("NOT APPLICABLE") for item in skipped) == len(scoped)


def test_a_finding_declared_not_applicable_counts_as_no_evidence_and_fails_without_the_declaration(policy_run):
    plan = Plan.load(policy_run.real["dev"])
    declared = load_waivers(plan, None)
    with_scope, without = (
        audit_of(policy_run),
        audit_of(policy_run, waivers=dataclasses.replace(declared, not_applicable=[])),
    )
    (summary,) = [item for item in with_scope.requirements if item.requirement.id == "3.6.1"]
    evidencing = [
        item for item in with_scope.evidence if "3.6.1" in item.requirements and item.status != "NOT_APPLICABLE"
    ]
    assert sum(summary.counts.values()) == len(evidencing)
    assert {(item.check_id, item.address) for item in without.failures} == {("CKV_AWS_145", ACCESS_LOGS)}


def test_the_alb_log_bucket_may_hold_cardholder_data_so_its_key_check_is_an_exception_with_a_worksheet(reports):
    """Request URLs can carry a PAN: the bucket is a store in the CDE, never out of scope for holding none."""
    document = json.loads((reports[1] / "compliance.json").read_text())
    (finding,) = [e for e in document["evidence"] if (e["check_id"], e["resource"]) == ("CKV_AWS_145", ALB_LOGS)]
    assert finding["status"] == "WAIVED" and finding["not_applicable"] is None
    worksheet = finding["waiver"]["compensating_control"]
    assert set(worksheet) == {"constraint", "objective", "identified_risk", "validation", "maintenance"}
    (stores,) = [entry for entry in document["scope"]["boundary"] if entry["role"] == "stores"]
    assert ALB_LOGS in stores["resources"]
    (keys,) = [item for item in document["requirements"] if item["id"] == "3.6.1"]
    assert keys["result"] == "configured_with_exception" and any(ALB_LOGS in text for text in keys["exceptions"])


def test_a_not_applicable_declaration_on_a_resource_not_in_the_plan_fails_the_audit(policy_run, tmp_path):
    waivers_file = tmp_path / "waivers.toml"
    waivers_file.write_text(
        DEFAULT_WAIVERS.read_text() + '\n[[not_applicable]]\ncheck = "CKV_AWS_145"\nresource = "aws_s3_bucket.gone"\n'
        'reason = "The bucket held only logs, never cardholder data."\napprover = "lead"\nreference = "SEC-7"\n'
    )
    audit = scoped_audit(policy_run, "dev", waivers_file)
    assert any("not-applicable declaration of CKV_AWS_145 on aws_s3_bucket.gone" in p for p in audit.problems)
    assert audit.exit_code == 1


def test_compensating_control_fields_are_rendered_in_html_and_json_when_present(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    by_key = {(waiver["check_id"], waiver["address"]): waiver for waiver in document["waivers"]}
    backed = {("CKV_AWS_260", HTTP_IN), ("CKV_AWS_145", ALB_LOGS)}
    worksheet = by_key[("CKV_AWS_260", HTTP_IN)]["compensating_control"]
    assert set(worksheet) == {"constraint", "objective", "identified_risk", "validation", "maintenance"}
    assert all(waiver["compensating_control"] is None for key, waiver in by_key.items() if key not in backed)
    html = (reports[1] / "compliance.html").read_text()
    assert html.count('<dl class="worksheet">') == len(backed)
    assert "<dt>Identified risk</dt>" in html and str(markupsafe.escape(worksheet["identified_risk"])) in html


def test_every_waiver_shows_its_approver_reference_and_environments(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    html = (reports[1] / "compliance.html").read_text()
    assert document["provenance"]["environment"] == "dev"
    for waiver in document["waivers"]:
        assert waiver["approver"] and waiver["reference"] and "dev" in waiver["environments"]
        assert waiver["reference"] in html


def requirement_rows(html: str) -> dict[str, str]:
    section = html[html.index('id="requirements"') : html.index('id="findings"')]
    return {
        match.group(1): match.group(0)
        for match in re.finditer(r"<tr>\s*<td><strong>([\d.]+)</strong>.*?</tr>", section, re.DOTALL)
    }


def test_partial_results_are_amber_and_automated_ones_green(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    rows = requirement_rows((reports[1] / "compliance.html").read_text())
    html = (reports[1] / "compliance.html").read_text()
    for requirement in document["requirements"]:
        assert f'class="status {requirement["result"]}"' in rows[requirement["id"]], requirement["id"]
    amber = re.search(r"\.in_place_partial, \.configured_partial\s*\{\s*color:\s*(#[0-9a-f]+)", html).group(1)
    green = re.search(r"\.configured\s*\{\s*color:\s*(#[0-9a-f]+)", html).group(1)
    assert amber != green


def test_a_not_applicable_requirement_does_not_claim_a_coverage(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    rows = requirement_rows((reports[1] / "compliance.html").read_text())
    declared = [item for item in document["requirements"] if item["result"] == "not_applicable"]
    assert declared
    for requirement in declared:
        row = rows[requirement["id"]]
        assert "<strong>manual</strong>" not in row and "declared not applicable" in row
        assert str(markupsafe.escape(requirement["reason"])) in row


def test_waivers_expiring_within_30_days_are_warned_about_on_the_console_and_in_the_report(
    policy_run, scanned_once, tmp_path, capsys
):
    out = tmp_path / "reports"
    assert main(["audit", "--plan", str(policy_run.real["dev"]), "--out", str(out), "--as-of", "2027-05-10"]) == 0
    console = capsys.readouterr().out
    assert "WARNING the waiver of CKV_AWS_260" in console and "within 30 days" in console
    html = (out / "compliance.html").read_text()
    assert 'id="warnings"' in html and "within 30 days" in html


def test_graph_checks_show_the_connected_resources_and_the_values_they_read(policy_run):
    """A graph check judges a resource by what is attached to it: its evidence names those resources and
    shows the attributes it read on them, never an empty or "not set" row where the value lives elsewhere."""
    audit = audit_of(policy_run, "prod")
    graph = [item for item in audit.evidence if policy_run.scan.checks[item.check_id].section == "graph"]
    assert graph and all(item.attributes for item in graph), [item.check_id for item in graph if not item.attributes]
    (flags,) = (
        item for item in graph if item.check_id == "CKV2_PAY_2" and item.address.endswith("data_bucket_77B590E3")
    )
    (block,) = Plan.load(policy_run.real["prod"]).resources("aws_s3_bucket_public_access_block", under="storage/data")
    assert flags.attributes[f"connected {block.type}"] == block.address
    for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        assert flags.attributes[f"{block.address}: {flag}"] == "true"
        assert flag not in flags.attributes  # not shown as unset on the bucket, where it never is


def test_a_graph_check_with_nothing_connected_says_so(policy_run):
    waived = [item for item in audit_of(policy_run, "prod").evidence if item.check_id == "CKV2_AWS_62"]
    assert waived and all(
        item.attributes == {"connected aws_s3_bucket_notification": "(none in the plan)"} for item in waived
    )


def test_attribute_values_are_shown_whole(policy_run):
    """An assessor reads the key policy the check judged, all of it, not its first line."""
    audit = audit_of(policy_run, "prod")
    plan = Plan.load(policy_run.real["prod"])
    keys = [item for item in audit.evidence if item.check_id == "CKV2_AWS_64"]
    assert keys
    for item in keys:
        assert item.attributes["policy"] == plan.resource(item.address)["policy"]


def test_a_failure_says_what_its_policy_found_wrong(policy_run, tmp_path):
    """A tamper rule that leaves out a call fails naming the call, in the report as on the console."""
    mutant = policy_run.mutants["CKV_PAY_70"]
    assert main(["audit", "--plan", str(mutant.path), "--out", str(tmp_path)]) == 1
    document = json.loads((tmp_path / "compliance.json").read_text())
    (failed,) = [
        item for item in document["evidence"] if item["check_id"] == "CKV_PAY_70" and item["status"] == "FAILED"
    ]
    assert failed["resource"] == mutant.address and "misses PutRetentionPolicy" in failed["reason"]
    assert "misses PutRetentionPolicy" in (tmp_path / "compliance.html").read_text()
