"""The live suite's JUnit XML, read as evidence: which controls each test checked in the account.

A live test names the controls it evidences in a JUnit property `controls` (space-separated
check ids, written by tests/integration); the mapping turns them into requirements.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from tap.errors import UsageError

CONTROLS_PROPERTY = "controls"


@dataclass(frozen=True)
class LiveResult:
    test: str
    outcome: str  # passed, failed, error or skipped
    controls: tuple[str, ...]
    message: str = ""


def read(path: Path) -> list[LiveResult]:
    try:
        root = ET.parse(path).getroot()
    except OSError as error:
        raise UsageError(f"cannot read the live results {path}: {error.strerror}") from None
    except ET.ParseError as error:
        raise UsageError(f"the live results {path} are not JUnit XML: {error}") from None
    cases = list(root.iter("testcase"))
    if root.tag not in ("testsuites", "testsuite") or not cases:
        raise UsageError(f"the live results {path} hold no JUnit test case: pass the file pytest wrote with --junitxml")
    return [_result(case) for case in cases]


def _result(case: ET.Element) -> LiveResult:
    name = f"{case.get('classname', '')}::{case.get('name', '')}".strip(":")
    controls = tuple(
        control
        for prop in case.iter("property")
        if prop.get("name") == CONTROLS_PROPERTY
        for control in (prop.get("value") or "").split()
    )
    for outcome in ("failure", "error", "skipped"):
        element = case.find(outcome)
        if element is not None:
            label = {"failure": "failed"}.get(outcome, outcome)
            return LiveResult(name, label, controls, (element.get("message") or "").strip())
    return LiveResult(name, "passed", controls)
