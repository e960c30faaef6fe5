"""Side-by-side timings of the synth and the pre-commit suite: naive way vs ours.

    python -m bench.synth_bench [--repeat N]

Naive: the provider imported eagerly (TAP_EAGER_IMPORT=1), the third-party pytest
plugins loaded, a synth in every process; an audit that scans the plan again. Ours: lazy
provider import with the collector off, the content-addressed plan cache with a file lock,
a lean pytest start-up, the findings cache. Runs alternate naive/ours so load on the machine
hits both alike; medians are shown, with the targets.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stack.config import Config
from stack.contract import PROJECT_ROOT
from stack.runtime import EAGER_IMPORT_VARIABLE
from tap.audit.findings_cache import CACHE_VARIABLE as FINDINGS
from tap.synth.runner import SYNTH_LOG_VARIABLE

PYTEST = [sys.executable, "-m", "pytest", "-q", "-m", "unit", "-p", "no:cacheprovider"]
# What pre-commit runs: the unit suite and the policies on every plan.
PRE_COMMIT = [sys.executable, "-m", "pytest", "-q", "-m", "unit or gate", "-p", "no:cacheprovider"]
AUDIT = [sys.executable, "-m", "tap.cli", "audit", "--profile", "prod", "--env", "prod"]
# An edit to one stack module that changes every plan, within what every test accepts.
# (Each repeat a value of its own, so each finds every plan changed.)
EDITED, EDITED_LINE = PROJECT_ROOT / "stack" / "waf.py", "RATE_LIMIT_REQUESTS = 300"
NAIVE = {EAGER_IMPORT_VARIABLE: "1"}
# The naive run has no lean start-up either: drop our addopts, load the naive plugin.
NAIVE_PYTEST = [*PYTEST, "-o", "addopts=--strict-markers", "-p", "bench.naive_plugin"]


def run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=PROJECT_ROOT, env={**os.environ, **env}, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed:\n{result.stdout[-1500:]}{result.stderr[-1500:]}")
    return elapsed


def pair(label: str, naive: list[float], ours: list[float], target: str = "") -> None:
    n, o = statistics.median(naive), statistics.median(ours)
    print(f"{label:<46} naive {n:7.2f} s   ours {o:6.2f} s   ratio {n / o:6.1f}x   {target}")


def alone(label: str, ours: list[float], target: str) -> None:
    low, high = min(ours), max(ours)
    print(f"{label:<46} ours {statistics.median(ours):6.2f} s (min {low:.2f}, max {high:.2f})   {target}")


def warm_unit(repeat: int, cache: str) -> None:
    run(PYTEST, {"TAP_CACHE_DIR": cache})  # warm the cache once
    naive, ours = [], []
    for _ in range(repeat):
        naive.append(run(NAIVE_PYTEST, NAIVE))
        ours.append(run(PYTEST, {"TAP_CACHE_DIR": cache}))
    pair("1. warm pytest -m unit (plan unchanged)", naive, ours, "target: <= 0.5 s and >= 25x")


def cold_synth(repeat: int, scratch: Path) -> None:
    config = Config()
    naive, ours = [], []
    for index in range(repeat):
        env = config.to_env()
        naive.append(
            run([sys.executable, "-m", "stack.app"], {**env, **NAIVE, "CDKTF_OUTDIR": str(scratch / f"n{index}")})
        )
        ours.append(run([sys.executable, "-m", "stack.app"], {**env, "CDKTF_OUTDIR": str(scratch / f"o{index}")}))
    plan = Path("stacks") / config.stack_name / "cdk.tf.json"
    identical = all(
        filecmp.cmp(scratch / f"n{i}" / plan, scratch / f"o{i}" / plan, shallow=False) for i in range(repeat)
    )
    pair("2. cold synth (one stack, after an edit)", naive, ours)
    print(f"   plans byte-identical: {identical}")


def cold_parallel_unit(scratch: Path, workers: int = 2) -> None:
    logs = {"naive": scratch / "naive.log", "ours": scratch / "ours.log"}
    naive = run([*NAIVE_PYTEST, "-n", str(workers)], {**NAIVE, SYNTH_LOG_VARIABLE: str(logs["naive"])})
    ours = run(
        [*PYTEST, "-n", str(workers)],
        {"TAP_CACHE_DIR": str(scratch / "cold-cache"), SYNTH_LOG_VARIABLE: str(logs["ours"])},
    )
    pair(f"3. cold pytest -n {workers} -m unit", [naive], [ours])
    counts = {name: len(log.read_text().splitlines()) if log.exists() else 0 for name, log in logs.items()}
    print(f"   synths: naive {counts['naive']}, ours {counts['ours']} (4 plans: each profile, with and without egress)")


def warm_pre_commit(repeat: int, caches: dict[str, str]) -> None:
    run(PRE_COMMIT, caches)  # warm both caches once
    alone("4. warm pytest -m 'unit or gate'", [run(PRE_COMMIT, caches) for _ in range(repeat)], "target: <= 1 s")


def edited_pre_commit(repeat: int, caches: dict[str, str], scratch: Path) -> None:
    """One stack module edited: every plan synthesized once and scanned once, then judged."""
    log = scratch / "edit-synths.log"
    original = EDITED.read_text()
    assert EDITED_LINE in original, f"bench: {EDITED} no longer holds {EDITED_LINE!r}"
    seconds = []
    try:
        for index in range(repeat):
            EDITED.write_text(original.replace(EDITED_LINE, f"RATE_LIMIT_REQUESTS = {301 + index}"))
            seconds.append(run(PRE_COMMIT, {**caches, SYNTH_LOG_VARIABLE: str(log)}))
    finally:
        EDITED.write_text(original)
    synths = len(log.read_text().splitlines()) / repeat if log.exists() else 0
    alone("5. pytest -m 'unit or gate' after an edit", seconds, f"target: <= 7 s ({synths:g} synths a run, 4 plans)")


def warm_audit(repeat: int, caches: dict[str, str], scratch: Path) -> None:
    out = ["--out", str(scratch / "audit")]
    run([*AUDIT, *out], caches)  # the plan cached, and its findings
    naive, ours = [], []
    for index in range(repeat):
        naive.append(run([*AUDIT, *out], {**caches, FINDINGS: str(scratch / f"no-findings-{index}")}))
        ours.append(run([*AUDIT, *out], caches))
    pair("6. tap audit, plan and policies unchanged", naive, ours, "target: <= 0.5 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        warm_unit(args.repeat, str(scratch / "warm-cache"))
        cold_synth(max(3, args.repeat // 2), scratch)
        cold_parallel_unit(scratch)
        caches = {"TAP_CACHE_DIR": str(scratch / "warm-cache"), FINDINGS: str(scratch / "findings")}
        warm_pre_commit(args.repeat, caches)
        edited_pre_commit(args.repeat, caches, scratch)
        warm_audit(args.repeat, caches, scratch)


if __name__ == "__main__":
    main()
