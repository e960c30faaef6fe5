"""The campaign's layers on real plans: known misconfigurations die in the layer that should catch them.

Real parts throughout: the cached plans, the unit suite in its own pytest process, checkov
over batched neighbourhoods. A handful of mutants keeps this under a minute; `make mutate`
runs them all.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from stack.contract import PROJECT_ROOT
from tap.mutate.campaign import plan_documents, plan_mutants, run_plan_layers

SEED = 20261130


@pytest.fixture(scope="module")
def documents():
    return plan_documents()


@pytest.fixture(scope="module")
def chosen(documents):
    """Mutants picked by what they change, from the full generated set of both profiles."""
    every = plan_mutants(documents)

    def pick(deployment, type_, attribute, operator):
        found = [
            m
            for m in every
            if m.mutant.deployment == deployment
            and m.mutant.target.startswith(f"{type_}.")
            and m.mutant.attribute == attribute
            and m.mutant.operator == operator
        ]
        assert found, f"no {operator} mutant of {type_} {attribute} in {deployment}"
        return found[0]

    return {
        "imds optional": pick("dev", "aws_launch_template", "metadata_options.http_tokens", "swap"),
        "bucket unencrypted": pick("prod", "aws_s3_bucket_server_side_encryption_configuration", "", "delete"),
        "eip before gateway": pick("dev-egress", "aws_eip", "depends_on.0", "unlink-order"),
        "log prefix dropped": pick("prod", "aws_s3_bucket_logging", "target_prefix", "drop"),
        "retired engine": pick("prod", "aws_db_instance", "engine_version", "swap"),
    }


@pytest.fixture(scope="module")
def outcomes(chosen, documents):
    found, _ = run_plan_layers(list(chosen.values()), documents)
    by_id = {outcome.mutant.id: outcome for outcome in found}
    return {name: by_id[mutant.mutant.id] for name, mutant in chosen.items()}


def test_imdsv1_is_killed_by_both_the_unit_and_the_policy_layer(outcomes):
    killed = outcomes["imds optional"].killed
    assert "metadata" in killed["unit"].lower() or "imds" in killed["unit"].lower()
    assert killed["policy"]


def test_a_bucket_without_its_encryption_configuration_fails_a_policy(outcomes):
    assert outcomes["bucket unencrypted"].killed["policy"]


def test_eip_created_before_the_internet_gateway_is_killed_by_the_field_report_test(outcomes):
    assert "test_eip_depends_on_internet_gateway" in outcomes["eip before gateway"].killed["unit"]


def test_where_logs_land_in_their_bucket_survives_every_plan_layer(outcomes):
    # survivors.toml explains it: the logs are delivered all the same.
    assert outcomes["log prefix dropped"].survived
    assert "preflight" not in outcomes["log prefix dropped"].killed  # not what preflight reads


def test_a_retired_engine_version_is_a_preflight_blocker_and_fails_the_version_pin(outcomes):
    killed = outcomes["retired engine"].killed
    assert "not offered" in killed["preflight"]
    assert "test_database_pins_major_version_with_minor_upgrades" in killed["unit"]


def test_sampling_is_deterministic_for_a_seed(documents):
    first = [m.mutant.id for m in plan_mutants(documents, sample=25, seed=SEED)]
    assert first == [m.mutant.id for m in plan_mutants(documents, sample=25, seed=SEED)]
    assert first != [m.mutant.id for m in plan_mutants(documents, sample=25, seed=SEED + 1)]


def test_mutate_command_writes_a_result_whose_exit_code_matches_its_survivors(tmp_path):
    out = tmp_path / "mutation.json"
    command = [sys.executable, "-m", "tap.cli", "mutate", "--kinds", "plan", "--sample", "8", "--seed", str(SEED)]
    result = subprocess.run([*command, "--out", str(out)], cwd=PROJECT_ROOT, capture_output=True, text=True)
    report = json.loads(out.read_text())
    unexplained = [item for item in report["survivors"] if item["verdict"] == "unexplained"]
    assert len(report["outcomes"]) == 8
    assert result.returncode == (1 if unexplained else 0), result.stdout[-2000:] + result.stderr[-1000:]
    assert all(f"FAIL: {item['id']} survived, unexplained" in result.stdout for item in unexplained)
    assert {row["row"] for row in report["matrix"]["rows"]}, "the matrix has rows"
