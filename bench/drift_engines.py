"""The drift catalogue's verdicts on the translator's rehearsal and on Terraform's, side by side.

    python -m bench.drift_engines [-k EXPRESSION]        (make drift-engines)

Runs `pytest tests/rehearsal/test_drift.py` twice, one provisioner after the other
(TAP_DRIFT_ENGINE=translator, then terraform: the AWS provider of the machine's mirror, 5.100.0, where
the stack pins 6.25.0), and prints each run's verdict per case (no drift, each reshape, each drift)
with the time each run took. Exits 1 when a case is not passed on either provisioner, or when the two
disagree: the same account, provisioned either way, must give the same verdicts.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from stack.contract import PROJECT_ROOT
from tap.live.emulator import PROVISIONERS, rehearsal_config
from tap.live.terraform.rehearsal import provider_note
from tap.live.terraform.workspace import find_toolchain
from tap.plan_file import read_plan
from tap.synth.cache import cached_plan

ENGINES = PROVISIONERS
# The catalogue's tests without a case: the run with no change, and the catalogue's own size.
UNPARAMETRIZED = {"live_suite_passes_an_account_without_drift": "no drift"}
CASE = re.compile(r"test_(?P<test>\w+?)(?:\[(?P<case>.*)\])?")


def _verdict(testcase: ElementTree.Element) -> str:
    for outcome, verdict in (("failure", "failed"), ("error", "error"), ("skipped", "not evaluated")):
        if testcase.find(outcome) is not None:
            return verdict
    return "passed"


def verdicts(junit: Path) -> dict[str, str]:
    """Each case of the run, by drift (or reshape) name; the no-drift run as `no drift`; any other test by name."""
    found = {}
    for testcase in ElementTree.parse(junit).iter("testcase"):
        name = CASE.fullmatch(testcase.get("name", ""))
        if name:
            found[name["case"] or UNPARAMETRIZED.get(name["test"], name["test"])] = _verdict(testcase)
    return found


def run(engine: str, selection: list[str], folder: Path) -> tuple[dict[str, str], float]:
    junit = folder / f"{engine}.xml"
    command = [sys.executable, "-m", "pytest", "tests/rehearsal/test_drift.py", "-q", "-p", "no:cacheprovider"]
    started = time.perf_counter()
    subprocess.run(
        [*command, *selection, f"--junitxml={junit}"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "TAP_DRIFT_ENGINE": engine},
        stdout=subprocess.DEVNULL,
        check=False,
    )
    if not junit.exists():
        sys.exit(f"drift-engines: pytest wrote no report for the {engine}'s rehearsal")
    return verdicts(junit), time.perf_counter() - started


def table(results: dict[str, dict[str, str]]) -> tuple[list[str], bool]:
    cases = sorted(set().union(*results.values()), key=lambda case: (case != "no drift", case))
    width = max(map(len, cases), default=10)
    lines, agreed = [f"{'case':<{width}}  {'translator':<14}{'terraform':<14}"], True
    for case in cases:
        row = [results[engine].get(case, "not run") for engine in ENGINES]
        agreed &= row == ["passed", "passed"]
        lines.append(f"{case:<{width}}  {row[0]:<14}{row[1]:<14}{'' if row[0] == row[1] else '<- differs'}")
    return lines, agreed and bool(cases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="expression", help="only the cases pytest's -k expression selects")
    args = parser.parse_args()
    selection = ["-k", args.expression] if args.expression else []
    with tempfile.TemporaryDirectory() as folder:
        timed = {engine: run(engine, selection, Path(folder)) for engine in ENGINES}
    lines, agreed = table({engine: found for engine, (found, _) in timed.items()})
    print("\n".join(lines))
    for engine, (found, seconds) in timed.items():
        passed = sum(verdict == "passed" for verdict in found.values())
        print(f"{engine}: {passed}/{len(found)} passed in {seconds:.0f} s")
    print(f"terraform: {provider_note(read_plan(cached_plan(rehearsal_config())), find_toolchain())}")
    sys.exit(0 if agreed else 1)


if __name__ == "__main__":
    main()
