"""The live suite's options, `--live` and `--outputs-file`, registered wherever pytest starts.

Loaded through the installed project's `pytest11` entry point, not a conftest: pytest reads
a conftest only once it has found the rootdir, and it looks for the rootdir near the
command's paths. Declared in a conftest, `--outputs-file /elsewhere/outputs.json` would be
taken for a path, the rootdir would move there, and the option would be "unrecognized".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from stack.contract import PROJECT_ROOT

PROJECT_CONFIGURATION = PROJECT_ROOT / "pyproject.toml"


def pytest_addoption(parser: pytest.Parser) -> None:
    live = parser.getgroup("live suite")
    live.addoption(
        "--live",
        action="store_true",
        help="run -m integration against a real account (standard credential chain, AWS_ENDPOINT_URL honoured)",
    )
    live.addoption("--outputs-file", help="the file `cdktf deploy --outputs-file` wrote (required with --live)")


def pytest_configure(config: pytest.Config) -> None:
    live, outputs_file = config.getoption("--live"), config.getoption("--outputs-file")
    if outputs_file:
        _run_again_with_the_project_configuration(config)
    if live and not outputs_file:
        raise pytest.UsageError("--live needs --outputs-file FILE, the file `cdktf deploy --outputs-file` wrote")
    if outputs_file and not live:
        # Without --live the suite rehearses its own deployment: the file would be ignored, a silent pass.
        raise pytest.UsageError("--outputs-file is read only with --live; add --live to check that deployment")


def _run_again_with_the_project_configuration(config: pytest.Config) -> None:
    """Undo pytest taking an existing outputs file outside the project for a test path.

    pytest settles its rootdir and configuration file before any plugin can declare an
    option, from the command's path-like words: `--outputs-file /elsewhere/outputs.json`
    makes it look in /elsewhere and run without the project's configuration (markers,
    JUnit family, the lean start-up). Run from inside the project, the same command is then
    run again with the project's configuration named explicitly.
    """
    inside = Path(config.invocation_params.dir).resolve().is_relative_to(PROJECT_ROOT)
    if config.inipath == PROJECT_CONFIGURATION or not inside:
        return
    pinned = ["-c", str(PROJECT_CONFIGURATION), "--rootdir", str(PROJECT_ROOT)]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "pytest", *pinned, *config.invocation_params.args])
