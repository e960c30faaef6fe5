"""Every command that takes a document, and every setting, fed generated hostile input through the CLI.

A command either does its work (the document was one) or refuses: exit 2, one line on stderr,
no traceback, and nothing written. Commands that would reach an account (preflight, the live
suite) are fuzzed at their readers (test_readers.py): a run here must never leave the host.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from stack.config import INTERNET_EGRESS_VARIABLE, Config, ConfigError
from stack.engines import ENGINE_VARIABLE, select_engine
from tap.cli import main
from tap.synth.cache import cached_plan
from tap.synth.deployments import PROFILE_CONFIGS
from tests.fuzz.hostile import ODDITIES, hostile_bytes, nested

PLAN = str(cached_plan(PROFILE_CONFIGS["dev"]))
# Each command, the option that takes the document, and the document's syntax.
DOCUMENT_OPTIONS = {
    "plan": (["audit", "--plan", "{file}"], "json"),
    "waivers": (["audit", "--plan", PLAN, "--waivers", "{file}"], "toml"),
    "baseline": (["audit", "--plan", PLAN, "--baseline", "{file}"], "json"),
    "mutation results": (["audit", "--plan", PLAN, "--mutation-results", "{file}"], "json"),
    "live results": (["audit", "--plan", PLAN, "--live-results", "{file}"], "xml"),
    "signing key": (["audit", "--plan", PLAN, "--sign-key", "{file}"], "bytes"),
    "public key": (["verify", "{folder}", "--public-key", "{file}"], "bytes"),
}
SETTINGS = ("ENVIRONMENT_SUFFIX", "AWS_REGION", "STACK_PROFILE", "ALB_CERTIFICATE_ARN", INTERNET_EGRESS_VARIABLE)
SETTINGS += ("ALARM_EMAILS", "KEY_ADMINISTRATOR_ROLE")
# Each example runs a command: fewer of them than the readers' thousands, each bounded in time.
COMMANDS = settings(
    max_examples=30,
    deadline=60_000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_runs = itertools.count()


def _run(arguments: list[str], document: bytes, folder: Path, capsys) -> tuple[int, str, Path]:
    run = folder / f"run-{next(_runs)}"
    run.mkdir()
    file, out = run / "document", run / "out"
    file.write_bytes(document)
    given = [argument.format(file=file, folder=run) for argument in arguments]
    code = main([*given, *(["--out", str(out)] if given[0] == "audit" else [])])
    return code, capsys.readouterr().err, out


@pytest.mark.parametrize("option", sorted(DOCUMENT_OPTIONS))
@COMMANDS
@given(data=st.data())
@example(data=None)
def test_a_command_given_a_hostile_document_works_or_refuses_in_one_line_writing_nothing(
    option, data, tmp_path, capsys
):
    arguments, syntax = DOCUMENT_OPTIONS[option]
    # The explicit example: the deepest nesting that once ended in a RecursionError traceback.
    document = nested(100_000, syntax) if data is None else data.draw(hostile_bytes(syntax), label="document")
    code, error, out = _run(arguments, document, tmp_path, capsys)
    assert "Traceback" not in error, error
    if code == 2:
        assert error.startswith("tap: ") and error.count("\n") == 1, error
        assert not out.exists()
    else:
        assert code in (0, 1) and (out.exists() or arguments[0] == "verify"), error


@pytest.mark.parametrize("oddity", ODDITIES, ids=range(len(ODDITIES)))
def test_a_plan_read_as_terraform_would_not_read_it_is_refused_in_one_line(oddity, tmp_path, capsys):
    code, error, out = _run(DOCUMENT_OPTIONS["plan"][0], oddity, tmp_path, capsys)
    assert code == 2 and error.startswith("tap: ") and error.count("\n") == 1 and not out.exists(), error


def test_a_plan_that_is_a_device_is_refused_without_reading_it(tmp_path, capsys):
    assert main(["audit", "--plan", "/dev/zero", "--out", str(tmp_path / "out")]) == 2
    assert "/dev/zero is not a regular file" in capsys.readouterr().err


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(SETTINGS), st.text(max_size=40)))
@example({"KEY_ADMINISTRATOR_ROLE": "payment-key-administrator\n"})
@example({"AWS_REGION": "ap-southeast-\u0661"})
@example({"ALARM_EMAILS": "ops@payments.example\n"})
def test_every_setting_from_the_environment_makes_a_config_or_one_sentence(environment):
    try:
        config = Config.from_env(environment)
    except ConfigError as refusal:
        assert "\n" not in str(refusal) and str(refusal).endswith(".")
        return
    # Taken: every value is what a deploy can use, whole, and comes back from the environment the same.
    assert Config.from_env(config.to_env()) == config
    assert all(value.isprintable() and value == value.strip() for value in config.to_env().values())


@given(st.text(max_size=20))
@example("cdktf\n")
def test_an_engine_setting_is_an_engine_or_one_sentence(name):
    try:
        engine = select_engine({ENGINE_VARIABLE: name})
    except ConfigError as refusal:
        assert "\n" not in str(refusal)
        return
    assert engine.name == (name or select_engine({}).name)  # unset (empty): the default


def test_no_fuzzed_command_reaches_an_account():
    """The commands fuzzed here read documents; none of them opens an AWS session."""
    assert {arguments[0] for arguments, _ in DOCUMENT_OPTIONS.values()} <= {"audit", "verify"}
    assert not {key for key in os.environ if key.startswith("AWS_ENDPOINT_URL")}
