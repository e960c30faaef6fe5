"""The nightly's live command, run in a child process as users run it: `pytest -m integration --live ...`."""

from __future__ import annotations

import os
import subprocess
import sys

from stack.contract import PROJECT_ROOT
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
