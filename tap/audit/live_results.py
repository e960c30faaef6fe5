"""The live suite's JUnit XML, read as evidence: which controls each test checked, where, against which plan.

Every live test case carries JUnit properties (written by tests/integration with pytest's
`record_property`, junit_family xunit1): `controls` (space-separated check ids, which the
mapping turns into requirements) and what it checked against what: `stack` (the stack name),
`plan_sha256` (of the exact plan file the suite compared the account with), `account` and
`region`. Evidence that checked nothing, another stack or another version of the plan is refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from stack.config import is_region
from tap import documents
from tap.documents import Kind, MiB
from tap.errors import UsageError

CONTROLS_PROPERTY = "controls"
IDENTITY_PROPERTIES = ("stack", "plan_sha256", "account", "region")
ACCOUNT = re.compile(r"[0-9]{12}")
LIVE_RESULTS = Kind(
    "the live results", "xml", max_bytes=64 * MiB, remedy=": pass the file the live suite wrote with --junitxml"
)


@dataclass(frozen=True)
class LiveResult:
    test: str
    outcome: str  # passed, failed, error or skipped
    controls: tuple[str, ...]
    message: str = ""
    stack: str = ""  # e.g. TapStackdev
    plan_sha256: str = ""  # of the plan file the live suite compared the account with
    account: str = ""  # the 12-digit AWS account read
    region: str = ""


def read(path: Path) -> list[LiveResult]:
    root = documents.read(path, LIVE_RESULTS)
    cases = list(root.iter("testcase"))
    if root.tag not in ("testsuites", "testsuite") or not cases:
        raise UsageError(f"the live results {path} hold no JUnit test case: pass the file pytest wrote with --junitxml")
    return [_result(case) for case in cases]


def check_evidence(results: list[LiveResult], path: Path, stack: str, plan_sha256: str) -> None:
    """Refuse live results that executed no test, or that do not say they checked this stack and this plan."""
    if all(result.outcome == "skipped" for result in results):
        raise UsageError(f"the live results {path} executed no test (every test was skipped): they evidence nothing")
    for result in results:
        if not (result.stack and result.plan_sha256 and result.account and result.region):
            raise UsageError(
                f"the live test {result.test} in {path} does not say which stack and plan it checked, in which "
                "account and region (JUnit properties stack, plan_sha256, account, region): run the current "
                "live suite with --junitxml"
            )
        if not (ACCOUNT.fullmatch(result.account) and is_region(result.region)):
            raise UsageError(
                f"the live test {result.test} in {path} names no AWS account (12 digits) and region it checked "
                f"(account {result.account!r}, region {result.region!r}): run the current live suite with --junitxml"
            )
    others = sorted({result.stack for result in results} - {stack})
    if others:
        raise UsageError(
            f"the live results are from {', '.join(others)}, not {stack}: pass the live results of {stack}"
        )
    versions = sorted({result.plan_sha256 for result in results} - {plan_sha256})
    if versions:
        raise UsageError(
            f"the live results {path} checked another version of the plan (sha256 {', '.join(versions)}), "
            f"not the one audited (sha256 {plan_sha256}): run the live suite against the plan you audit"
        )


def _result(case: ET.Element) -> LiveResult:
    name = f"{case.get('classname', '')}::{case.get('name', '')}".strip(":")
    properties = {key: _property(case, key) for key in IDENTITY_PROPERTIES}
    controls = tuple(_property(case, CONTROLS_PROPERTY).split())
    for outcome in ("failure", "error", "skipped"):
        element = case.find(outcome)
        if element is not None:
            label = {"failure": "failed"}.get(outcome, outcome)
            return LiveResult(name, label, controls, (element.get("message") or "").strip(), **properties)
    return LiveResult(name, "passed", controls, **properties)


def _property(case: ET.Element, name: str) -> str:
    """A property's values on one test case, each once, space-separated ("" when it has none).

    Two different values (two stacks on one test) stay visible, so they match no single plan.
    """
    values = (prop.get("value") or "" for prop in case.iter("property") if prop.get("name") == name)
    return " ".join(dict.fromkeys(value.strip() for value in values if value.strip()))
