"""The nightly's live command, run in a child process: `pytest -m integration --live ...`."""

from __future__ import annotations

import subprocess
import sys

from stack.runtime import PROJECT_ROOT

# -c pins the project's configuration: pytest would otherwise look for a rootdir near the file arguments.
LIVE_SUITE = [
    sys.executable,
    "-m",
    "pytest",
    "-c",
    str(PROJECT_ROOT / "pyproject.toml"),
    "tests/integration",
    "-m",
    "integration",
    "--live",
    "-q",
    "-p",
    "no:cacheprovider",
]


def run_live_suite(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*LIVE_SUITE, *arguments], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600
    )
