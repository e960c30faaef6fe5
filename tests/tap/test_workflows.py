"""The CI workflows as data: the drift watch only reads, and the nightly audits against its baseline."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from stack.contract import PROJECT_ROOT
from tap.cli import build_parser

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
# What would change an account, or put a tool that can in reach.
DEPLOYING = re.compile(r"\b(deploy|apply|destroy|taint)\b|tools/\S*-cli|\bcdktf\b|\bcdktn\b|\bterraform\b")
PINNED = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}")


def workflow(name: str) -> dict:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads the key `on` as true
    return document


def steps(document: dict) -> list[dict]:
    return [step for job in document["jobs"].values() for step in job["steps"]]


def runs(document: dict) -> list[str]:
    return [step["run"] for step in steps(document) if "run" in step]


def command_line(document: dict, program: str) -> list[str]:
    """The words of the one command line (continuations joined) that runs `program`."""
    (line,) = [
        line for text in runs(document) for line in text.replace("\\\n", " ").splitlines() if program in line.split()
    ]
    return shlex.split(line)


def audit_options(words: list[str]) -> set[str]:
    return {word for word in words[words.index("audit") :] if word.startswith("--")}


@pytest.fixture(scope="module")
def drift_watch() -> dict:
    return workflow("drift-watch.yml")


def test_drift_watch_runs_on_a_schedule_and_by_hand_only(drift_watch):
    assert set(drift_watch["on"]) == {"schedule", "workflow_dispatch"}


def test_drift_watch_never_deploys_applies_or_destroys(drift_watch):
    assert [text for text in runs(drift_watch) if DEPLOYING.search(text)] == []
    assert not [step for step in steps(drift_watch) if "hashicorp/setup-terraform" in step.get("uses", "")]


def test_drift_watch_assumes_only_the_read_only_role_with_least_permissions(drift_watch):
    roles = [step["with"]["role-to-assume"] for step in steps(drift_watch) if "role-to-assume" in step.get("with", {})]
    assert roles == ["${{ secrets.AWS_PROD_READONLY_ROLE_ARN }}"]
    assert drift_watch["permissions"] == {}
    assert [job["permissions"] for job in drift_watch["jobs"].values()] == [
        {"contents": "read", "id-token": "write", "attestations": "write"}
    ]
    checkouts = [step for step in steps(drift_watch) if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_drift_watch_pins_every_action_to_the_nightlys_commit(drift_watch):
    nightly = {step["uses"].split("@")[0]: step["uses"] for step in steps(workflow("nightly.yml")) if "uses" in step}
    used = [step["uses"] for step in steps(drift_watch) if "uses" in step]
    assert used and all(PINNED.fullmatch(uses) for uses in used)
    assert [uses for uses in used if nightly.get(uses.split("@")[0]) != uses] == []


def test_drift_watch_runs_the_live_suite_read_only_and_folds_it_into_the_environments_audit(drift_watch):
    live = command_line(drift_watch, ".venv/bin/pytest")
    assert live[live.index("-m") + 1] == "integration" and "--live" in live and "--outputs-file" in live
    junit = live[live.index("--junitxml") + 1]
    audit = command_line(drift_watch, ".venv/bin/tap")
    assert audit[audit.index("--live-results") + 1] == junit
    assert audit[audit.index("--profile") + 1] == "prod" and "--env" in audit
    assert drift_watch["env"]["ENVIRONMENT_SUFFIX"] == "prod"
    # Every option it passes is one `tap audit` takes.
    known = {option for action in _audit_parser()._actions for option in action.option_strings}
    assert audit_options(audit) <= known


def test_nightly_audits_with_the_previous_report_as_baseline_and_signs_it():
    nightly = workflow("nightly.yml")
    (live_audit,) = [text for text in runs(nightly) if "--live-results" in text]
    assert "--baseline" in live_audit and "--sign-key" in live_audit
    assert any("gh run download" in text for text in runs(nightly))


def _audit_parser():
    commands = next(action for action in build_parser()._actions if action.dest == "command")
    return commands.choices["audit"]


SIGNING_KEYS = {"nightly.yml": "AUDIT_SIGNING_KEY_NIGHTLY", "drift-watch.yml": "AUDIT_SIGNING_KEY_PROD"}
SECRET = re.compile(r"secrets\.(AUDIT_SIGNING_KEY\w*)")


@pytest.mark.parametrize(("name", "secret"), sorted(SIGNING_KEYS.items()))
def test_each_environment_signs_its_reports_with_its_own_key(name, secret):
    """One key for every environment would let a dev report pass as prod's: each has its own secret."""
    document = workflow(name)
    named = {
        match for step in steps(document) for value in step.get("env", {}).values() for match in SECRET.findall(value)
    }
    assert named == {secret}


@pytest.mark.parametrize("name", sorted(SIGNING_KEYS))
def test_each_report_manifest_is_attested_by_a_pinned_action(name):
    document = workflow(name)
    (attest,) = [step for step in steps(document) if "attest-build-provenance" in step.get("uses", "")]
    assert PINNED.fullmatch(attest["uses"]) and attest["with"]["subject-path"] == "reports/*/manifest.json"
    assert [job["permissions"]["attestations"] for job in document["jobs"].values()] == ["write"]
    assert all(job["permissions"]["id-token"] == "write" for job in document["jobs"].values())
