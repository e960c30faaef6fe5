"""The audit's four reports: HTML for people, JSON for machines, JUnit for CI, SARIF for code scanning.

They are one set: written into a staging folder beside the report folder, which then takes
its place whole, so a report folder never mixes two runs (a failure leaves the previous set).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stack.contract import ENGINE_RECORD, below_project
from tap import documents
from tap.audit import bundle
from tap.audit.judgement import FAILED, NOT_EVALUATED, PASSED
from tap.audit.judgement import NOT_APPLICABLE as INAPPLICABLE
from tap.audit.report_html import render_html
from tap.audit.results import STATUSES, WAIVED, RequirementSummary
from tap.audit.verdict import Audit, Evidence
from tap.audit.waivers import NotApplicable, Waiver
from tap.console import is_https_url, make_printable, printable_data
from tap.documents import Kind, MiB
from tap.errors import UsageError
from tap.files import check_own_folder, replaced_folder

MADE_BY = "tap audit"
SCHEMA_VERSION = "2.7"
SCHEMA_FILE = Path(__file__).parent / "schemas" / "compliance.schema.json"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# A waived result is still a failure in SARIF, carried with an accepted suppression; a result not
# evaluated is "open" (the tool could not tell pass from fail), at error level: it fails the audit.
SARIF_KINDS = {PASSED: "pass", FAILED: "fail", WAIVED: "fail", INAPPLICABLE: "notApplicable", NOT_EVALUATED: "open"}
REPORT_FILES = {
    "html": "compliance.html",
    "json": "compliance.json",
    "junit": "compliance.junit.xml",
    "sarif": "compliance.sarif",
}
# A report read back: by --baseline, and by tap verify (is it a preview?).
REPORT = Kind("the report", "json", "baseline", max_bytes=64 * MiB, remedy=": pass a report folder tap audit wrote")


def check_out_dir(out_dir: Path) -> None:
    """Refuse at once, in one sentence, a report folder the audit could not replace with its reports:
    one that holds anything and was not made by tap audit is the user's."""
    check_own_folder(out_dir, MADE_BY, "reports", "--out")


def write_all(
    audit: Audit,
    out_dir: Path,
    *,
    waivers_file: Path | None = None,
    sign_key: Ed25519PrivateKey | None = None,
    shown_waivers: Path | None = None,
) -> dict[str, Path]:
    """The four reports, the audited plan and the manifest sealing them, as one set: written into a
    staging folder beside `out_dir`, which then takes its place, so the folder always holds one
    run's complete set (or, for an instant, nothing). A preview is never sealed: no manifest, no
    signature."""
    check_out_dir(out_dir)
    if audit.preview and sign_key is not None:
        raise UsageError(f"{preview_label(audit.provenance)} is never signed: audit as of today, or sign nothing")
    if sign_key is not None:
        audit = dataclasses.replace(audit, signing_key=bundle.fingerprint(sign_key.public_key()))
    texts = _render(audit)  # before any file is touched: a writer that fails leaves the folder as it was
    with replaced_folder(out_dir, MADE_BY, "reports") as staging:
        for kind, text in texts.items():
            (staging / REPORT_FILES[kind]).write_text(text, encoding="utf-8")
        if not audit.plan_has_secrets:  # evidence of what was audited, never a copy of a leak
            shutil.copyfile(audit.plan_path, staging / bundle.PLAN_COPY)
        record = audit.plan_path.parent / ENGINE_RECORD
        if record.is_file():  # how the plan was made: engine, versions, synthesis inputs
            shutil.copyfile(record, staging / ENGINE_RECORD)
        if not audit.preview:
            inputs = bundle.input_digests(waivers_file, shown_waivers)
            bundle.seal(staging, inputs, audit.provenance["tools"], sign_key)
    written = {**REPORT_FILES, **({} if audit.preview else {"manifest": bundle.MANIFEST})}
    return {kind: out_dir / name for kind, name in written.items()}


def preview_label(provenance: dict[str, Any]) -> str:
    return f"a preview as of {provenance['waivers_as_of']}"


def preview_as_of(folder: Path) -> str | None:
    """The day a report folder without a manifest is a preview as of; None for any other folder."""
    manifest, report = Path(folder) / bundle.MANIFEST, Path(folder) / REPORT_FILES["json"]
    if manifest.exists() or manifest.is_symlink() or not report.is_file():
        return None
    document = documents.read(report, REPORT)
    return (
        document["provenance"].get("waivers_as_of", "an unknown day") if document.get("sealing") == "preview" else None
    )


def _render(audit: Audit) -> dict[str, str]:
    document = to_json(audit)
    return {
        # compliance.json is the record, kept exact (JSON escapes what it holds); the other three are
        # read by people, through viewers that would obey a control character or a bidi override.
        "html": render_html(document),
        "json": json.dumps(document, indent=2) + "\n",
        "junit": to_junit(audit),
        "sarif": json.dumps(printable_data(to_sarif(audit)), indent=2) + "\n",
    }


def _waiver(waiver: Waiver | None) -> dict[str, Any] | None:
    if waiver is None:
        return None
    worksheet = asdict(waiver.compensating_control) if waiver.compensating_control else None
    return {
        **asdict(waiver),
        "expires": waiver.expires.isoformat(),
        "environments": list(waiver.environments),
        # Only the worksheet's answers given: an absent one is not shown as "none".
        "compensating_control": {key: value for key, value in worksheet.items() if value} if worksheet else None,
    }


def _not_applicable(item: NotApplicable | None) -> dict[str, Any] | None:
    return asdict(item) if item else None


def _unreviewed(item: Waiver | NotApplicable) -> dict[str, Any]:
    kind = "waiver" if isinstance(item, Waiver) else "not_applicable"
    return {"kind": kind, **(_waiver(item) if isinstance(item, Waiver) else _not_applicable(item))}


def to_json(audit: Audit) -> dict[str, Any]:
    """The evidence as data; its shape is `tap/schemas/compliance.schema.json`."""
    return {
        "schema_version": SCHEMA_VERSION,
        "stage": audit.stage,
        # evidence: sealed by the manifest (and signed with provenance.signing_key); preview: as of another
        # day than the audit's own, never sealed.
        "sealing": "preview" if audit.preview else "evidence",
        "standard": audit.standard,
        "scope": audit.scope,
        "verdict": audit.verdict.replace(" ", "_"),
        "verdict_label": audit.verdict_label,
        "binding": audit.binding.to_json(),
        "placeholders": audit.placeholders,
        "provenance": {**audit.provenance, "signing_key": audit.signing_key},
        "totals": {status: audit.count(status) for status in STATUSES},
        "problems": audit.problems,
        "requirements": [_requirement(summary) for summary in audit.requirements],
        "network_rules": [asdict(rule) for rule in audit.network_rules],
        "evidence": [
            {
                "evidence_id": item.evidence_id,
                "check_id": item.check_id,
                "check_name": item.check_name,
                "resource": item.address,
                "construct_path": item.construct_path,
                "status": item.status,
                "attributes": item.attributes,
                "requirements": list(item.requirements),
                "plan_lines": list(item.lines),
                "waiver": _waiver(item.waiver),
                "not_applicable": _not_applicable(item.not_applicable),
                "reason": item.reason,
                "guideline": item.guideline,
                "severity": item.remedy.severity if item.remedy else None,
                "remediation": item.remedy.remediation if item.remedy else None,
            }
            for item in audit.evidence
        ],
        "checks": [
            {
                "check_id": check.check_id,
                "name": check.name,
                "origin": check.origin,
                "types": list(check.types),
                "judged": check.judged,
                "total": check.total,
            }
            for check in audit.checks
        ],
        "waivers": [_waiver(waiver) for waiver in audit.waivers],
        "other_environment_waivers": [_waiver(waiver) for waiver in audit.other_waivers],
        "not_applicable": [_not_applicable(item) for item in audit.not_applicable],
        "unreviewed": [_unreviewed(item) for item in audit.unreviewed],
        "live": [
            {
                "test": result.test,
                "outcome": result.outcome,
                "controls": list(result.controls),
                "message": result.message,
            }
            for result in audit.live
        ],
        "unmapped_checks": audit.unmapped_checks,
        "unmapped_reasons": audit.unmapped_reasons,
        "warnings": audit.warnings,
        **({"changes": audit.changes} if audit.changes is not None else {}),
        **({"defense_in_depth": audit.defense_in_depth} if audit.defense_in_depth is not None else {}),
    }


def _requirement(summary: RequirementSummary) -> dict[str, Any]:
    requirement = summary.requirement
    return {
        "id": requirement.id,
        "title": requirement.title,
        "result": summary.result,
        "label": summary.label,
        "coverage": requirement.coverage,
        "still_needed": requirement.still_needed,
        "reason": requirement.reason,
        "controls": list(summary.controls),
        "supporting_controls": list(summary.supporting),
        "findings": summary.counts,
        "checks": summary.checks,
        "resources": summary.resources,
        "live": summary.live,
        "exceptions": list(summary.exceptions),
    }


def to_junit(audit: Audit) -> str:
    """One test case per finding (class name = check id); waived findings are skipped with their reason."""
    stage = f" ({preview_label(audit.provenance)}, not evidence)" if audit.preview else ""
    suites = ET.Element("testsuites", name=f"tap audit {audit.provenance['stack']}{stage}")
    by_check: dict[str, list[Evidence]] = {}
    for item in audit.evidence:
        by_check.setdefault(item.check_id, []).append(item)
    for check_id, items in sorted(by_check.items()):
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=check_id,
            tests=str(len(items)),
            failures=str(sum(item.status in (FAILED, NOT_EVALUATED) for item in items)),
            skipped=str(sum(item.status in (WAIVED, INAPPLICABLE) for item in items)),
        )
        for item in items:
            case = ET.SubElement(suite, "testcase", classname=check_id, name=item.address)
            if item.status == FAILED:
                ET.SubElement(case, "failure", message=f"{item.check_name}: {_attributes(item)}")
            elif item.status == NOT_EVALUATED:
                ET.SubElement(case, "failure", type=NOT_EVALUATED, message=f"NOT EVALUATED: {item.reason}")
            elif item.status == WAIVED:
                ET.SubElement(case, "skipped", message=f"WAIVED until {item.waiver.expires}: {item.waiver.reason}")
            elif item.status == INAPPLICABLE:
                ET.SubElement(case, "skipped", message=f"NOT APPLICABLE: {item.reason}")
    if audit.problems:
        suite = ET.SubElement(suites, "testsuite", name="waivers-and-live", tests=str(len(audit.problems)))
        suite.set("failures", str(len(audit.problems)))
        for index, problem in enumerate(audit.problems, 1):
            case = ET.SubElement(suite, "testcase", classname="tap.audit.verdict", name=f"problem {index}")
            ET.SubElement(case, "failure", message=problem)
    make_printable(suites)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _attributes(item: Evidence) -> str:
    return "; ".join(f"{key} = {value}" for key, value in item.attributes.items()) or "see the plan"


def to_sarif(audit: Audit) -> dict[str, Any]:
    """SARIF 2.1.0: every finding with its resource; passes as kind `pass`, waivers as accepted suppressions."""
    checks = {item.check_id: item for item in audit.evidence}
    rules = [
        {
            "id": check_id,
            "name": check_id,
            "shortDescription": {"text": item.check_name},
            **({"helpUri": item.guideline} if is_https_url(item.guideline) else {}),
            "properties": {"requirements": list(item.requirements)},
        }
        for check_id, item in sorted(checks.items())
    ]
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    plan_uri = _relative_uri(Path(audit.provenance["plan_path"]))
    results = [_sarif_result(item, index[item.check_id], plan_uri) for item in audit.evidence]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tap audit",
                        "version": audit.provenance["tools"]["checkov"],
                        "informationUri": "https://www.checkov.io/",
                        "rules": rules,
                    }
                },
                "results": results,
                "properties": {
                    "provenance": audit.provenance,
                    "sealing": f"{preview_label(audit.provenance)}, not evidence" if audit.preview else "evidence",
                },
            }
        ],
    }


def _sarif_result(item: Evidence, rule_index: int, plan_uri: str) -> dict[str, Any]:
    failed = item.status in (FAILED, WAIVED, NOT_EVALUATED)
    result = {
        "ruleId": item.check_id,
        "ruleIndex": rule_index,
        "kind": SARIF_KINDS[item.status],
        "level": "error" if failed else "none",
        "message": {
            "text": f"{item.evidence_id} {item.status}: {item.check_name} on {item.address} "
            f"({item.reason if item.status == NOT_EVALUATED else _attributes(item)})"
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": plan_uri},
                    "region": {"startLine": max(item.lines[0], 1), "endLine": max(item.lines[1], 1)},
                },
                "logicalLocations": [
                    {"fullyQualifiedName": item.address, "name": item.construct_path, "kind": "resource"}
                ],
            }
        ],
        # Code scanning tracks a finding across runs by this, as the reports name it by its evidence id.
        "partialFingerprints": {"evidenceId/v1": item.evidence_id},
        "properties": {"resource": item.address, "constructPath": item.construct_path, "evidenceId": item.evidence_id},
    }
    if waiver := item.waiver:
        justification = f"{waiver.reason} Approved by {waiver.approver} ({waiver.reference}) until {waiver.expires}."
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification}]
    return result


def _relative_uri(path: Path) -> str:
    relative = below_project(path)
    return relative.as_posix() if relative else Path(path).resolve().as_uri()
