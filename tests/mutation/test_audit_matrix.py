"""`tap audit --mutation-results`: the defense-in-depth matrix in the reports, and only from this suite's campaign."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tap.audit.reports import SCHEMA_FILE
from tap.cli import main
from tap.mutate import report
from tap.mutate.model import Mutant, Outcome
from tap.synth.cache import cached_plan
from tap.synth.deployments import PROFILE_CONFIGS


def _campaign(tmp_path, sample, suite=None):
    """A campaign result as `tap mutate` writes it (two plan mutants, one account mutant)."""
    outcomes = [
        Outcome(
            Mutant("plan", "dev", "aws_kms_key.k", "flip", "enable_key_rotation", "", "key management"),
            {"unit": "t", "policy": None},
        ),
        Outcome(Mutant("plan", "dev", "aws_vpc.v", "drop", "tags.Name", "", "other"), {"unit": None, "policy": None}),
        Outcome(
            Mutant("account", "dev", "data bucket", "delete", "encryption", "", "encryption", 5), {"live": "test_x"}
        ),
    ]
    campaign = {
        "kinds": ["plan", "account"],
        "sample": sample,
        "seed": 3,
        "seconds": {},
        "suite_sha256": suite or report.suite_digest(),
    }
    path = tmp_path / "mutation.json"
    path.write_text(json.dumps(report.result(outcomes, [], campaign)))
    return path


@pytest.fixture(scope="module")
def plan():
    return str(cached_plan(PROFILE_CONFIGS["dev"]))


def test_audit_carries_the_matrix_and_says_a_sample_is_partial(plan, tmp_path):
    out = tmp_path / "reports"
    assert main(["audit", "--plan", plan, "--out", str(out), "--mutation-results", str(_campaign(tmp_path, 5))]) == 0
    document = json.loads((out / "compliance.json").read_text())
    jsonschema.validate(document, json.loads(SCHEMA_FILE.read_text()))
    depth = document["defense_in_depth"]
    assert depth["survivors"] == {"equivalent": 0, "irrelevant": 0, "unexplained": 1}
    rows = {row["row"]: row["cells"] for row in depth["matrix"]["rows"]}
    assert rows["key management"]["unit"] == {"mutants": 1, "killed": 1, "rate": 1.0}
    assert rows["field report 5: boto3's nested S3 encryption response misread"]["live"]["killed"] == 1
    html = (out / "compliance.html").read_text()
    assert "Defense in depth" in html and "Partial: a seeded sample of 5 mutants" in html


def test_a_campaign_of_another_suite_version_is_refused(plan, tmp_path, capsys):
    stale = _campaign(tmp_path, None, suite="0" * 64)
    assert main(["audit", "--plan", plan, "--out", str(tmp_path / "r"), "--mutation-results", str(stale)]) == 2
    assert "measured another version of the suite" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["not json", '{"format": "something else"}', "[]"])
def test_a_file_that_is_not_a_campaign_result_is_refused(plan, tmp_path, capsys, text):
    path = tmp_path / "mutation.json"
    path.write_text(text)
    assert main(["audit", "--plan", plan, "--out", str(tmp_path / "r"), "--mutation-results", str(path)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
