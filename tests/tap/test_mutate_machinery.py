"""The campaign's pure parts: generation, application, classification, survivors, scores."""

from __future__ import annotations

import copy

import pytest

from tap.errors import UsageError
from tap.mutate import report, survivors
from tap.mutate.model import Mutant, Outcome
from tap.mutate.plan_mutants import apply, generate

DOCUMENT = {
    "provider": {"aws": [{"region": "ap-southeast-1"}]},
    "resource": {
        "aws_launch_template": {
            "lt": {
                "//": {"metadata": {"path": "stack/compute/lt"}},
                "metadata_options": {"http_tokens": "required", "http_put_response_hop_limit": 1},
                "ebs_optimized": True,
                "name": "app-${random_id.deployment.hex}",
            }
        },
        "aws_vpc_security_group_ingress_rule": {
            "in": {"cidr_ipv4": "10.0.0.0/16", "from_port": 443, "to_port": 443, "depends_on": ["aws_vpc.main"]}
        },
        "aws_vpc": {"main": {"cidr_block": "10.0.0.0/16"}},
    },
}


def _by(mutants, **fields):
    return [m for m in mutants if all(getattr(m.mutant, key) == value for key, value in fields.items())]


def test_generation_covers_every_operator_a_value_admits():
    mutants = generate(DOCUMENT, "dev")
    assert _by(mutants, attribute="ebs_optimized", operator="flip")
    assert _by(mutants, attribute="metadata_options.http_tokens", operator="swap", detail="required -> optional")
    assert {m.mutant.operator for m in _by(mutants, attribute="metadata_options.http_put_response_hop_limit")} == {
        "drop",
        "zero",
        "larger",
    }  # 1 has no smaller positive neighbour: 0 is "zero"
    assert _by(mutants, attribute="cidr_ipv4", operator="widen", detail="10.0.0.0/16 -> 0.0.0.0/0")
    assert _by(mutants, attribute="name", operator="unlink-suffix")
    assert _by(mutants, attribute="depends_on.0", operator="unlink-order", category="ordering (depends_on)")
    # The VPC is referenced (depends_on): Terraform would reject the plan without it, so it is never deleted.
    assert {m.mutant.target for m in _by(mutants, operator="delete")} == {
        "aws_launch_template.lt",
        "aws_vpc_security_group_ingress_rule.in",
    }
    assert not [m for m in mutants if "//" in m.mutant.attribute], "CDKTF's metadata is not the plan's"


def test_generation_is_stable_and_ids_are_unique():
    first, second = generate(DOCUMENT, "dev"), generate(copy.deepcopy(DOCUMENT), "dev")
    assert [m.mutant.id for m in first] == [m.mutant.id for m in second]
    assert len({m.mutant.id for m in first}) == len(first)


def test_apply_changes_a_copy_and_never_the_plan():
    original = copy.deepcopy(DOCUMENT)
    for mutant in generate(DOCUMENT, "dev"):
        apply(DOCUMENT, mutant)
    assert original == DOCUMENT


def test_widened_ports_open_both_ends_of_the_rule():
    (mutant,) = _by(generate(DOCUMENT, "dev"), operator="widen-ports")
    rule = apply(DOCUMENT, mutant)["resource"]["aws_vpc_security_group_ingress_rule"]["in"]
    assert (rule["from_port"], rule["to_port"]) == (0, 65535)


def test_deleting_the_last_block_of_a_type_removes_the_type():
    (mutant,) = _by(generate(DOCUMENT, "dev"), target="aws_launch_template.lt", operator="delete")
    assert "aws_launch_template" not in apply(DOCUMENT, mutant)["resource"]


def _outcome(operator: str, **killed) -> Outcome:
    mutant = Mutant("plan", "dev", "aws_vpc.main", operator, "cidr_block", operator, "network reachability", lesson=3)
    return Outcome(mutant, {"unit": None, "policy": None, **killed})


def test_equivalent_survivors_leave_the_score_and_irrelevant_ones_count_against_it(tmp_path):
    path = tmp_path / "survivors.toml"
    path.write_text(
        '[[survivor]]\nmatch = "*:same:*"\nverdict = "equivalent"\nreason = "no change"\n'
        '[[survivor]]\nmatch = "*:label:*"\nverdict = "irrelevant"\nreason = "a label"\n'
    )
    outcomes = [_outcome("widen", unit="t"), _outcome("same"), _outcome("label"), _outcome("open", policy="C")]
    result = report.result(outcomes, survivors.read(path), {})
    score = result["scores"]["plan"]
    assert (score["mutants"], score["equivalent"], score["irrelevant"], score["killed"]) == (4, 1, 1, 2)
    assert score["score"] == pytest.approx(2 / 3, abs=1e-4)
    assert report.failures(result, full=False) == []
    assert report.failures(result, full=True)  # 67% is under the plan target


def test_an_unexplained_survivor_fails_the_campaign(tmp_path):
    result = report.result([_outcome("open")], [], {})
    assert report.failures(result, full=False) == [f"{_outcome('open').mutant.id} survived, unexplained"]


def test_a_survivors_entry_that_explains_nothing_fails_a_full_campaign(tmp_path):
    # A stale pattern would silently explain the next, different survivor of its shape.
    path = tmp_path / "survivors.toml"
    path.write_text(
        '[[survivor]]\nmatch = "plan:*:gone:*"\nverdict = "irrelevant"\nreason = "killed since"\n'
        '[[survivor]]\nmatch = "account:*"\nverdict = "irrelevant"\nreason = "another kind, not run"\n'
    )
    result = report.result([_outcome("widen", unit="t")], survivors.read(path), {})
    assert result["idle_explanations"] == ["plan:*:gone:*"]
    assert report.failures(result, full=False) == []
    assert report.failures(result, full=True) == [
        "survivors file entry 'plan:*:gone:*' explains no survivor: remove it, or it would hide the next survivor "
        "of its shape"
    ]


def test_a_campaign_that_ran_no_mutant_fails_rather_than_passes():
    assert report.failures(report.result([], [], {}), full=False) == ["no mutant was run: nothing was measured"]


def test_matrix_counts_each_layer_and_the_lesson_row():
    result = report.result([_outcome("widen", unit="t"), _outcome("open", policy="C")], [], {})
    rows = {row["row"]: row["cells"] for row in result["matrix"]["rows"]}
    cells = rows["network reachability"]
    assert (cells["unit"]["killed"], cells["policy"]["killed"], cells["any"]["killed"]) == (1, 1, 2)
    assert cells["live"] is None  # not run on plan mutants: "-" rather than a zero
    assert any(name.startswith("field report 3:") for name in rows)


@pytest.mark.parametrize(
    "text, problem",
    [
        ('[[survivor]]\nmatch = "*"\nverdict = "fine"\nreason = "x"\n', "verdict must be one of"),
        ('[[survivor]]\nmatch = "*"\nverdict = "equivalent"\n', "exactly match, verdict and reason"),
        ('[[survivor]]\nmatch = "*"\nverdict = "equivalent"\nreason = " "\n', "non-empty"),
        ("survivor = 3\n", "array of tables"),
        ("[[survivor]\n", "is not TOML"),
    ],
)
def test_bad_survivors_file_is_one_sentence(tmp_path, text, problem):
    path = tmp_path / "survivors.toml"
    path.write_text(text)
    with pytest.raises(UsageError, match=problem):
        survivors.read(path)


def test_project_survivors_file_is_valid():
    survivors.read()


def test_an_unknown_rehearsal_engine_is_refused_before_any_account_is_provisioned(tmp_path):
    # TAP_DRIFT_ENGINE reaches here unchecked: a misspelt engine must not quietly rehearse with the translator.
    from tap.mutate.account import provisioned

    refused = pytest.raises(UsageError, match="no rehearsal engine 'terrafrom': choose translator or terraform")
    with refused, provisioned(("dev",), tmp_path, "terrafrom"):
        raise AssertionError("provisioned an account for an unknown engine")


def test_a_rehearsal_terraform_would_still_change_ends_the_campaign_in_one_line_exit_1(monkeypatch, tmp_path, capsys):
    # `tap mutate --engine terraform` provisions through Terraform: a second plan that still changes something
    # (NotIdempotent) must end the command as `tap rehearse` ends, not in a traceback.
    from tap import cli
    from tap.errors import Failed
    from tap.live.terraform.rehearsal import NotIdempotent

    def refused(*arguments, **options):
        raise Failed("not idempotent: terraform plan would still change aws_s3_bucket.logs")

    monkeypatch.setattr("tap.mutate.command.run_mutate", refused)
    assert issubclass(NotIdempotent, Failed)
    assert cli.main(["mutate", "--engine", "terraform", "--out", str(tmp_path / "m.json")]) == 1
    assert capsys.readouterr().err == "tap: not idempotent: terraform plan would still change aws_s3_bucket.logs\n"
