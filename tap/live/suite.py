"""The nightly's live command, run in a child process as users run it: `pytest -m integration --live ...`.

Shared by the drift catalogue (tests/rehearsal) and the mutation campaign (tap/mutate):
both change an emulator account, run the command, and read which tests failed from its JUnit.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from stack.contract import PROJECT_ROOT
from tap.audit import live_results
from tap.errors import UsageError
from tap.live.child_env import emulator_env

SUITE = [sys.executable, "-m", "pytest", "-m", "integration", "-q", "-p", "no:cacheprovider"]


@dataclass(frozen=True)
class LiveRun:
    returncode: int
    tests: int  # test cases in the JUnit: 0 when the suite never got to run one
    failures: list[str]  # "test id: message" of every failed or errored test
    output: str  # the tails of stdout and stderr, for a person


def run_live_suite(
    *arguments: str, url: str | None = None, live: bool = True, **variables: str
) -> subprocess.CompletedProcess:
    """The command against the emulator at `url`, in an environment of the allow-list's (tap/live/child_env.py):
    nothing else tells the suite where AWS is, nor which deployment it checks (the outputs file alone does)."""
    command = [*SUITE, *(["--live"] if live else []), *arguments]
    env = emulator_env(url, **variables)
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)


def live_run(url: str, outputs_file: Path, junit: Path, *arguments: str) -> LiveRun:
    """The nightly command against the emulator at `url`, and what its JUnit says failed.

    `--outputs-file=FILE` in one word: pytest takes a separate FILE outside the project for
    a test path and starts over with the project's configuration (tap/pytest_live.py), which
    costs a second start-up; the option and its value are the same.
    """
    result = run_live_suite(*arguments, f"--outputs-file={outputs_file}", f"--junitxml={junit}", url=url)
    cases = _cases(junit)
    failures = [f"{case.test}: {case.message}" for case in cases if case.outcome in ("failed", "error")]
    return LiveRun(result.returncode, len(cases), failures, result.stdout[-3000:] + result.stderr[-2000:])


def _cases(junit: Path) -> list[live_results.LiveResult]:
    try:
        return live_results.read(junit) if junit.exists() else []
    except UsageError:  # a run stopped before any test writes a JUnit with no test case
        return []
