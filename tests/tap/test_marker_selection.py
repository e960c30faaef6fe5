"""`-m` selection across the suites' folders (conftest.py's pytest_ignore_collect)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _collected(marker: str) -> str:
    command = [sys.executable, "-m", "pytest", "-m", marker, "--collect-only", "-q", "-p", "no:cacheprovider"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False).stdout


def test_a_marker_no_folder_owns_selects_its_tests_wherever_they_are():
    # `make test-engine` runs `pytest -m engine`: skipping the rehearsal folder would collect nothing.
    assert "tests/rehearsal/test_engine_rehearsal.py::" in _collected("engine")


def test_a_suite_marker_still_skips_the_other_suites_folders():
    collected = _collected("unit")
    assert "tests/unit/" in collected and "tests/rehearsal/" not in collected
