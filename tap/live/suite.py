"""The nightly's live command, run in a child process as users run it: `pytest -m integration --live ...`.

Shared by the drift catalogue (tests/rehearsal) and the mutation campaign (tap/mutate):
both change an emulator account, run the command, and read which tests failed from its JUnit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from stack.contract import PROJECT_ROOT
from tap.audit import live_results
from tap.errors import UsageError
from tap.live.rehearsal import EMULATOR_CREDENTIALS

SUITE = [sys.executable, "-m", "pytest", "-m", "integration", "-q", "-p", "no:cacheprovider"]
# What would tell the suite which deployment it checks, other than the outputs file: none may be needed.
DEPLOYMENT_VARIABLES = (
    "ENVIRONMENT_SUFFIX",
    "STACK_PROFILE",
    "ALB_CERTIFICATE_ARN",
    "ALARM_EMAILS",
    "KEY_ADMINISTRATOR_ROLE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
)


@dataclass(frozen=True)
class LiveRun:
    returncode: int
    tests: int  # test cases in the JUnit: 0 when the suite never got to run one
    failures: list[str]  # "test id: message" of every failed or errored test
    output: str  # the tails of stdout and stderr, for a person


def emulator_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a live run against an emulator: its endpoint and credentials, no deployment variable."""
    env = {key: value for key, value in os.environ.items() if key not in DEPLOYMENT_VARIABLES}
    return {
        **env,
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": EMULATOR_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": EMULATOR_CREDENTIALS["aws_secret_access_key"],
        **extra,
    }


def run_live_suite(
    *arguments: str, env: dict[str, str] | None = None, live: bool = True
) -> subprocess.CompletedProcess:
    command = [*SUITE, *(["--live"] if live else []), *arguments]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)


def live_run(url: str, outputs_file: Path, junit: Path, *arguments: str) -> LiveRun:
    """The nightly command against the emulator at `url`, and what its JUnit says failed.

    `--outputs-file=FILE` in one word: pytest takes a separate FILE outside the project for
    a test path and starts over with the project's configuration (tap/pytest_live.py), which
    costs a second start-up; the option and its value are the same.
    """
    result = run_live_suite(*arguments, f"--outputs-file={outputs_file}", f"--junitxml={junit}", env=emulator_env(url))
    cases = _cases(junit)
    failures = [f"{case.test}: {case.message}" for case in cases if case.outcome in ("failed", "error")]
    return LiveRun(result.returncode, len(cases), failures, result.stdout[-3000:] + result.stderr[-2000:])


def _cases(junit: Path) -> list[live_results.LiveResult]:
    try:
        return live_results.read(junit) if junit.exists() else []
    except UsageError:  # a run stopped before any test writes a JUnit with no test case
        return []
