"""The live suite's options, `--live` and `--outputs-file`, registered wherever pytest starts.

Loaded through the installed project's `pytest11` entry point, not a conftest: pytest reads
a conftest only once it has found the rootdir, and it looks for the rootdir near the
command's paths. Declared in a conftest, `--outputs-file /elsewhere/outputs.json` would be
taken for a path, the rootdir would move there, and the option would be "unrecognized".
"""

from __future__ import annotations

import pytest


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
    if live and not outputs_file:
        raise pytest.UsageError("--live needs --outputs-file FILE, the file `cdktf deploy --outputs-file` wrote")
    if outputs_file and not live:
        # Without --live the suite rehearses its own deployment: the file would be ignored, a silent pass.
        raise pytest.UsageError("--outputs-file is read only with --live; add --live to check that deployment")
