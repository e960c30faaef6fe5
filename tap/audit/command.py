"""`tap audit` end to end: read the inputs, scan once, judge, write the reports, say what failed."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from stack.contract import ENGINE_RECORD, PROJECT_ROOT
from tap import documents
from tap.audit import bundle, clock, live_results, waivers
from tap.audit.accounting import refuse_unaccounted
from tap.audit.binding import bind
from tap.audit.changes import check_same_deployment, compare, load_baseline
from tap.audit.judgeable import refuse_unjudgeable
from tap.audit.live_results import LiveResult
from tap.audit.mapping import Mapping
from tap.audit.provenance import ENGINE, plan_sha256
from tap.audit.reports import check_out_dir, preview_label, to_json, write_all
from tap.audit.scan import Scan, scan
from tap.audit.verdict import INAPPLICABLE, NOT_EVALUATED, Audit, evaluate
from tap.console import say
from tap.documents import Kind
from tap.errors import UsageError
from tap.mutate import report as mutation_report
from tap.plan import Plan
from tap.plan_file import PLAN, read_plan

DEFAULT_WAIVERS = PROJECT_ROOT / "waivers.toml"


def waivers_path(waivers_file: Path | None) -> Path | None:
    """The waivers file the audit reads: the one named, else the project's, if there is one."""
    if waivers_file is None:
        return DEFAULT_WAIVERS if DEFAULT_WAIVERS.exists() else None
    return waivers_file


def load_waivers(plan: Plan, waivers_file: Path | None, copy: Path | None = None) -> waivers.Declared:
    """Every waiver and not-applicable declaration, of every environment: the plan's and the file's
    (read from `copy`, the audit's private copy of it, when given)."""
    waivers_file = waivers_path(waivers_file)
    from_file = waivers.from_file(copy or waivers_file, shown=waivers_file) if waivers_file else waivers.Declared()
    return waivers.merge(waivers.from_plan(plan), from_file)


def snapshot(path: Path, folder: Path, kind: Kind) -> Path:
    """A private copy of an input the audit reads, made once and checked as its kind: every step reads
    these bytes, whatever happens to the file meanwhile (a plan swapped after it was bound would be
    audited unbound)."""
    data = documents.read_bytes(path, kind)
    documents.parse(data, kind, path)
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / Path(path).name
    copy.write_bytes(data)
    return copy


def check_asked(plan: Plan, plan_path: Path, environment: str | None, profile: str | None) -> None:
    """The environment (and profile) the audit was asked for must be the plan's: waivers are approved per
    environment, so auditing one environment's plan as another's would apply waivers never approved for it;
    and a profile asked for but not audited would be silence."""
    for what, tag, asked in (("environment", "Environment", environment), ("profile", "Profile", profile)):
        found = plan.default_tags.get(tag)
        if asked is not None and asked != found:
            says = f"is of {what} {found!r}" if found else f"names no {what} (tag {tag})"
            raise UsageError(f"the plan {plan_path} {says}, not {asked!r}: audit the plan of {asked!r}")


def load_live_results(plan: Plan, plan_path: Path, live_results_file: Path) -> list[LiveResult]:
    """The live suite's results, if they are evidence about this plan: from its stack, of its exact bytes."""
    results = live_results.read(live_results_file)
    live_results.check_evidence(results, live_results_file, plan.stack_name, plan_sha256(plan_path))
    return results


def require_findings(result: Scan, plan: Plan, plan_path: Path, shown: Path | None = None) -> None:
    """A scan that checked nothing, or skipped a resource, has no verdict to give: never a pass.

    CKV_PAY_18 reads every resource, so a resource without a finding is one checkov did not read.
    """
    findings = result.findings.get(Path(plan_path).resolve())
    plan_path = shown or plan_path
    if not findings:
        raise UsageError(
            f"checkov produced no finding on the plan {plan_path}: nothing in it was checked, so there is no verdict"
        )
    unread = sorted({resource.address for resource in plan.resources()} - {item.address for item in findings})
    if unread:
        others = f" and {len(unread) - 1} other resources" if len(unread) > 1 else ""
        raise UsageError(
            f"checkov produced no finding on {unread[0]}{others} of the plan {plan_path}: "
            "what was not read cannot pass, so there is no verdict"
        )


def run_audit(
    plan_path: Path,
    *,
    out_dir: Path,
    waivers_file: Path | None = None,
    live_results_file: Path | None = None,
    environment: str | None = None,
    profile: str | None = None,
    as_of: dt.date | None = None,
    baseline: Path | None = None,
    sign_key: Path | None = None,
    mutation_results: Path | None = None,
) -> int:
    started = time.perf_counter()
    check_out_dir(out_dir)  # before the scan: a folder that cannot take the reports fails at once
    today = clock.today()
    as_of = as_of or today
    if as_of != today and sign_key:
        raise UsageError(
            f"--as-of {as_of} makes a preview (today is {today}, UTC), which is never sealed nor signed: "
            "drop --sign-key, or audit as of today"
        )
    key = bundle.load_private_key(sign_key) if sign_key else None
    previous = load_baseline(baseline, key and bundle.fingerprint(key.public_key())) if baseline else None
    campaign = mutation_report.read_result(mutation_results) if mutation_results else None
    with tempfile.TemporaryDirectory(prefix="tap-audit-") as folder:
        audited = snapshot(plan_path, Path(folder) / "plan", PLAN)
        record = Path(plan_path).parent / ENGINE_RECORD
        if record.exists():
            snapshot(record, audited.parent, ENGINE)
        waivers_file = waivers_path(waivers_file)
        waivers_copy = snapshot(waivers_file, Path(folder) / "waivers", waivers.WAIVERS) if waivers_file else None
        plan = read_plan(audited, shown=plan_path)
        if not len(plan.resources()):
            raise UsageError(f"the plan {plan_path} has no resource to audit: pass the plan of a stack")
        refuse_unjudgeable(plan, plan_path)
        check_asked(plan, plan_path, environment, profile)
        if previous is not None:
            check_same_deployment(previous, baseline, plan)
        accepted = load_waivers(plan, waivers_file, waivers_copy)
        binding = bind(audited, waivers_file, waivers_copy)
        live = load_live_results(plan, audited, live_results_file) if live_results_file else []
        mapping = Mapping.load()
        scan_started = time.perf_counter()
        result = scan([audited])
        scan_seconds = time.perf_counter() - scan_started
        require_findings(result, plan, audited, shown=plan_path)
        refuse_unaccounted(result, result.findings[audited.resolve()], plan, plan_path, mapping)
        audit = evaluate(
            plan, audited, result, accepted, mapping, as_of, live, binding, shown_path=plan_path, today=today
        )
        if previous is not None:
            audit.changes = compare(previous, to_json(audit), as_of)
        if campaign is not None:
            audit.defense_in_depth = mutation_report.summary(campaign, mutation_results, key)
        paths = write_all(audit, out_dir, waivers_file=waivers_copy, sign_key=key, shown_waivers=waivers_file)
    _print_summary(audit, paths, scan_seconds, time.perf_counter() - started)
    return audit.exit_code


def _print_summary(audit: Audit, paths: dict[str, Path], scan_seconds: float, total_seconds: float) -> None:
    stack = f"{audit.provenance['stack']} ({audit.provenance['profile']}, environment {audit.environment})"
    new_failures = audit.changes["new_failures"] if audit.changes is not None else []
    say(
        f"{stack}: {audit.count('PASSED')} passed, {audit.count('FAILED')} failed, "
        f"{audit.count('WAIVED')} waived, {audit.count(INAPPLICABLE)} not applicable, "
        f"{audit.count(NOT_EVALUATED)} not evaluated; "
        f"{len(audit.waivers)} waivers ({len(audit.other_waivers)} for other environments, not applied), "
        f"{len(audit.live)} live results",
        f"  {'bound' if audit.binding.bound else 'UNBOUND'}: {audit.binding.reason}",
        *([f"  PREVIEW: {preview_label(audit.provenance)}, not evidence: unsealed"] if audit.preview else []),
        *(f"  PLACEHOLDER {placeholder}" for placeholder in audit.placeholders),
        *(
            f"  FAILED {item.check_id} {item.address} ({item.construct_path}): {item.check_name}"
            for item in audit.failures
        ),
        *(
            f"  NOT EVALUATED {item.check_id} {item.address} ({item.construct_path}): {item.reason}"
            for item in audit.not_evaluated
        ),
        *(f"  PROBLEM {problem}" for problem in audit.problems),
        *(f"  WARNING {warning}" for warning in audit.warnings),
        *(f"  NEW FAILURE since the baseline: {item['check_id']} {item['resource']}" for item in new_failures),
        f"  reports: {', '.join(str(path) for path in paths.values())}",
        f"  scan {scan_seconds:.1f} s, audit {total_seconds:.1f} s: {audit.verdict_label}",
    )
