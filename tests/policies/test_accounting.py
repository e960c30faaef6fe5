"""The audit accounts for its checks: a policy that did not load, raised or judged nothing stops it."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from tap.audit.accounting import BUILT_IN, policy_files, refuse_unaccounted
from tap.audit.mapping import Mapping
from tap.audit.scan import POLICIES, scan
from tap.errors import UsageError
from tap.plan import Plan
from tests.policies.mutations import ONLY_IN

RAISING_POLICY = """from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck


class CKV_PAY_98(PaymentCheck):
    TITLE = "A policy with a bug"
    CATEGORY = CheckCategories.GENERAL_SECURITY
    RESOURCES = ("aws_db_instance",)

    def scan_resource_conf(self, conf):
        return 1 / 0


check = CKV_PAY_98()
"""


def policies_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(POLICIES, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def refusal(plan_path: Path, policies: Path, mapping: Mapping | None = None) -> str:
    result = scan([plan_path], policies=policies)
    with pytest.raises(UsageError) as refused:
        refuse_unaccounted(
            result, result.findings[plan_path.resolve()], Plan.load(plan_path), plan_path, mapping or Mapping.load()
        )
    return str(refused.value)


def test_a_policy_that_does_not_load_stops_the_audit_naming_it_and_why(policy_run, tmp_path):
    folder = policies_copy(tmp_path)
    broken = folder / "CKV_PAY_7.py"
    broken.write_text("import nonexistent\n" + broken.read_text())
    message = refusal(policy_run.real["dev"], folder)
    assert "CKV_PAY_7.py did not load: ModuleNotFoundError: No module named 'nonexistent'" in message


def test_a_policy_that_raises_stops_the_audit_naming_the_check_and_the_resource(policy_run, tmp_path):
    folder = policies_copy(tmp_path)
    (folder / "CKV_PAY_98.py").write_text(RAISING_POLICY)
    message = refusal(policy_run.real["dev"], folder)
    assert "CKV_PAY_98 raised ZeroDivisionError" in message and "on aws_db_instance." in message


def test_a_policy_registered_under_another_id_stops_the_audit(policy_run, tmp_path):
    folder = policies_copy(tmp_path)
    renamed = folder / "CKV_PAY_7.py"
    renamed.write_text(renamed.read_text().replace('"CKV_PAY_7"', '"CKV_PAY_77"'))
    assert "the policy" in (message := refusal(policy_run.real["dev"], folder))
    assert "CKV_PAY_7.py is not registered with checkov" in message


def test_a_check_that_judged_nothing_where_its_types_are_stops_the_audit(policy_run):
    path = policy_run.real["dev"]
    findings = [item for item in policy_run.scan.findings[path.resolve()] if item.check_id != "CKV_PAY_7"]
    with pytest.raises(UsageError, match=r"CKV_PAY_7 judged nothing in .* although the plan holds aws_db_instance"):
        refuse_unaccounted(policy_run.scan, findings, Plan.load(path), path, Mapping.load())


def test_a_built_in_the_mapping_relies_on_that_checkov_lacks_stops_the_audit(policy_run):
    path = policy_run.real["dev"]
    mapping = Mapping.load()
    mapping = dataclasses.replace(mapping, controls={**mapping.controls, "CKV_AWS_99999": ("1.2.5",)})
    with pytest.raises(UsageError, match="the built-in CKV_AWS_99999 the mapping relies on is not registered"):
        refuse_unaccounted(policy_run.scan, policy_run.scan.findings[path.resolve()], Plan.load(path), path, mapping)


def test_the_real_plans_are_accounted_for_without_error(policy_run):
    assert policy_run.scan.errors == ()
    for path in policy_run.real.values():
        refuse_unaccounted(
            policy_run.scan, policy_run.scan.findings[path.resolve()], Plan.load(path), path, Mapping.load()
        )


def test_the_report_lists_every_policy_and_every_relied_on_built_in_with_what_it_judged(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    checks = {check["check_id"]: check for check in document["checks"]}
    ours = set(policy_files(POLICIES))
    assert set(checks) == ours | set(Mapping.load().relied_on)
    assert {check["origin"] for check_id, check in checks.items() if check_id not in ours} == {BUILT_IN}
    for check_id in ours - {check for check, profile in ONLY_IN.items() if profile != "dev"}:
        assert checks[check_id]["total"] > 0, f"{check_id} judged nothing on dev"
        assert checks[check_id]["total"] == sum(checks[check_id]["judged"].values())
    html = (reports[1] / "compliance.html").read_text()
    assert 'id="checks"' in html and all(check_id in html for check_id in checks)
