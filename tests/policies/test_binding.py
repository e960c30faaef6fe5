"""Waivers come from the reviewed source only, and a plan with the synth's stand-ins is never a plain pass."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from stack.config import Config
from stack.contract import ENGINE_RECORD, PROJECT_ROOT
from tap.audit.binding import bind
from tap.audit.command import DEFAULT_WAIVERS
from tap.cli import main
from tap.errors import UsageError
from tap.placeholders import placeholders
from tap.plan import Plan
from tap.synth.cache import cached_plan
from tests.policies.junit import NIGHTLY, write_live_results

# A deployment given every value a real one needs: no stand-in is left in its plan.
DEPLOYABLE = Config(
    environment_suffix="dev",
    profile="dev",
    certificate_arn="arn:aws:acm:ap-southeast-1:111122223333:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
    alarm_emails=("oncall@payments.example",),
    key_administrator_role="payment-deployer",
)
PASSING = tuple(case for case in NIGHTLY if case.outcome == "passed")


def head() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout.strip()


def copied(plan_path: Path, folder: Path, with_record: bool = True) -> Path:
    """The plan (and its engine record) in a folder of its own, as a user would pass it with --plan."""
    folder.mkdir(parents=True)
    shutil.copyfile(plan_path, folder / "cdk.tf.json")
    if with_record:
        shutil.copyfile(plan_path.parent / ENGINE_RECORD, folder / ENGINE_RECORD)
    return folder / "cdk.tf.json"


def audited(plan: Path, out: Path, capsys, *extra: str) -> tuple[int, str, dict, str]:
    code = main(["audit", "--plan", str(plan), "--out", str(out), *extra])
    console = capsys.readouterr().out
    return code, console, json.loads((out / "compliance.json").read_text()), (out / "compliance.html").read_text()


def first_screen(html: str) -> str:
    """What a reader sees before the report's sections: the header."""
    return html[: html.index('<h2 id="scope">')]


def test_the_plan_the_commit_makes_is_bound_and_its_own_waivers_apply(reports):
    document = json.loads((reports[1] / "compliance.json").read_text())
    assert document["binding"] == {"bound": True, "reason": document["binding"]["reason"], "commit": head()}
    assert "byte-identical" in document["binding"]["reason"]
    plan_waived = [item for item in document["evidence"] if item["waiver"] and item["waiver"]["source"] == "plan"]
    assert plan_waived and document["unreviewed"] == []
    assert "Bound:" in first_screen((reports[1] / "compliance.html").read_text())
    record = json.loads((reports[1] / ENGINE_RECORD).read_text())
    assert record == document["provenance"]["engine"] and record["inputs"]["ENVIRONMENT_SUFFIX"] == "dev"


def test_a_hand_edited_plan_waiving_its_own_findings_is_unbound_and_fails(policy_run, tmp_path, capsys):
    """The attack: a prod plan made public by hand, carrying its own waiver and not-applicable declaration."""
    plan = copied(policy_run.real["prod"], tmp_path / "plan")
    document = json.loads(plan.read_text())
    (database,) = document["resource"]["aws_db_instance"].values()
    database["publicly_accessible"] = True
    database["//"]["waivers"] = {
        "CKV_PAY_7": {
            "reason": "The database is reached from the partner network by design.",
            "approver": "someone",
            "reference": "SEC-9",
            "environments": ["prod"],
            "expires": "2027-06-01",
        }
    }
    database["//"]["not_applicable"] = {
        "CKV_AWS_17": {
            "reason": "This database holds no cardholder data at all.",
            "approver": "x",
            "reference": "SEC-9",
        }
    }
    plan.write_text(json.dumps(document, indent=2))
    code, console, report, html = audited(plan, tmp_path / "out", capsys)
    assert code == 1
    assert report["binding"]["bound"] is False and "differs from the one commit" in report["binding"]["reason"]
    statuses = {
        item["check_id"]: item["status"] for item in report["evidence"] if "aws_db_instance" in item["resource"]
    }
    assert statuses["CKV_PAY_7"] == "FAILED" and statuses["CKV_AWS_17"] == "FAILED"
    unreviewed = {(item["kind"], item["check_id"]) for item in report["unreviewed"]}
    assert {("waiver", "CKV_PAY_7"), ("not_applicable", "CKV_AWS_17")} <= unreviewed
    assert any(
        "CKV_PAY_7" in problem and "not reviewed source (the plan is unbound)" in problem
        for problem in report["problems"]
    )
    assert {item["id"]: item["result"] for item in report["requirements"]}["1.4.4"] == "not_configured"
    assert "UNBOUND" in first_screen(html) and "UNBOUND:" in console


def test_a_plan_without_its_synthesis_record_is_unbound(policy_run, tmp_path):
    binding = bind(copied(policy_run.real["dev"], tmp_path / "plan", with_record=False))
    assert not binding.bound and "no synthesis record (engine.json)" in binding.reason


def test_a_plan_made_with_other_engine_versions_is_unbound(policy_run, tmp_path):
    plan = copied(policy_run.real["dev"], tmp_path / "plan")
    record = json.loads((plan.parent / ENGINE_RECORD).read_text())
    record["versions"] = {**record["versions"], "jsii": "0.0.1"}
    (plan.parent / ENGINE_RECORD).write_text(json.dumps(record))
    binding = bind(plan)
    assert (
        not binding.bound and f"other versions of {record['name']} than those installed here (jsii)" in binding.reason
    )


@pytest.mark.parametrize(
    "record",
    [
        b'{"name": "cdktf"}',
        b"[]",
        b"not json",
        b"\xff\xfe",
        b'{"name": "x", "versions": {}, "inputs": {}}',
        b'{"name": ["cdktf"], "versions": {}, "inputs": {}}',
        b'{"name": "cdktf", "versions": {}, "inputs": {"STACK_PROFILE": ["dev"]}}',
    ],
)
def test_a_plan_whose_record_is_no_record_is_refused_in_one_sentence(policy_run, tmp_path, record):
    plan = copied(policy_run.real["dev"], tmp_path / "plan")
    (plan.parent / ENGINE_RECORD).write_bytes(record)
    with pytest.raises(UsageError, match=f"^the synthesis record {plan.parent / ENGINE_RECORD} (is|lacks)"):
        bind(plan)


def test_a_copy_of_the_plan_with_its_record_is_bound_wherever_it_lies(policy_run, tmp_path):
    assert bind(copied(policy_run.real["prod"], tmp_path / "plan")).bound


def test_only_the_commits_own_waivers_file_is_reviewed(policy_run, tmp_path, capsys):
    assert bind(policy_run.real["dev"], DEFAULT_WAIVERS).reviewed_files == ("waivers.toml",)
    elsewhere = tmp_path / "waivers.toml"
    shutil.copyfile(DEFAULT_WAIVERS, elsewhere)  # the same words, not the reviewed file
    code, _, report, _ = audited(policy_run.real["dev"], tmp_path / "out", capsys, "--waivers", str(elsewhere))
    assert code == 1 and report["binding"]["bound"]
    from_file = [item for item in report["unreviewed"] if item["source"] != "plan"]
    assert from_file and all("not the commit's own waivers.toml" in p for p in report["problems"] if "(plan)" not in p)
    waived_by_file = {
        (item["check_id"], item["resource"])
        for item in report["evidence"]
        if item["waiver"] and item["waiver"]["source"] != "plan"
    }
    assert waived_by_file == set()


def test_placeholders_are_named_first_and_make_the_verdict_design_only(reports, capsys):
    code, out = reports
    document = json.loads((out / "compliance.json").read_text())
    assert code == 0 and document["verdict"] == "design_only"
    assert document["verdict_label"] == "DESIGN ONLY: not deployable, 3 placeholders"
    settings = ("ALB_CERTIFICATE_ARN", "ALARM_EMAILS", "KEY_ADMINISTRATOR_ROLE")
    assert [next(s for s in settings if s in item) for item in document["placeholders"]] == list(settings)
    screen = first_screen((out / "compliance.html").read_text())
    assert "DESIGN ONLY: not deployable, 3 placeholders" in screen and all(s in screen for s in settings)


@pytest.fixture(scope="module")
def deployable_plan() -> Path:
    return cached_plan(DEPLOYABLE)


def test_a_plan_given_real_values_has_no_placeholder_and_passes_plainly(deployable_plan, tmp_path, capsys):
    code, console, report, html = audited(deployable_plan, tmp_path / "out", capsys)
    assert (code, report["verdict"], report["placeholders"]) == (0, "pass", [])
    assert report["binding"]["bound"] and console.rstrip().endswith(": PASS") and 'id="placeholders"' not in html


def test_live_results_fail_on_a_plan_holding_placeholders_and_pass_without(
    policy_run, deployable_plan, tmp_path, capsys
):
    stand_ins = write_live_results(tmp_path / "dev.xml", policy_run.real["dev"], PASSING)
    code, _, report, _ = audited(policy_run.real["dev"], tmp_path / "dev", capsys, "--live-results", str(stand_ins))
    assert code == 1
    assert (
        sum(problem.startswith("live results of a plan that cannot be deployed") for problem in report["problems"]) == 3
    )
    real = write_live_results(tmp_path / "real.xml", deployable_plan, PASSING)
    code, _, report, _ = audited(deployable_plan, tmp_path / "real", capsys, "--live-results", str(real))
    assert (code, report["verdict"], report["problems"]) == (0, "pass", [])


def test_placeholders_are_found_wherever_the_plan_holds_them():
    document = {
        "resource": {
            "aws_iam_policy": {"p": {"policy": '{"Resource": "arn:aws:iam::1:role/payment-key-administrator"}'}}
        }
    }
    assert [item.split(" (")[0] for item in placeholders(Plan(copy.deepcopy(document)))] == [
        "the keys are administered by the default role payment-key-administrator, not the role that deploys"
    ]
    document["resource"]["aws_iam_policy"]["p"]["policy"] = "arn:aws:iam::1:role/payment-key-administrator-2"
    assert placeholders(Plan(document)) == []


@pytest.mark.parametrize(
    ("resource", "setting"),
    [
        (
            {"aws_sns_topic_subscription": {"s": {"endpoint": 'payment-alarms@placeholder.inv${"alid"}'}}},
            "ALARM_EMAILS",
        ),
        (
            {"aws_lb_listener": {"l": {"certificate_arn": 'arn:aws:acm:r:${"000000000000"}:certificate/x'}}},
            "ALB_CERTIFICATE_ARN",
        ),
        (
            {"aws_kms_key": {"k": {"policy": '{"Principal": "arn:aws:iam::1:role\\/payment-key-administrator"}'}}},
            "KEY_ADMINISTRATOR_ROLE",
        ),
        ({"aws_sns_topic_subscription": {"s": {"endpoint": "payment-alarms@PLACEHOLDER.INVALID"}}}, "ALARM_EMAILS"),
        ({"aws_kms_key": {"k": {"policy": "arn:aws:iam::1:role/Payment-Key-Administrator"}}}, "KEY_ADMINISTRATOR_ROLE"),
    ],
    ids=[
        "alarm address in a template",
        "certificate account in a template",
        "role with an escaped slash",
        "alarm address in capitals",
        "role in other letter case",
    ],
)
def test_a_placeholder_written_another_way_is_still_found(resource, setting):
    (found,) = placeholders(Plan({"resource": resource}))
    assert found.endswith(f"set {setting}")
