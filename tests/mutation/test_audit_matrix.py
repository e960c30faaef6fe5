"""`tap audit --mutation-results`: the defense-in-depth matrix in the reports, and only from this suite's campaign."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

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
    assert "Appendix: how well the tests work" in html and "Partial: a seeded sample of 5 mutants" in html


def test_the_appendix_gives_each_requirement_family_its_sample_and_95_percent_interval(plan, tmp_path):
    """Rows are PCI DSS families, each with how many mutants it had and how far that lets its rate be
    trusted; it follows every result and is never coloured as a pass or a fail."""
    out = tmp_path / "reports"
    assert main(["audit", "--plan", plan, "--out", str(out), "--mutation-results", str(_campaign(tmp_path, None))]) == 0
    families = json.loads((out / "compliance.json").read_text())["defense_in_depth"]["families"]
    by_family = {row["family"]: row for row in families}
    # Key management (plan) and encryption (account) both threaten requirement 3; a Name tag none.
    assert set(by_family) == {3, None}
    assert by_family[3] | {"interval": None} == {
        "family": 3,
        "categories": ["encryption", "key management"],
        "mutants": 2,
        "killed": 2,
        "interval": None,
        "layers": {"unit": [1, 1], "policy": [0, 1], "live": [1, 1]},
    }
    # Wilson's 95% interval for 2 of 2 is 0.342 to 1, for 0 of 1 it is 0 to 0.793 (Brown, Cai, DasGupta 2001).
    assert by_family[3]["interval"] == pytest.approx([0.3424, 1.0], abs=1e-4)
    assert by_family[None]["interval"] == pytest.approx([0.0, 0.7935], abs=1e-4)
    html = (out / "compliance.html").read_text()
    appendix = html.split('id="appendix-test-strength"')[1]
    assert html.index('id="appendix-test-strength"') > html.index('id="unmapped"')
    assert "3 Protect stored account data" in appendix and "100% (34 to 100%)" in appendix
    assert "not of compliance" in appendix
    assert not re.search(r'class="[^"]*\b(PASSED|FAILED|in_place|configured)\b', appendix)


def test_a_campaign_whose_outcomes_disagree_with_its_scores_is_refused(plan, tmp_path, capsys):
    result = _campaign(tmp_path, None)
    document = json.loads(result.read_text())
    document["outcomes"] = [outcome for outcome in document["outcomes"] if outcome["kind"] != "plan"]
    result.write_text(json.dumps(document))
    assert main(["audit", "--plan", plan, "--out", str(tmp_path / "r"), "--mutation-results", str(result)]) == 2
    assert "the plan score counts other mutants than its outcomes" in capsys.readouterr().err


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


def _key(tmp_path, name):
    key = Ed25519PrivateKey.generate()
    path = tmp_path / name
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return key, path


def _audited_depth(plan, tmp_path, result, *options):
    out = tmp_path / "reports"
    assert main(["audit", "--plan", plan, "--out", str(out), "--mutation-results", str(result), *options]) == 0
    return json.loads((out / "compliance.json").read_text())["defense_in_depth"], (out / "compliance.html").read_text()


def test_a_campaign_result_is_evidence_only_when_sealed_with_the_audits_key(plan, tmp_path):
    result = _campaign(tmp_path, None)
    key, key_path = _key(tmp_path, "audit.pem")
    unsealed, html = _audited_depth(plan, tmp_path, result, "--sign-key", str(key_path))
    assert not unsealed["verified"] and "is not sealed" in unsealed["verification"]
    assert "Unverified: unverified: it is not sealed" in html
    report.seal(result, key)
    sealed, html = _audited_depth(plan, tmp_path, result, "--sign-key", str(key_path))
    assert sealed["verified"] and "Unverified" not in html


def test_a_campaign_result_sealed_with_another_key_or_edited_after_is_unverified(plan, tmp_path):
    result = _campaign(tmp_path, None)
    other, _ = _key(tmp_path, "other.pem")
    _, key_path = _key(tmp_path, "audit.pem")
    report.seal(result, other)
    assert not _audited_depth(plan, tmp_path, result, "--sign-key", str(key_path))[0]["verified"]
    assert not _audited_depth(plan, tmp_path, result)[0]["verified"]  # no key to check the seal with


def _forged(document: dict) -> dict:
    """The hand-written claim: every plan mutant killed, 5000 of them."""
    document["scores"]["plan"] |= {"mutants": 5000, "killed": 5000, "score": 1.0, "relevant_score": 1.0}
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_forged, "do not add up (the plan score counts more mutants"),
        (lambda d: d["matrix"]["rows"][0]["cells"].update(unit={"mutants": 1, "killed": 9, "rate": 1.0}), "add up"),
        (lambda d: d["matrix"]["rows"][0]["cells"].pop("unit"), "cells for other layers"),
        (lambda d: d["scores"]["plan"].update(killed="all"), "`scores.plan.killed` is a string, not a whole number"),
        (lambda d: d["survivors"].append({"id": "x"}), "`survivors[1]` lacks verdict, reason"),
        (lambda d: d.update(matrix=[]), "`matrix` is a list, not an object"),
        (lambda d: d["campaign"].update(seconds={"plan": "1e999"}), "1e999 is not a finite number"),
    ],
)
def test_a_campaign_result_whose_counts_or_shapes_are_wrong_is_refused(plan, tmp_path, capsys, change, message):
    result = _campaign(tmp_path, None)
    document = json.loads(result.read_text())
    change(document)
    result.write_text(json.dumps(document).replace('"1e999"', "1e999"))  # a number JSON reads as infinity
    assert main(["audit", "--plan", plan, "--out", str(tmp_path / "r"), "--mutation-results", str(result)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1, error


def test_a_campaign_judged_with_another_survivors_file_is_of_another_suite(tmp_path):
    """Its survivors file explains (or hides) survivors: a campaign run with one of its own is not this suite's."""
    explains_everything = tmp_path / "survivors.toml"
    explains_everything.write_text('[[survivor]]\nmatch = "*"\nverdict = "equivalent"\nreason = "hides all"\n')
    assert report.suite_digest(explains_everything) != report.suite_digest()
