"""Wall time of the rehearsal: provisioning alone, and provision plus the whole live suite.

    python -m bench.rehearsal_bench [--repeat N]

Target: `pytest -m integration` (for dev and prod each: moto server start, provision, 42 live tests) <= 20 s.
The plan comes from the cache (one synth on the first run); medians are shown.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tap.live.emulator import moto_server, rehearsal_config
from tap.live.rehearsal import rehearse
from tap.live.suite import run_live_suite
from tap.synth.cache import cached_plan

TARGET_SECONDS = 20.0


def provision_seconds() -> float:
    plan = cached_plan(rehearsal_config())
    with moto_server() as url, tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        rehearse(plan, url, Path(folder) / "outputs.json")
        return time.perf_counter() - started


def suite_seconds() -> float:
    started = time.perf_counter()
    result = run_live_suite(live=False)  # the rehearsal's own emulator, in the allow-listed environment
    if result.returncode != 0:
        sys.exit(f"bench: the live suite failed against the rehearsal:\n{result.stdout[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    cached_plan(rehearsal_config())  # warm the plan cache outside the timings
    provision = statistics.median(provision_seconds() for _ in range(repeat))
    suite = statistics.median(suite_seconds() for _ in range(repeat))
    print(f"tap rehearse alone (server already up)           {provision:6.2f} s")
    print(f"pytest -m integration (server, provision, suite) {suite:6.2f} s   target <= {TARGET_SECONDS:.0f} s")


if __name__ == "__main__":
    main()
