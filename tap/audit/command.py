"""`tap audit` end to end: read the inputs, scan once, judge, write the reports, say what failed."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from stack.contract import PROJECT_ROOT
from tap.audit import live_results, waivers
from tap.audit.mapping import Mapping
from tap.audit.reports import write_all
from tap.audit.scan import scan
from tap.audit.verdict import Audit, evaluate
from tap.plan import Plan, read_plan

DEFAULT_WAIVERS = PROJECT_ROOT / "waivers.toml"


def load_waivers(plan: Plan, waivers_file: Path | None) -> list[waivers.Waiver]:
    if waivers_file is None:
        waivers_file = DEFAULT_WAIVERS if DEFAULT_WAIVERS.exists() else None
    from_file = waivers.from_file(waivers_file) if waivers_file else []
    return waivers.merge(waivers.from_plan(plan), from_file)


def run_audit(
    plan_path: Path,
    *,
    out_dir: Path,
    waivers_file: Path | None = None,
    live_results_file: Path | None = None,
    as_of: dt.date | None = None,
) -> int:
    started = time.perf_counter()
    plan = read_plan(plan_path)
    accepted = load_waivers(plan, waivers_file)
    live = live_results.read(live_results_file) if live_results_file else []
    mapping = Mapping.load()
    scan_started = time.perf_counter()
    result = scan([plan_path])
    scan_seconds = time.perf_counter() - scan_started
    audit = evaluate(plan, plan_path, result, accepted, mapping, as_of or dt.datetime.now(dt.UTC).date(), live)
    paths = write_all(audit, out_dir)
    _print_summary(audit, paths, scan_seconds, time.perf_counter() - started)
    return audit.exit_code


def _print_summary(audit: Audit, paths: dict[str, Path], scan_seconds: float, total_seconds: float) -> None:
    stack = f"{audit.provenance['stack']} ({audit.provenance['profile']})"
    print(
        f"{stack}: {audit.count('PASSED')} passed, {audit.count('FAILED')} failed, "
        f"{audit.count('WAIVED')} waived; {len(audit.waivers)} waivers, {len(audit.live)} live results"
    )
    for item in audit.failures:
        print(f"  FAILED {item.check_id} {item.address} ({item.construct_path}): {item.check_name}")
    for problem in audit.problems:
        print(f"  PROBLEM {problem}")
    print(f"  reports: {', '.join(str(path) for path in paths.values())}")
    print(f"  scan {scan_seconds:.1f} s, audit {total_seconds:.1f} s: {'PASS' if audit.exit_code == 0 else 'FAIL'}")
