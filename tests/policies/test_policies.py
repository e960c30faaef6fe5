"""Each custom policy: exact results on its fixture, silent on the real plans, loud on a mutated one."""

from __future__ import annotations

import json
import re

import pytest

from tap.audit.binding import bind
from tap.audit.command import DEFAULT_WAIVERS, load_waivers
from tap.audit.gate import gate
from tap.audit.mapping import Mapping
from tap.audit.scan import POLICIES
from tap.audit.verdict import evaluate
from tap.plan import Plan
from tests.policies.conftest import FIXTURES, TODAY, fixture_id
from tests.policies.mutations import MUTATIONS, ONLY_IN

CUSTOM = sorted(path.name.split(".")[0] for path in POLICIES.glob("CKV*_PAY_*.*"))


def named(path, prefix: str) -> set[str]:
    document = json.loads(path.read_text())
    return {
        f"{type_}.{name}"
        for type_, resources in document["resource"].items()
        for name in resources
        if name.startswith(prefix)
    }


def test_every_policy_has_a_fixture_and_a_mutation():
    assert CUSTOM, "no policy found in policies/"
    assert sorted(fixture_id(path) for path in FIXTURES.glob("*.tf.json")) == CUSTOM
    assert sorted(MUTATIONS) == CUSTOM


@pytest.mark.parametrize("check_id", CUSTOM)
def test_policy_id_is_its_file_name_and_class_name(check_id, policy_run):
    (path,) = POLICIES.glob(f"{check_id}.*")
    text = path.read_text()
    declared = re.findall(r'^\s*id: (\S+)$|^class (\w+)\(|value_check\(\s*"(\w+)"', text, re.MULTILINE)
    assert [next(filter(None, groups)) for groups in declared] == [check_id]
    assert check_id in policy_run.scan.checks, f"checkov did not register {check_id}"


@pytest.mark.parametrize("check_id", CUSTOM)
def test_fixture_results_are_exactly_its_good_and_bad_resources(check_id, policy_run):
    path = policy_run.fixtures[check_id]
    good, bad = named(path, "good_"), named(path, "bad_")
    assert good and bad, f"{path.name} needs good_* and bad_* resources"
    assert policy_run.results(path, check_id, "PASSED") == good
    assert policy_run.results(path, check_id, "FAILED") == bad


@pytest.mark.parametrize("profile", ["dev", "prod"])
def test_real_plan_passes_every_custom_policy(profile, policy_run):
    path = policy_run.real[profile]
    for check_id in CUSTOM:
        assert policy_run.results(path, check_id, "FAILED") == set(), check_id
        passed = policy_run.results(path, check_id, "PASSED")
        if ONLY_IN.get(check_id, profile) != profile:
            assert passed == set(), f"{check_id} checks what only {ONLY_IN[check_id]} carries, yet {profile} has it"
        else:
            assert passed, f"{check_id} found nothing to check in the {profile} plan"


@pytest.mark.parametrize("check_id", sorted(MUTATIONS))
def test_mutated_plan_fails_the_policy_on_the_broken_resource(check_id, policy_run):
    mutant = policy_run.mutants[check_id]
    assert policy_run.results(mutant.path, check_id, "FAILED") == {mutant.address}

    plan = Plan.load(mutant.path)
    audit = evaluate(plan, mutant.path, policy_run.scan, load_waivers(plan, None), Mapping.load(), TODAY)
    assert audit.exit_code == 1
    assert (check_id, mutant.address) in {(item.check_id, item.address) for item in audit.failures}


@pytest.mark.parametrize("profile", ["dev", "prod"])
def test_builtin_findings_on_real_plan_are_fixed_or_waived(profile, policy_run):
    path = policy_run.real[profile]
    plan = Plan.load(path)
    declared, binding = load_waivers(plan, None), bind(path, DEFAULT_WAIVERS)
    audit = evaluate(plan, path, policy_run.scan, declared, Mapping.load(), TODAY, binding=binding)
    assert binding.bound, binding.reason
    assert [(item.check_id, item.address) for item in audit.failures] == []
    assert audit.problems == []
    assert audit.exit_code == 0
    assert audit.count("WAIVED") == len(audit.waivers)


@pytest.mark.parametrize("check_id", ["CKV_PAY_7", "CKV2_PAY_1"])
def test_the_commit_gate_fails_a_plan_that_breaks_a_policy_naming_it(check_id, policy_run):
    mutant = policy_run.mutants[check_id]
    (failures,) = gate([mutant.path]).values()
    assert any(line.startswith(f"FAILED {check_id} {mutant.address} ") for line in failures), failures
