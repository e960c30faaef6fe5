"""`pytest -m integration --live`: the outputs file alone names the deployment; bad set-up is one sentence.

Every run is the nightly command in a child process, started from the checkout as users start it.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from stack.config import DEFAULT_APP_IMAGE, DEFAULT_KEY_ADMINISTRATOR_ROLE, PLACEHOLDER_ALARM_EMAIL
from stack.contract import Output
from tap.audit import live_results
from tap.live.emulator import MOTO_ACCOUNT, REHEARSAL_CERTIFICATE, moto_server, rehearsal_config
from tap.live.rehearsal import rehearse
from tap.synth.cache import cached_plan
from tests.rehearsal.live import run_live_suite

IDENTITY = {
    Output.ENVIRONMENT_SUFFIX: "dev",
    Output.PROFILE: "dev",
    Output.REGION: "ap-southeast-1",
    Output.CERTIFICATE_ARN: REHEARSAL_CERTIFICATE,
    Output.INTERNET_EGRESS_CIDRS: [],
    Output.ALARM_EMAILS: [PLACEHOLDER_ALARM_EMAIL],
    Output.KEY_ADMINISTRATOR_ROLE: DEFAULT_KEY_ADMINISTRATOR_ROLE,
    Output.APP_IMAGE: DEFAULT_APP_IMAGE,
}


def _outputs(tmp_path, stacks) -> str:
    path = tmp_path / "outputs.json"
    path.write_text(stacks if isinstance(stacks, str) else json.dumps(stacks))
    return str(path)


def _every_output_but(*left_out: Output) -> dict:
    values = {key.value: "x" for key in Output if key not in left_out}
    return {"TapStackdev": {**values, **{key.value: value for key, value in IDENTITY.items() if key not in left_out}}}


def _assert_stopped(result, message: str, code: int = 2) -> None:
    assert result.returncode == code, result.stdout + result.stderr
    assert message in result.stdout + result.stderr
    # Stopped before any test ran: nothing reads as a pass, a skip or a flood of failures.
    assert " passed" not in result.stdout and "skipped" not in result.stdout and " failed" not in result.stdout


def test_live_without_an_outputs_file_is_a_usage_error():
    _assert_stopped(run_live_suite(), "--live needs --outputs-file FILE", code=4)


def test_outputs_file_without_live_is_a_usage_error_not_a_rehearsal(tmp_path):
    # Without --live the suite would rehearse its own deployment and pass, ignoring the file.
    result = run_live_suite("--outputs-file", _outputs(tmp_path, _every_output_but()), live=False)
    _assert_stopped(result, "--outputs-file is read only with --live", code=4)


@pytest.mark.parametrize("form", ["space", "equals"])
def test_outputs_file_outside_the_checkout_is_read_in_both_forms(form, tmp_path):
    # pytest once took the space form's value for a path, moved its rootdir there and exited 4;
    # then, with the option known, it still ran without the project's configuration.
    outputs = tmp_path / "elsewhere" / "outputs.json"
    outputs.parent.mkdir()
    outputs.write_text("{")
    arguments = ["--outputs-file", str(outputs)] if form == "space" else [f"--outputs-file={outputs}"]
    result = run_live_suite(*arguments, url="http://127.0.0.1:9")
    _assert_stopped(result, "is not JSON")
    assert "PytestUnknownMarkWarning" not in result.stdout + result.stderr  # the project's markers were loaded


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "is not JSON"),
        ({"TapStackdev": {}, "TapStackqa": {}}, "holds several stacks (TapStackdev, TapStackqa)"),
        (_every_output_but(Output.VPC_ID), "lacks the output vpc_id of stack TapStackdev"),
        (_every_output_but(Output.PROFILE, Output.REGION), "lacks the outputs profile, region of stack TapStackdev"),
        ({"TapStackprod": _every_output_but()["TapStackdev"]}, "says it is environment 'dev'"),
        ({"TapStackdev": {**_every_output_but()["TapStackdev"], "profile": "staging"}}, "profile must be one of"),
        ('{"TapStackdev": ' + "[" * 100_000 + "]" * 100_000 + "}", "nests deeper than 64 levels"),
        ({"TapStackdev": {**_every_output_but()["TapStackdev"], "alarm_emails": 7}}, "ALARM_EMAILS must be a list"),
    ],
    ids=[
        "malformed",
        "two-stacks",
        "one-output-missing",
        "identity-missing",
        "identity-mismatch",
        "bad-profile",
        "deep",
        "wrong-shape",
    ],
)
def test_bad_outputs_file_stops_the_live_run_with_exit_2(content, message, tmp_path):
    result = run_live_suite("--outputs-file", _outputs(tmp_path, content), url="http://127.0.0.1:9")
    _assert_stopped(result, message)


OUTCOMES = ("passed", "skipped")


def test_prod_outputs_are_checked_against_prod_with_contradicting_variables_set(tmp_path):
    # The deployment says what it is: a stray STACK_PROFILE=dev must not turn prod's 3 NAT gateways into drift.
    config = rehearsal_config("prod")
    outputs_file, junit = tmp_path / "outputs.json", tmp_path / "live.xml"
    with moto_server() as url:
        rehearse(cached_plan(config), url, outputs_file)
        arguments = ["--outputs-file", str(outputs_file), f"--junitxml={junit}"]
        result = run_live_suite(*arguments, url=url, STACK_PROFILE="dev", ENVIRONMENT_SUFFIX="")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    # Every test case says what it checked against what, so an audit can refuse evidence of another deployment.
    plan_sha256 = hashlib.sha256(cached_plan(config).read_bytes()).hexdigest()
    identities = {(r.stack, r.plan_sha256, r.account, r.region, r.outcome) for r in live_results.read(junit)}
    # Checks the emulator cannot answer are skipped, and say against what, like every other result.
    assert identities == {(config.stack_name, plan_sha256, MOTO_ACCOUNT, config.region, o) for o in OUTCOMES}
