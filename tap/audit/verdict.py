"""`tap audit`: checkov's findings + waivers + the PCI DSS mapping -> evidence and a verdict.

Every finding stays in the evidence: a waived failure shows as WAIVED with its waiver.
The verdict fails on any unwaived failure, any live test that failed, and any waiver
that expired, names a check or resource that no longer exists, or covers a passing finding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stack.contract import ENGINE_RECORD, PROJECT_ROOT
from tap.audit.live_results import LiveResult
from tap.audit.mapping import Mapping
from tap.audit.scan import Finding, Scan
from tap.audit.waivers import Waiver
from tap.plan import Plan

PASSED, FAILED, WAIVED = "PASSED", "FAILED", "WAIVED"
# Attribute names whose values never reach a report.
SECRET_NAMES = re.compile(r"(password|passphrase|secret|token|private_key|secret_key)$", re.IGNORECASE)
REDACTED = "<redacted>"
MAX_VALUE_LENGTH = 160


@dataclass(frozen=True)
class Evidence:
    check_id: str
    check_name: str
    address: str
    construct_path: str
    status: str  # PASSED, FAILED or WAIVED
    attributes: dict[str, str]  # evaluated key -> its value in the plan, as text
    requirements: tuple[str, ...]
    lines: tuple[int, int]
    waiver: Waiver | None = None
    guideline: str | None = None


@dataclass(frozen=True)
class RequirementSummary:
    id: str
    title: str
    controls: tuple[str, ...]
    counts: dict[str, int]  # PASSED / FAILED / WAIVED findings
    live: dict[str, int]  # live test outcomes

    @property
    def status(self) -> str:
        if self.counts[FAILED] or self.live.get("failed") or self.live.get("error"):
            return FAILED
        if not any(self.counts.values()) and not any(self.live.values()):
            return "NO EVIDENCE"
        return WAIVED if self.counts[WAIVED] else PASSED


@dataclass
class Audit:
    plan_path: Path
    evidence: list[Evidence]
    problems: list[str]  # waivers that are expired or stale, and failed live tests
    requirements: list[RequirementSummary]
    waivers: list[Waiver]
    live: list[LiveResult]
    provenance: dict[str, Any]
    unmapped_checks: dict[str, str] = field(default_factory=dict)  # check id -> name, run but not mapped

    @property
    def failures(self) -> list[Evidence]:
        return [item for item in self.evidence if item.status == FAILED]

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.problems else 0

    def count(self, status: str) -> int:
        return sum(item.status == status for item in self.evidence)


def evaluate(
    plan: Plan,
    plan_path: Path,
    scan: Scan,
    waivers: list[Waiver],
    mapping: Mapping,
    as_of: dt.date,
    live: list[LiveResult] = (),
) -> Audit:
    findings = scan.findings[Path(plan_path).resolve()]
    active = {waiver.key: waiver for waiver in waivers if not waiver.expired(as_of)}
    evidence = sorted(
        (_evidence(plan, finding, active.get((finding.check_id, finding.address)), mapping) for finding in findings),
        key=lambda item: (item.status != FAILED, item.address, item.check_id),
    )
    problems = _waiver_problems(plan, scan, findings, waivers, as_of) + [
        f"live test {result.test} {result.outcome}: {result.message or 'no message'}"
        for result in live
        if result.outcome in ("failed", "error")
    ]
    ran = {finding.check_id for finding in findings}
    return Audit(
        plan_path=Path(plan_path),
        evidence=evidence,
        problems=problems,
        requirements=_summaries(evidence, live, mapping),
        waivers=sorted(waivers, key=lambda waiver: (waiver.expires, waiver.check_id, waiver.address)),
        live=list(live),
        provenance=provenance(plan, plan_path, scan, as_of),
        unmapped_checks={check: scan.checks.get(check, check) for check in sorted(ran - set(mapping.controls))},
    )


def _evidence(plan: Plan, finding: Finding, waiver: Waiver | None, mapping: Mapping) -> Evidence:
    resource = plan.block(finding.address)
    status = WAIVED if finding.result == FAILED and waiver else finding.result
    return Evidence(
        check_id=finding.check_id,
        check_name=finding.check_name,
        address=finding.address,
        construct_path=resource.path,
        status=status,
        attributes={key: _shown(key, resource.properties) for key in finding.evaluated_keys if key != "resource_type"},
        requirements=mapping.requirements_of(finding.check_id),
        lines=finding.lines,
        waiver=waiver if status == WAIVED else None,
        guideline=finding.guideline,
    )


def _shown(key: str, properties: dict) -> str:
    """The value at a checkov key path (`a/[0]/b`, `a/*/b`) as short text; secrets redacted."""
    values = [properties]
    for part in key.split("/"):
        values = [item for value in values for item in _step(value, part)]
    if not values:
        return "(not set on this resource)"
    if SECRET_NAMES.search(key.rsplit("/", 1)[-1]):
        return REDACTED
    text = ", ".join(_text(value) for value in values)
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def _step(value: Any, part: str) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    if part == "*":
        return [element for item in items for element in (item if isinstance(item, list) else [item])]
    if re.fullmatch(r"\[\d+\]", part):
        index = int(part[1:-1])
        return [items[index]] if index < len(items) else []
    return [item[part] for item in items if isinstance(item, dict) and part in item]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return "{…}" if isinstance(value, dict) else f"[{', '.join(_text(item) for item in value)}]"
    return str(value)


def _waiver_problems(
    plan: Plan, scan: Scan, findings: list[Finding], waivers: list[Waiver], as_of: dt.date
) -> list[str]:
    failed = {(finding.check_id, finding.address) for finding in findings if finding.result == FAILED}
    addresses = {resource.address for resource in plan.resources()}
    problems = []
    for waiver in waivers:
        if waiver.expired(as_of):
            problems.append(
                f"{waiver.describe()} expired on {waiver.expires}; renew it with a new approval or fix the finding"
            )
        elif waiver.check_id not in scan.checks:
            problems.append(f"{waiver.describe()} names a check that no longer exists; remove the waiver")
        elif waiver.address not in addresses:
            problems.append(f"{waiver.describe()} names a resource that is not in the plan; remove the waiver")
        elif waiver.key not in failed:
            problems.append(f"{waiver.describe()} covers a finding that no longer fails; remove the waiver")
    return problems


def _summaries(evidence: list[Evidence], live: list[LiveResult], mapping: Mapping) -> list[RequirementSummary]:
    summaries = []
    for requirement, title in mapping.requirements.items():
        controls = tuple(check for check, ids in mapping.controls.items() if requirement in ids)
        counts = {status: 0 for status in (PASSED, FAILED, WAIVED)}
        for item in evidence:
            if requirement in item.requirements:
                counts[item.status] += 1
        outcomes: dict[str, int] = {}
        for result in live:
            if any(requirement in mapping.requirements_of(control) for control in result.controls):
                outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        summaries.append(RequirementSummary(requirement, title, controls, counts, outcomes))
    return summaries


def provenance(plan: Plan, plan_path: Path, scan: Scan, as_of: dt.date) -> dict[str, Any]:
    return {
        "stack": plan.stack_name,
        "profile": plan.default_tags.get("Profile", "unknown"),
        "plan_path": str(plan_path),
        "plan_sha256": hashlib.sha256(Path(plan_path).read_bytes()).hexdigest(),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": _dirty(),
        "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "waivers_as_of": as_of.isoformat(),
        "engine": engine_record(plan_path),
        "tools": {"checkov": scan.checkov_version, "python": platform.python_version()},
    }


def engine_record(plan_path: Path) -> dict[str, Any] | None:
    """Which engine wrote the plan and its versions, from the record beside it (None for a plan without one)."""
    try:
        return json.loads((Path(plan_path).parent / ENGINE_RECORD).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10)
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _dirty() -> bool | None:
    status = _git("status", "--porcelain")
    return None if status is None else bool(status)
