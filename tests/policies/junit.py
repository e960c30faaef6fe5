"""Live results as the live suite writes them (pytest --junitxml, xunit1), made for the plan under audit.

Every test case carries the properties tests/integration records: `controls`, and what it
checked against what: `stack`, `plan_sha256` (of the plan file's bytes), `account`, `region`.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from tap.plan import Plan

ACCOUNT, REGION = "123456789012", "ap-southeast-1"


@dataclass(frozen=True)
class LiveCase:
    classname: str
    name: str
    controls: str
    outcome: str = "passed"  # passed, failed or skipped
    message: str = ""


NIGHTLY = (
    LiveCase("tests.integration.test_storage", "test_buckets_encrypted_by_default[data]", "CKV2_PAY_1 CKV_AWS_145"),
    LiveCase(
        "tests.integration.test_database",
        "test_database_is_private",
        "CKV_PAY_7",
        "failed",
        "drift: the database is publicly accessible",
    ),
    LiveCase("tests.integration.test_keys", "test_keys_rotate", "CKV_PAY_5"),
)


def identity_of(plan_path: Path) -> dict[str, str]:
    """What the live suite records when it checked the deployment of exactly this plan file."""
    return {
        "stack": Plan.load(plan_path).stack_name,
        "plan_sha256": hashlib.sha256(Path(plan_path).read_bytes()).hexdigest(),
        "account": ACCOUNT,
        "region": REGION,
    }


def write_live_results(
    path: Path, plan_path: Path, cases: tuple[LiveCase, ...] = NIGHTLY, **identity: str | None
) -> Path:
    """The JUnit file; `identity` overrides a property on every case (None leaves it out)."""
    properties = {key: value for key, value in {**identity_of(plan_path), **identity}.items() if value is not None}
    suite = ET.Element("testsuite", name="pytest", tests=str(len(cases)))
    for case in cases:
        element = ET.SubElement(suite, "testcase", classname=case.classname, name=case.name)
        listed = ET.SubElement(element, "properties")
        for name, value in {"controls": case.controls, **properties}.items():
            ET.SubElement(listed, "property", name=name, value=value)
        if case.outcome == "failed":
            ET.SubElement(element, "failure", message=case.message).text = "assert True is False"
        elif case.outcome == "skipped":
            ET.SubElement(element, "skipped", message=case.message or "skipped")
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return Path(path)
