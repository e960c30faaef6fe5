"""The audit's four reports: HTML for people, JSON for machines, JUnit for CI, SARIF for code scanning."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path
from typing import Any

import jinja2

from stack.contract import below_project
from tap.audit.verdict import FAILED, PASSED, WAIVED, Audit, Evidence
from tap.audit.waivers import Waiver

SCHEMA_VERSION = "1.0"
SCHEMA_FILE = Path(__file__).parent / "schemas" / "compliance.schema.json"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
REPORT_FILES = {
    "html": "compliance.html",
    "json": "compliance.json",
    "junit": "compliance.junit.xml",
    "sarif": "compliance.sarif",
}


def write_all(audit: Audit, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    document = to_json(audit)
    writers = {
        "html": lambda: render_html(document),
        "json": lambda: json.dumps(document, indent=2) + "\n",
        "junit": lambda: to_junit(audit),
        "sarif": lambda: json.dumps(to_sarif(audit), indent=2) + "\n",
    }
    paths = {}
    for kind, write in writers.items():
        paths[kind] = out_dir / REPORT_FILES[kind]
        paths[kind].write_text(write(), encoding="utf-8")
    return paths


def _waiver(waiver: Waiver | None) -> dict[str, Any] | None:
    if waiver is None:
        return None
    return {**asdict(waiver), "expires": waiver.expires.isoformat()}


def to_json(audit: Audit) -> dict[str, Any]:
    """The evidence as data; its shape is `tap/schemas/compliance.schema.json`."""
    return {
        "schema_version": SCHEMA_VERSION,
        "verdict": "pass" if audit.exit_code == 0 else "fail",
        "provenance": audit.provenance,
        "totals": {status: audit.count(status) for status in (PASSED, FAILED, WAIVED)},
        "problems": audit.problems,
        "requirements": [
            {
                "id": summary.id,
                "title": summary.title,
                "status": summary.status,
                "controls": list(summary.controls),
                "findings": summary.counts,
                "live": summary.live,
            }
            for summary in audit.requirements
        ],
        "evidence": [
            {
                "check_id": item.check_id,
                "check_name": item.check_name,
                "resource": item.address,
                "construct_path": item.construct_path,
                "status": item.status,
                "attributes": item.attributes,
                "requirements": list(item.requirements),
                "plan_lines": list(item.lines),
                "waiver": _waiver(item.waiver),
                "guideline": item.guideline,
            }
            for item in audit.evidence
        ],
        "waivers": [_waiver(waiver) for waiver in audit.waivers],
        "live": [asdict(result) | {"controls": list(result.controls)} for result in audit.live],
        "unmapped_checks": audit.unmapped_checks,
    }


def render_html(document: dict[str, Any]) -> str:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("tap.audit", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    by_resource: dict[str, list[dict]] = {}
    for item in document["evidence"]:
        by_resource.setdefault(item["resource"], []).append(item)
    return environment.get_template("compliance.html.j2").render(report=document, by_resource=by_resource)


def to_junit(audit: Audit) -> str:
    """One test case per finding (class name = check id); waived findings are skipped with their reason."""
    suites = ET.Element("testsuites", name=f"tap audit {audit.provenance['stack']}")
    by_check: dict[str, list[Evidence]] = {}
    for item in audit.evidence:
        by_check.setdefault(item.check_id, []).append(item)
    for check_id, items in sorted(by_check.items()):
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=check_id,
            tests=str(len(items)),
            failures=str(sum(item.status == FAILED for item in items)),
            skipped=str(sum(item.status == WAIVED for item in items)),
        )
        for item in items:
            case = ET.SubElement(suite, "testcase", classname=check_id, name=item.address)
            if item.status == FAILED:
                ET.SubElement(case, "failure", message=f"{item.check_name}: {_attributes(item)}")
            elif item.status == WAIVED:
                ET.SubElement(case, "skipped", message=f"WAIVED until {item.waiver.expires}: {item.waiver.reason}")
    if audit.problems:
        suite = ET.SubElement(suites, "testsuite", name="waivers-and-live", tests=str(len(audit.problems)))
        suite.set("failures", str(len(audit.problems)))
        for index, problem in enumerate(audit.problems, 1):
            case = ET.SubElement(suite, "testcase", classname="tap.audit.verdict", name=f"problem {index}")
            ET.SubElement(case, "failure", message=problem)
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
            **({"helpUri": item.guideline} if item.guideline else {}),
            "properties": {"requirements": list(item.requirements)},
        }
        for check_id, item in sorted(checks.items())
    ]
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    plan_uri = _relative_uri(audit.plan_path)
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
                "properties": {"provenance": audit.provenance},
            }
        ],
    }


def _sarif_result(item: Evidence, rule_index: int, plan_uri: str) -> dict[str, Any]:
    failed = item.status != PASSED
    result = {
        "ruleId": item.check_id,
        "ruleIndex": rule_index,
        "kind": "fail" if failed else "pass",
        "level": "error" if failed else "none",
        "message": {"text": f"{item.status}: {item.check_name} on {item.address} ({_attributes(item)})"},
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
        "properties": {"resource": item.address, "constructPath": item.construct_path},
    }
    if waiver := item.waiver:
        justification = f"{waiver.reason} Approved by {waiver.approver} until {waiver.expires}."
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification}]
    return result


def _relative_uri(path: Path) -> str:
    relative = below_project(path)
    return relative.as_posix() if relative else Path(path).resolve().as_uri()
