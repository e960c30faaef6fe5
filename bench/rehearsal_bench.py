"""Wall time of the rehearsal: the translator and Terraform itself, side by side.

    python -m bench.rehearsal_bench [--repeat N] [--profile dev|prod]

Target: `pytest -m integration` (for dev and prod each: moto server start, provision, live tests) <= 20 s.
Then one profile rehearsed both ways: apply (the translator's provisioning, or `terraform apply`), the
second plan (Terraform's idempotence check; the translator has none), the live suite from the outputs
file, and destroy (Terraform's; the translator has none). Terraform runs with the machine's mirror's AWS
provider (5.100.0), not the 6.25.0 the stack pins. The plan comes from the cache; medians are shown.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tap.errors import UsageError
from tap.live.emulator import moto_server, rehearsal_config
from tap.live.rehearsal import rehearse
from tap.live.suite import live_run, run_live_suite
from tap.live.terraform.rehearsal import engine_rehearsal
from tap.synth.cache import cached_plan

TARGET_SECONDS = 20.0
STEPS = ("apply", "plan", "live suite", "destroy")


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


def _live_seconds(url: str, outputs: Path) -> float:
    started = time.perf_counter()
    run = live_run(url, outputs, outputs.with_suffix(".xml"))
    if run.returncode != 0 or run.failures:
        sys.exit(f"bench: the live suite failed: {run.failures[:3]}\n{run.output[-1500:]}")
    return time.perf_counter() - started


def translator_steps(profile: str) -> dict[str, float]:
    plan = cached_plan(rehearsal_config(profile))
    with moto_server() as url, tempfile.TemporaryDirectory() as folder:
        outputs = Path(folder) / "outputs.json"
        started = time.perf_counter()
        rehearse(plan, url, outputs)
        return {"apply": time.perf_counter() - started, "live suite": _live_seconds(url, outputs)}


def engine_steps(profile: str) -> tuple[dict[str, float], str]:
    plan = cached_plan(rehearsal_config(profile))
    with moto_server() as url, tempfile.TemporaryDirectory() as folder, engine_rehearsal(plan, url) as rehearsal:
        outputs = Path(folder) / "outputs.json"
        rehearsal.apply()
        outputs.write_text(json.dumps(rehearsal.outputs()))
        changes = rehearsal.changes()
        if changes:
            sys.exit(f"bench: Terraform's rehearsal is not idempotent: {changes}")
        live = _live_seconds(url, outputs)
        try:
            rehearsal.destroy()
        except UsageError as refused:  # prod's protections refuse it: the time is still the time it took
            print(f"bench: destroy refused ({str(refused)[:160]})")
        return {**rehearsal.seconds, "live suite": live}, rehearsal.provider_note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", choices=("dev", "prod"), default="dev")
    args = parser.parse_args()
    cached_plan(rehearsal_config(args.profile))  # warm the plan cache outside the timings
    provision = statistics.median(provision_seconds() for _ in range(args.repeat))
    suite = statistics.median(suite_seconds() for _ in range(args.repeat))
    print(f"tap rehearse alone (server already up)           {provision:6.2f} s")
    print(f"pytest -m integration (server, provision, suite) {suite:6.2f} s   target <= {TARGET_SECONDS:.0f} s")
    translator = translator_steps(args.profile)
    engine, note = engine_steps(args.profile)
    print(f"\n{args.profile}, one run each    translator   terraform   ({note})")
    for step in STEPS:
        cells = [f"{runs[step]:8.1f} s" if step in runs else "       n/a" for runs in (translator, engine)]
        print(f"  {step:<22} {cells[0]}  {cells[1]}")


if __name__ == "__main__":
    main()
