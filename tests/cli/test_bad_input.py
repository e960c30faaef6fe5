"""Every command, fed bad input through the real CLI: one line on stderr, exit 2, never a traceback.

Each case runs `tap` in a child process, as a user would. Cases that take an endpoint only
ever name 127.0.0.1, and the emulator is never reached for any of them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stack.config import Config
from tap.live.emulator import rehearsal_config
from tap.synth.cache import cached_plan

DOWN = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture(scope="module")
def plan() -> Path:
    return cached_plan(rehearsal_config())


@pytest.fixture(scope="module")
def dev_plan() -> Path:
    return cached_plan(Config(environment_suffix="dev", profile="dev"))


def tap(
    *arguments: str, env: dict[str, str] | None = None, stdout: int = subprocess.PIPE
) -> subprocess.CompletedProcess:
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tap.cli", *arguments],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        timeout=120,
    )


def assert_one_line_exit_2(result: subprocess.CompletedProcess, expected: str) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("tap: ") and result.stderr.count("\n") == 1, result.stderr
    assert expected in result.stderr, result.stderr


def _state(tmp_path: Path, content: str | bytes) -> str:
    path = tmp_path / "state.tfstate"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


ENV_CASES = [
    ({"ENVIRONMENT_SUFFIX": "dev\n"}, ["synth"], "ENVIRONMENT_SUFFIX may hold only"),
    ({"AWS_REGION": "ap-southeast-1\n"}, ["synth"], "AWS_REGION must look like"),
    ({"STACK_PROFILE": "dev\n"}, ["synth", "--env", "pr7"], "profile must be one of"),
    ({"ENVIRONMENT_SUFFIX": "prod", "STACK_PROFILE": "dev"}, ["synth"], "contradicts environments.toml"),
    ({}, ["synth", "--env", "prod", "--profile", "dev"], "contradicts environments.toml"),
    ({}, ["synth", "--env", "pr7"], "is not declared in environments.toml"),
    (
        {"ALB_CERTIFICATE_ARN": "arn:aws:acm:ap-southeast-1:123456789012:certificate/" + "0" * 36 + "\n"},
        ["synth"],
        "ALB_CERTIFICATE_ARN must be an ACM",
    ),
]


@pytest.mark.parametrize(("env", "arguments", "expected"), ENV_CASES, ids=[" ".join(c[1]) for c in ENV_CASES])
def test_bad_configuration_is_one_line_and_exit_2(env, arguments, expected):
    assert_one_line_exit_2(tap(*arguments, env=env), expected)


def test_synth_into_a_file_is_one_line_and_exit_2(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    assert_one_line_exit_2(tap("synth", "--outdir", str(target)), "cannot write the plan into")


def test_synth_into_an_unwritable_place_is_one_line_and_exit_2():
    # /proc refuses new files even to root, where permission bits would not.
    assert_one_line_exit_2(tap("synth", "--outdir", "/proc/tap-plans"), "cannot write the plan into /proc/tap-plans")


def _under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("x")
    return tmp_path / "file" / "outputs.json"


@pytest.mark.parametrize(
    ("make_outputs", "expected"),
    [(lambda tmp: tmp, "is a directory: name a file"), (_under_a_file, "is not a directory")],
    ids=["a-directory", "under-a-file"],
)
def test_rehearse_refuses_an_unwritable_outputs_path_before_provisioning(make_outputs, expected, plan, tmp_path):
    outputs = make_outputs(tmp_path)
    assert_one_line_exit_2(
        tap("rehearse", "--endpoint-url", DOWN, "--outputs-file", str(outputs), "--plan", str(plan)), expected
    )


@pytest.mark.parametrize("endpoint", [DOWN, "http://127.0.0.1:1", "https://127.0.0.1:9"])
def test_rehearse_against_an_endpoint_that_does_not_answer_is_one_line(endpoint, plan, tmp_path):
    outputs = tmp_path / "outputs.json"
    result = tap("rehearse", "--endpoint-url", endpoint, "--outputs-file", str(outputs), "--plan", str(plan))
    assert_one_line_exit_2(result, f"the emulator at {endpoint} does not answer")
    assert not outputs.exists()


def test_rehearse_against_https_on_a_plain_http_server_is_one_line(plan, tmp_path):
    from tap.live.emulator import moto_server

    outputs = tmp_path / "outputs.json"
    with moto_server() as url:
        endpoint = url.replace("http://", "https://")
        result = tap("rehearse", "--endpoint-url", endpoint, "--outputs-file", str(outputs), "--plan", str(plan))
    assert_one_line_exit_2(result, f"the emulator at {endpoint} does not answer")
    assert not outputs.exists()


STATE_CASES = [
    ("[]", "is not a Terraform state"),
    ('{"resources": [{"type": "random_id"}]}', "is not a Terraform state"),
    ('{"resources": {"a": 1}}', "is not a Terraform state"),
    (b"\x89PNG\r\n\x1a\n\x00\xff", "is not UTF-8 text"),
    ("{", "not JSON"),
]


@pytest.mark.parametrize(("content", "expected"), STATE_CASES, ids=["list", "missing-keys", "dict", "binary", "json"])
def test_preflight_with_a_bad_state_is_one_line_and_exit_2(content, expected, dev_plan, tmp_path):
    result = tap("preflight", "--plan", str(dev_plan), "--state", _state(tmp_path, content))
    assert_one_line_exit_2(result, expected)


def test_preflight_with_a_named_state_that_is_absent_is_one_line_not_a_first_deploy(dev_plan, tmp_path):
    result = tap("preflight", "--plan", str(dev_plan), "--state", str(tmp_path / "absent.tfstate"))
    assert_one_line_exit_2(result, "does not exist: name this deployment's state")


def test_unknown_command_and_option_are_one_line_and_exit_2():
    assert_one_line_exit_2(tap("deploy"), "invalid choice")
    assert_one_line_exit_2(tap("synth", "--bogus"), "unrecognized arguments")


MUTATE_CASES = [
    (["--kinds", "plans"], "is not plan, account or plan,account"),
    (["--sample", "0"], "is not a positive whole number"),
    (["--sample", "-3"], "is not a positive whole number"),
    (["--survivors", "/nonexistent/survivors.toml"], "does not exist"),
    (["--engine", "cdktf"], "invalid choice: 'cdktf' (choose from 'translator', 'terraform')"),
]


@pytest.mark.parametrize(("arguments", "expected"), MUTATE_CASES)
def test_mutate_with_bad_options_is_one_line_before_any_work(arguments, expected, tmp_path):
    assert_one_line_exit_2(tap("mutate", "--out", str(tmp_path / "m.json"), *arguments), expected)


def test_mutate_with_a_bad_survivors_file_or_out_path_is_one_line(tmp_path):
    survivors = tmp_path / "survivors.toml"
    survivors.write_text('[[survivor]]\nmatch = "*"\nverdict = "fine"\nreason = "x"\n')
    assert_one_line_exit_2(tap("mutate", "--survivors", str(survivors)), "verdict must be one of")
    assert_one_line_exit_2(tap("mutate", "--out", str(tmp_path)), "campaign result")


# Input that would steer a terminal or a CI log if printed raw: a carriage return, erase-line,
# conceal, a bidi override, a line break that starts a line of its own.
HOSTILE = "\r\x1b[2K\x1b[8m\u202e\n: intact"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def assert_inert(text: str) -> None:
    assert RAW.search(text) is None, repr(text)
    assert "\\x1b[2K" in text, repr(text)  # shown as escapes, so still readable


def report_folder(tmp_path: Path, *names: str) -> Path:
    """A folder whose manifest records no file: each of `names` put in it is one added."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"manifest_version": "1", "files": {}}))
    for name in names:
        (folder / name).write_text("x")
    return folder


def test_verify_shows_a_file_name_that_steers_the_terminal_escaped_and_tampered(tmp_path):
    undecodable = os.fsdecode(b"compliance.json\xff")  # a name that is not UTF-8: a lone surrogate
    result = tap("verify", str(report_folder(tmp_path, f"compliance.html{HOSTILE}", undecodable)))
    assert result.returncode == 1, result.stdout + result.stderr
    *differences, verdict = result.stdout.splitlines()
    assert len(differences) == 2 and verdict.endswith(": TAMPERED"), result.stdout
    assert_inert(result.stdout)
    assert "compliance.json\\udcff" in result.stdout


HOSTILE_ARGUMENTS = [
    (["verify", f"{{tmp}}/no-such-folder{HOSTILE}"], "is not a report folder"),
    (["audit", "--plan", f"{{tmp}}/no-such-plan{HOSTILE}", "--out", "{tmp}/out"], "does not exist: pass a cdk.tf.json"),
]


@pytest.mark.parametrize(("arguments", "expected"), HOSTILE_ARGUMENTS, ids=[case[0][0] for case in HOSTILE_ARGUMENTS])
def test_bad_input_that_steers_the_terminal_is_one_escaped_line(arguments, expected, tmp_path):
    result = tap(*(argument.format(tmp=tmp_path) for argument in arguments))
    assert_one_line_exit_2(result, expected)
    assert_inert(result.stderr)


@pytest.mark.parametrize("arguments", [["verify", "{folder}"], ["--help"]], ids=["verify", "help"])
def test_a_reader_that_closed_the_pipe_ends_the_command_quietly(arguments, tmp_path):
    """`tap verify DIR | head -1`: the reader leaves early. Exit 141 (128 + SIGPIPE, as a shell reports
    a program a closed pipe stopped), nothing on stderr, never a traceback."""
    folder = report_folder(tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before tap writes its first line
    try:
        result = tap(*(argument.format(folder=folder) for argument in arguments), stdout=write_end)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (141, "")


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--as-of", "9999-12-31", "is not a date an audit can be made as of"),
        ("--as-of", "0001-01-01", "is not a date an audit can be made as of"),
        ("--profile", "prod", "is of profile 'dev', not 'prod'"),
    ],
)
def test_an_audit_asked_for_what_it_cannot_give_is_one_line_and_exit_2(option, value, expected, dev_plan, tmp_path):
    """A date past which expiries cannot be counted (once an OverflowError); a profile the plan is not."""
    result = tap("audit", "--plan", str(dev_plan), "--out", str(tmp_path / "out"), option, value)
    assert_one_line_exit_2(result, expected)
    assert not (tmp_path / "out").exists()
