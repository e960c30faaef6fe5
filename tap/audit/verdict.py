"""`tap audit`: checkov's findings + waivers + the PCI DSS mapping -> evidence and a verdict.

Every (check, resource) pair checkov selected stays in the evidence with exactly one status:
PASSED, FAILED, WAIVED (a failure a waiver covers, shown with it), NOT_APPLICABLE (declared so,
or outside the check's scope, with the reason: neither a pass nor a waiver) or NOT_EVALUATED
(what the check could not read, named). Only the waivers approved for the plan's own environment
apply. The verdict fails on any unwaived failure, anything not evaluated, any live test that
failed, any secret-looking literal in the plan, and any of those waivers that expired, names a
check or resource that no longer exists, or covers a passing finding. No secret reaches the audit
it returns: each one found is redacted wherever it would appear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tap.audit import clock
from tap.audit.accounting import CheckAccount, account, remedies
from tap.audit.binding import UNBOUND, Binding
from tap.audit.findings_cache import leaks_of
from tap.audit.judgement import FAILED, NOT_EVALUATED, Finding
from tap.audit.judgement import NOT_APPLICABLE as INAPPLICABLE
from tap.audit.live_results import LiveResult
from tap.audit.mapping import Mapping
from tap.audit.network import NetworkRule, network_rules
from tap.audit.provenance import plan_sha256, provenance
from tap.audit.readings import Reader
from tap.audit.redaction import Redactor
from tap.audit.remedies import Remedy
from tap.audit.results import DEPLOYED, DESIGN, STATUSES, WAIVED, RequirementSummary
from tap.audit.scan import Scan
from tap.audit.waivers import Declared, NotApplicable, Waiver, expiring, problems
from tap.placeholders import placeholders
from tap.plan import Plan


@dataclass(frozen=True)
class Evidence:
    check_id: str
    check_name: str
    address: str
    construct_path: str
    status: str  # one of STATUSES
    attributes: dict[str, str]  # evaluated key -> its value in the plan, as text
    requirements: tuple[str, ...]
    lines: tuple[int, int]
    waiver: Waiver | None = None
    guideline: str | None = None
    not_applicable: NotApplicable | None = None  # the declaration, when one makes it not applicable
    evidence_id: str = ""  # the same for the same check, resource and plan bytes
    reason: str | None = None  # why not applicable, or what could not be read (not evaluated)
    remedy: Remedy | None = None  # how grave a failure of its check is, and the fix; None: not declared


def evidence_id(check_id: str, address: str, plan_digest: str) -> str:
    """A finding's name across reports and runs: a digest of what it is about, not of when it ran."""
    return "EV-" + hashlib.sha256(f"{check_id}\n{address}\n{plan_digest}".encode()).hexdigest()[:16]


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
    unmapped_reasons: dict[str, str] = field(default_factory=dict)  # of those, the ones left unmapped on purpose
    standard: str = ""
    scope: dict[str, Any] = field(default_factory=dict)  # the mapping's, with the plan's resources in the boundary
    network_rules: list[NetworkRule] = field(default_factory=list)
    plan_has_secrets: bool = False
    warnings: list[str] = field(default_factory=list)  # waivers expiring soon: they do not fail the audit
    not_applicable: list[NotApplicable] = field(default_factory=list)
    # Approved for other environments: not applied here, and not judged (neither used nor unused).
    other_waivers: list[Waiver] = field(default_factory=list)
    changes: dict[str, Any] | None = None  # since the baseline, when one was given
    defense_in_depth: dict[str, Any] | None = None  # a mutation campaign's summary, when one was given
    checks: list[CheckAccount] = field(default_factory=list)  # every check relied on, with what it judged
    binding: Binding = UNBOUND  # whether the plan is the reviewed commit's, and why (not)
    placeholders: list[str] = field(default_factory=list)  # the synth's stand-ins the plan holds: not deployable
    # Declarations for this environment that are not reviewed source: listed, never applied.
    unreviewed: list[Waiver | NotApplicable] = field(default_factory=list)
    # As of a day other than today (UTC): what the audit would say then, never sealed as evidence.
    preview: bool = False
    signing_key: str | None = None  # the fingerprint of the key that signs the manifest, when one does

    @property
    def stage(self) -> str:
        """design: what the plan shows; deployed: live results of a deployment of this plan folded in."""
        return DEPLOYED if self.live else DESIGN

    @property
    def environment(self) -> str | None:
        """The environment whose waivers apply: the plan's own."""
        return self.provenance.get("environment")

    @property
    def failures(self) -> list[Evidence]:
        return [item for item in self.evidence if item.status == FAILED]

    @property
    def not_evaluated(self) -> list[Evidence]:
        return [item for item in self.evidence if item.status == NOT_EVALUATED]

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.not_evaluated or self.problems else 0

    @property
    def verdict(self) -> str:
        """pass, fail, or design only: nothing failed, but the plan holds stand-ins no deployment can run on."""
        if self.exit_code:
            return "fail"
        return "design only" if self.placeholders else "pass"

    @property
    def verdict_label(self) -> str:
        if self.verdict == "design only":
            count = len(self.placeholders)
            return f"DESIGN ONLY: not deployable, {count} placeholder{'s' if count > 1 else ''}"
        return self.verdict.upper()

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
    binding: Binding = UNBOUND,
    shown_path: Path | None = None,
    environment: str | None = None,
    today: dt.date | None = None,
) -> Audit:
    """The audit of a plan. Only declarations of the reviewed source apply (`binding`: the plan is the
    commit's, the waivers file is the commit's); the rest are listed, never applied, and fail it.
    Waivers apply per environment: the plan's own, unless `environment` names the one to judge it as."""
    environment = environment or plan.environment
    findings = scan.findings[Path(plan_path).resolve()]
    leaks = leaks_of(Path(plan_path).read_bytes(), plan.document)
    redactor = Redactor(leaks)
    unreviewed = [item for item in (*declared.waivers, *declared.not_applicable) if not binding.reviews(item.source)]
    # The plan says which environment it is; a waiver approved only for others never applies to it.
    here = Declared(
        [waiver for waiver in declared.waivers if waiver.applies_in(environment) and waiver not in unreviewed],
        [item for item in declared.not_applicable if item not in unreviewed],
    )
    stand_ins = placeholders(plan)
    active = {waiver.key: waiver for waiver in here.waivers if not waiver.expired(as_of)}
    scoped = {item.key: item for item in here.not_applicable}
    digest = plan_sha256(plan_path)
    fixes = remedies(scan.policies, mapping)
    read = Reader(plan, scan, redactor)
    evidence = sorted(
        (
            _evidence(
                plan,
                finding,
                active.get(finding.key),
                scoped.get(finding.key),
                mapping,
                read(finding),
                digest,
                fixes.get(finding.check_id),
            )
            for finding in findings
        ),
        key=lambda item: (item.status not in (FAILED, NOT_EVALUATED), item.address, item.check_id),
    )
    failed = {finding.key for finding in findings if finding.result == FAILED}
    addresses = {resource.address for resource in plan.resources()}
    problems_found = (
        [leak.describe() for leak in leaks]
        + problems(here, set(scan.checks), addresses, failed, as_of)
        + [_unreviewed(item) for item in unreviewed if _applies(item, environment)]
        + [
            f"live test {result.test} {result.outcome}: {result.message or 'no message'}"
            for result in live
            if result.outcome in ("failed", "error")
        ]
        # A deployed account read as this plan cannot run on stand-ins: the live evidence is of something else.
        + [f"live results of a plan that cannot be deployed as it is: {stand_in}" for stand_in in stand_ins if live]
    )
    ran = {finding.check_id for finding in findings}
    unmapped = sorted(check for check in ran if not mapping.is_mapped(check))
    audit = Audit(
        plan_path=Path(plan_path),
        evidence=evidence,
        problems=problems_found,
        requirements=_summaries(evidence, live, mapping, DEPLOYED if live else DESIGN),
        waivers=sorted(here.waivers, key=lambda waiver: (waiver.expires, waiver.check_id, waiver.address)),
        live=list(live),
        provenance=provenance(plan, plan_path, scan, as_of, live, plan_copied=not leaks, shown_path=shown_path),
        unmapped_checks={check: scan.names().get(check, check) for check in unmapped},
        unmapped_reasons={check: mapping.unmapped[check] for check in unmapped if check in mapping.unmapped},
        standard=mapping.standard,
        scope=_scope(mapping, plan),
        network_rules=network_rules(plan),
        plan_has_secrets=bool(leaks),
        warnings=expiring(here.waivers, as_of),
        not_applicable=sorted(here.not_applicable, key=lambda item: (item.address, item.check_id)),
        other_waivers=[waiver for waiver in declared.waivers if not waiver.applies_in(environment)],
        checks=account(scan, mapping, {(item.check_id, item.address): item.status for item in evidence}),
        binding=binding,
        placeholders=stand_ins,
        unreviewed=[item for item in unreviewed if _applies(item, environment)],
        preview=as_of != (today or clock.today()),
    )
    # Messages too (a live test's drift message, a waiver's reason) may quote a leaked value.
    return redactor.apply(audit)


def _scope(mapping: Mapping, plan: Plan) -> dict[str, Any]:
    """The mapping's scope with the plan's resources in their place in the CDE boundary: the stack's
    part of the inventory of in-scope components. A resource no entry names is listed as unclassified."""
    resources = list(plan.resources())
    boundary = [
        {
            "role": entry.role,
            "paths": list(entry.paths),
            "why": entry.why,
            "resources": [resource.address for resource in resources if entry.holds(resource.path)],
        }
        for entry in mapping.boundary
    ]
    unclassified = [resource.address for resource in resources if not mapping.role_of(resource.path)]
    return {**mapping.scope, "boundary": boundary, "unclassified": unclassified}


def _applies(item: Waiver | NotApplicable, environment: str | None) -> bool:
    return not isinstance(item, Waiver) or item.applies_in(environment)


def _unreviewed(item: Waiver | NotApplicable) -> str:
    why = "the plan is unbound" if item.source == "plan" else "the file is not the commit's own waivers.toml"
    return f"{item.describe()} is not reviewed source ({why}), so it is not applied"


def _evidence(
    plan: Plan,
    finding: Finding,
    waiver: Waiver | None,
    not_applicable: NotApplicable | None,
    mapping: Mapping,
    attributes: dict[str, str],
    plan_digest: str,
    remedy: Remedy | None = None,
) -> Evidence:
    resource = plan.block(finding.address)
    status = _status(finding.result, waiver, not_applicable)
    reason = not_applicable.reason if not_applicable else finding.reason
    return Evidence(
        check_id=finding.check_id,
        check_name=finding.check_name,
        address=finding.address,
        construct_path=resource.path,
        status=status,
        attributes=attributes,
        requirements=mapping.requirements_of(finding.check_id),
        lines=finding.lines,
        waiver=waiver if status == WAIVED else None,
        guideline=finding.guideline,
        evidence_id=evidence_id(finding.check_id, finding.address, plan_digest),
        not_applicable=not_applicable,
        reason=reason,
        remedy=remedy,
    )


def _status(result: str, waiver: Waiver | None, not_applicable: NotApplicable | None) -> str:
    """Not applicable whatever the result when declared so (the check has nothing to say about this
    resource); else a failure the environment's waiver covers is waived; else the finding's own result."""
    if not_applicable:
        return INAPPLICABLE
    return WAIVED if result == FAILED and waiver else result


def _summaries(
    evidence: list[Evidence], live: list[LiveResult], mapping: Mapping, stage: str
) -> list[RequirementSummary]:
    summaries = []
    for requirement in mapping.requirements.values():
        controls = tuple(check for check, ids in mapping.controls.items() if requirement.id in ids)
        supporting = tuple(check for check, ids in mapping.supporting.items() if requirement.id in ids)
        counts = {status: 0 for status in STATUSES if status != INAPPLICABLE}
        exceptions = []
        # A finding not applicable evidences nothing, either way.
        counted = [item for item in evidence if requirement.id in item.requirements and item.status != INAPPLICABLE]
        for item in counted:
            counts[item.status] += 1
            if item.waiver:
                exceptions.append(_exception(item))
        outcomes: dict[str, int] = {}
        for result in live:
            if any(requirement.id in mapping.requirements_of(control) for control in result.controls):
                outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        summaries.append(
            RequirementSummary(
                requirement,
                controls,
                counts,
                outcomes,
                tuple(exceptions),
                stage,
                checks=len({item.check_id for item in counted}),
                resources=len({item.address for item in counted}),
                supporting=supporting,
            )
        )
    return summaries


def _exception(item: Evidence) -> str:
    waiver = item.waiver
    worksheet = "with a compensating-control worksheet" if waiver.compensating_control else "no worksheet"
    return f"{item.check_id} on {item.address}: waived until {waiver.expires} ({waiver.reference}, {worksheet})"
