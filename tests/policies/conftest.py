"""One checkov run for the whole policy suite: fixtures, both real plans, every mutated plan."""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tap.audit import clock
from tap.audit.scan import POLICIES, Scan, scan
from tap.cli import main
from tap.plan import Plan
from tests.policies.mutations import FAMILY_MUTATIONS, MUTATIONS, ONLY_IN

FIXTURES = Path(__file__).parent / "fixtures"
# The day the policy suite audits as of, and on: waiver expiry is judged on a fixed day, so the verdicts
# do not change with the calendar. An audit as of another day than its own is a preview, so the clock
# reads this day too (in this process only: the tool itself has no way to be told another today).
TODAY = dt.date(2026, 11, 29)


@pytest.fixture(autouse=True)
def audit_day(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@dataclass(frozen=True)
class Mutant:
    path: Path
    address: str  # the resource the mutation broke


@dataclass(frozen=True)
class PolicyRun:
    scan: Scan
    fixtures: dict[str, Path]  # check id -> fixture plan
    real: dict[str, Path]  # profile -> real plan
    mutants: dict[str, Mutant]  # check id -> mutated dev plan (or the plan of the profile in ONLY_IN)
    family_mutants: dict[tuple[str, str], Mutant] = field(default_factory=dict)  # (check id, type) -> mutated dev plan

    def results(self, path: Path, check_id: str, result: str) -> set[str]:
        return {
            finding.address
            for finding in self.scan.findings[path.resolve()]
            if finding.check_id == check_id and finding.result == result
        }


def fixture_id(path: Path) -> str:
    return path.name.split(".")[0]


def selected_types(check_id: str, found: Scan) -> set[str]:
    """The resource types a check judges: a graph check's are those of its `resource_type` filters (checkov's
    list of them holds every type its definition names), a Python check's those it registers."""
    graph = POLICIES / f"{check_id}.yaml"
    if not graph.exists():
        return set(found.checks[check_id].types)
    definition = yaml.safe_load(graph.read_text())["definition"]
    return {type_ for filtered in _filtered_types(definition) for type_ in filtered}


def _filtered_types(node) -> list[list[str]]:
    """The values of every `resource_type` filter in a graph check's definition, however deep."""
    if isinstance(node, list):
        return [found for item in node for found in _filtered_types(item)]
    if not isinstance(node, dict):
        return []
    if node.get("cond_type") == "filter" and node.get("attribute") == "resource_type":
        return [node["value"]]
    return [found for item in node.values() for found in _filtered_types(item)]


@pytest.fixture(scope="session")
def policy_run(plans: dict[str, Plan], tmp_path_factory: pytest.TempPathFactory) -> PolicyRun:
    folder = tmp_path_factory.mktemp("mutants")

    def mutant(name: str, document: dict, mutate) -> Mutant:
        address = mutate(document)
        path = folder / name / "cdk.tf.json"  # a folder each: Terraform (and the audit) reads the whole folder
        path.parent.mkdir()
        path.write_text(json.dumps(document, indent=2))
        return Mutant(path, address)

    mutants = {
        check_id: mutant(check_id, copy.deepcopy(plans[ONLY_IN.get(check_id, "dev")].document), mutate)
        for check_id, mutate in MUTATIONS.items()
    }
    family_mutants = {
        (check_id, type_): mutant(f"{check_id}-{type_}", copy.deepcopy(plans["dev"].document), mutate)
        for (check_id, type_), mutate in FAMILY_MUTATIONS.items()
    }
    fixtures = {fixture_id(path): path for path in sorted(FIXTURES.glob("*.tf.json"))}
    real = {profile: Path(plan.source) for profile, plan in plans.items()}
    broken = [mutant.path for mutant in [*mutants.values(), *family_mutants.values()]]
    everything = [*fixtures.values(), *real.values(), *broken]
    return PolicyRun(scan(everything, shards=2), fixtures, real, mutants, family_mutants)


@pytest.fixture(scope="session")
def reports(policy_run, tmp_path_factory) -> tuple[int, Path]:
    """One real `tap audit` run on the dev plan (checkov and all): its exit code and report folder."""
    out = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as patch:  # session-wide: before the per-test audit_day
        patch.setattr(clock, "today", lambda: TODAY)
        code = main(["audit", "--plan", str(policy_run.real["dev"]), "--out", str(out), "--as-of", str(TODAY)])
    return code, out
