"""`tap audit`: checkov's findings + waivers + the PCI DSS mapping -> evidence and a verdict.

Every finding stays in the evidence: a waived failure shows as WAIVED with its waiver, a
finding declared not applicable as NOT_APPLICABLE with its reason (neither a pass nor a
waiver). Only the waivers approved for the plan's own environment apply. The verdict fails
on any unwaived failure, any live test that failed, any secret-looking literal in the plan,
and any of those waivers that expired, names a check or resource that no longer exists, or
covers a passing finding. No secret reaches the audit it returns: each one found is redacted
wherever it would appear.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import platform
import re
import subprocess
from collections.abc import Mapping as Mapping_
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stack.contract import ENGINE_RECORD, PROJECT_ROOT
from tap.audit.bundle import PLAN_COPY
from tap.audit.leaks import REDACTED, Redactor, find_leaks
from tap.audit.live_results import LiveResult
from tap.audit.mapping import Mapping, Requirement
from tap.audit.network import NetworkRule, network_rules
from tap.audit.scan import Finding, Scan
from tap.audit.waivers import Declared, NotApplicable, Waiver, expiring, problems
from tap.plan import Plan

PASSED, FAILED, WAIVED = "PASSED", "FAILED", "WAIVED"
INAPPLICABLE = "NOT_APPLICABLE"  # a finding declared not applicable to its resource
STATUSES = (PASSED, FAILED, WAIVED, INAPPLICABLE)
# Attribute names whose values never reach a report.
SECRET_NAMES = re.compile(r"(password|passphrase|secret|token|private_key|secret_key)$", re.IGNORECASE)
# Attributes shown only as a digest: a boot script is where credentials end up.
HASHED_NAMES = re.compile(r"user_data(_base64)?$", re.IGNORECASE)
MAX_VALUE_LENGTH = 160


@dataclass(frozen=True)
class Evidence:
    check_id: str
    check_name: str
    address: str
    construct_path: str
    status: str  # PASSED, FAILED, WAIVED or NOT_APPLICABLE
    attributes: dict[str, str]  # evaluated key -> its value in the plan, as text
    requirements: tuple[str, ...]
    lines: tuple[int, int]
    waiver: Waiver | None = None
    guideline: str | None = None
    not_applicable: NotApplicable | None = None
    evidence_id: str = ""  # the same for the same check, resource and plan bytes


def evidence_id(check_id: str, address: str, plan_digest: str) -> str:
    """A finding's name across reports and runs: a digest of what it is about, not of when it ran."""
    return "EV-" + hashlib.sha256(f"{check_id}\n{address}\n{plan_digest}".encode()).hexdigest()[:16]


# A Report on Compliance's results, and how each is shown.
IN_PLACE, NOT_IN_PLACE, NOT_APPLICABLE, NOT_TESTED = "in_place", "not_in_place", "not_applicable", "not_tested"
RESULT_LABELS = {
    IN_PLACE: "In Place",
    NOT_IN_PLACE: "Not in Place",
    NOT_APPLICABLE: "Not Applicable",
    NOT_TESTED: "Not Tested",
}


@dataclass(frozen=True)
class RequirementSummary:
    requirement: Requirement
    controls: tuple[str, ...]
    counts: dict[str, int]  # PASSED / FAILED / WAIVED findings
    live: dict[str, int]  # live test outcomes

    @property
    def result(self) -> str:
        if self.requirement.declared_result:
            return self.requirement.declared_result
        if self.counts[FAILED] or self.live.get("failed") or self.live.get("error"):
            return NOT_IN_PLACE
        evidenced = any(self.counts.values()) or any(self.live.values())
        # Manual coverage: whatever passed, the suite alone cannot say the requirement is in place.
        return IN_PLACE if evidenced and self.requirement.coverage != "manual" else NOT_TESTED

    @property
    def label(self) -> str:
        """The result as a person reads it: partial evidence is never shown as a plain "In Place"."""
        label = RESULT_LABELS[self.result]
        return f"{label} (partial)" if self.result == IN_PLACE and self.requirement.coverage == "partial" else label


@dataclass
class Audit:
    plan_path: Path
    evidence: list[Evidence]
    problems: list[str]  # secrets in the plan, waivers that are expired or stale, and failed live tests
    requirements: list[RequirementSummary]
    waivers: list[Waiver]  # those approved for this environment
    live: list[LiveResult]
    provenance: dict[str, Any]
    unmapped_checks: dict[str, str] = field(default_factory=dict)  # check id -> name, run but not mapped
    standard: str = ""
    scope: dict[str, list[str]] = field(default_factory=dict)
    network_rules: list[NetworkRule] = field(default_factory=list)
    plan_has_secrets: bool = False
    warnings: list[str] = field(default_factory=list)  # waivers expiring soon: they do not fail the audit
    not_applicable: list[NotApplicable] = field(default_factory=list)
    # Approved for other environments: not applied here, and not judged (neither used nor unused).
    other_waivers: list[Waiver] = field(default_factory=list)
    changes: dict[str, Any] | None = None  # since the baseline, when one was given
    defense_in_depth: dict[str, Any] | None = None  # a mutation campaign's summary, when one was given

    @property
    def environment(self) -> str | None:
        """The environment whose waivers apply: the plan's own."""
        return self.provenance.get("environment")

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
    declared: Declared,
    mapping: Mapping,
    as_of: dt.date,
    live: list[LiveResult] = (),
) -> Audit:
    findings = scan.findings[Path(plan_path).resolve()]
    leaks = find_leaks(plan.document)
    redactor = Redactor(leaks)
    # The plan says which environment it is; a waiver approved only for others never applies to it.
    here = Declared(
        [waiver for waiver in declared.waivers if waiver.applies_in(plan.environment)], declared.not_applicable
    )
    active = {waiver.key: waiver for waiver in here.waivers if not waiver.expired(as_of)}
    scoped = {item.key: item for item in here.not_applicable}
    digest = plan_sha256(plan_path)
    evidence = sorted(
        (
            _evidence(plan, finding, active.get(finding.key), scoped.get(finding.key), mapping, redactor, digest)
            for finding in findings
        ),
        key=lambda item: (item.status != FAILED, item.address, item.check_id),
    )
    failed = {finding.key for finding in findings if finding.result == FAILED}
    addresses = {resource.address for resource in plan.resources()}
    problems_found = (
        [leak.describe() for leak in leaks]
        + problems(here, set(scan.checks), addresses, failed, as_of)
        + [
            f"live test {result.test} {result.outcome}: {result.message or 'no message'}"
            for result in live
            if result.outcome in ("failed", "error")
        ]
    )
    ran = {finding.check_id for finding in findings}
    audit = Audit(
        plan_path=Path(plan_path),
        evidence=evidence,
        problems=problems_found,
        requirements=_summaries(evidence, live, mapping),
        waivers=sorted(here.waivers, key=lambda waiver: (waiver.expires, waiver.check_id, waiver.address)),
        live=list(live),
        provenance=provenance(plan, plan_path, scan, as_of, live, plan_copied=not leaks),
        unmapped_checks={check: scan.checks.get(check, check) for check in sorted(ran - set(mapping.controls))},
        standard=mapping.standard,
        scope=mapping.scope,
        network_rules=network_rules(plan),
        plan_has_secrets=bool(leaks),
        warnings=expiring(here.waivers, as_of),
        not_applicable=sorted(declared.not_applicable, key=lambda item: (item.address, item.check_id)),
        other_waivers=[waiver for waiver in declared.waivers if not waiver.applies_in(plan.environment)],
    )
    # Messages too (a live test's drift message, a waiver's reason) may quote a leaked value.
    return redactor.apply(audit)


def _evidence(
    plan: Plan,
    finding: Finding,
    waiver: Waiver | None,
    not_applicable: NotApplicable | None,
    mapping: Mapping,
    redactor: Redactor,
    plan_digest: str,
) -> Evidence:
    resource = plan.block(finding.address)
    status = _status(finding.result, waiver, not_applicable)
    return Evidence(
        check_id=finding.check_id,
        check_name=finding.check_name,
        address=finding.address,
        construct_path=resource.path,
        status=status,
        attributes={
            key: _shown(key, resource.properties, redactor) for key in finding.evaluated_keys if key != "resource_type"
        },
        requirements=mapping.requirements_of(finding.check_id),
        lines=finding.lines,
        waiver=waiver if status == WAIVED else None,
        guideline=finding.guideline,
        evidence_id=evidence_id(finding.check_id, finding.address, plan_digest),
        not_applicable=not_applicable,
    )


def _status(result: str, waiver: Waiver | None, not_applicable: NotApplicable | None) -> str:
    """Not applicable whatever the result (the check has nothing to say about this resource); else a
    failure the environment's waiver covers is waived."""
    if not_applicable:
        return INAPPLICABLE
    return WAIVED if result == FAILED and waiver else result


def _shown(key: str, properties: dict, redactor: Redactor) -> str:
    """The value at a checkov key path (`a/[0]/b`, `a/*/b`) as short text: secrets redacted, by
    name or by value, before it is cut short; user_data as its digest."""
    values = [properties]
    for part in key.split("/"):
        values = [item for value in values for item in _step(value, part)]
    if not values:
        return "(not set on this resource)"
    name = key.rsplit("/", 1)[-1]
    if SECRET_NAMES.search(name) or redactor.touches(values):
        return REDACTED
    if HASHED_NAMES.search(name):
        return ", ".join(f"sha256:{hashlib.sha256(_text(value).encode()).hexdigest()}" for value in values)
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


def _summaries(evidence: list[Evidence], live: list[LiveResult], mapping: Mapping) -> list[RequirementSummary]:
    summaries = []
    for requirement in mapping.requirements.values():
        controls = tuple(check for check, ids in mapping.controls.items() if requirement.id in ids)
        counts = {status: 0 for status in (PASSED, FAILED, WAIVED)}
        for item in evidence:
            # A finding declared not applicable evidences nothing, either way.
            if requirement.id in item.requirements and item.status != INAPPLICABLE:
                counts[item.status] += 1
        outcomes: dict[str, int] = {}
        for result in live:
            if any(requirement.id in mapping.requirements_of(control) for control in result.controls):
                outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        summaries.append(RequirementSummary(requirement, controls, counts, outcomes))
    return summaries


def plan_sha256(plan_path: Path) -> str:
    return hashlib.sha256(Path(plan_path).read_bytes()).hexdigest()


def provenance(
    plan: Plan, plan_path: Path, scan: Scan, as_of: dt.date, live: list[LiveResult] = (), plan_copied: bool = True
) -> dict[str, Any]:
    return {
        "stack": plan.stack_name,
        "profile": plan.default_tags.get("Profile", "unknown"),
        "environment": plan.environment,
        "plan_path": str(plan_path),
        "plan_sha256": plan_sha256(plan_path),
        # The path above is overwritten by the next synth: the report folder keeps the bytes audited.
        "plan_copy": PLAN_COPY if plan_copied else None,
        "run": run_context(os.environ),
        # Where the live evidence was gathered: the account(s) and region(s) the live suite read.
        "live_accounts": sorted({result.account for result in live if result.account}),
        "live_regions": sorted({result.region for result in live if result.region}),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": _dirty(),
        "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "waivers_as_of": as_of.isoformat(),
        "engine": engine_record(plan_path),
        "tools": {"checkov": scan.checkov_version, "python": platform.python_version()},
    }


def run_context(environment: Mapping_[str, str]) -> dict[str, Any]:
    """Who ran the audit and where: the CI's own record of the run when there is one (GitHub Actions)."""
    actor = environment.get("GITHUB_ACTOR") or _login()
    if not environment.get("GITHUB_RUN_ID"):
        return {"actor": actor, "ci": None}
    repository, run_id = environment.get("GITHUB_REPOSITORY", ""), environment["GITHUB_RUN_ID"]
    server = environment.get("GITHUB_SERVER_URL", "https://github.com")
    return {
        "actor": actor,
        "ci": {
            "system": "github-actions",
            "repository": repository,
            "workflow": environment.get("GITHUB_WORKFLOW"),
            "run_id": run_id,
            "run_attempt": environment.get("GITHUB_RUN_ATTEMPT"),
            "ref": environment.get("GITHUB_REF"),
            "sha": environment.get("GITHUB_SHA"),
            "url": f"{server}/{repository}/actions/runs/{run_id}",
        },
    }


def _login() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        return None


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
