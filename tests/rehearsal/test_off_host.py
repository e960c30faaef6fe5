"""No packet off the host: whatever the environment says, what talks to the emulator talks to it alone.

Every child process that talks to an emulator gets an environment built from an allow-list
(tap/live/child_env.py); in-process, an emulated account's clients must reach the emulator
itself, or are refused in one sentence. The paths run in a loopback-only network namespace,
every hostile variable set and a recorder listening where they point (tests/rehearsal/hostile.py).
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from tap.live.child_env import KEPT, KEPT_PREFIXES, SEALED, emulator_env
from tests.rehearsal.hostile import REDIRECTING, every_hostile_variable
from tests.rehearsal.namespace import without_network
from tests.rehearsal.test_mutate_account import ENCRYPTION_TEST  # the test the deleted encryption fails

NOWHERE = "http://127.0.0.2:9"


def scenario(name: str) -> dict:
    result = without_network(sys.executable, "-m", "tests.rehearsal.hostile", name)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_child_environment_holds_only_the_allow_list(monkeypatch, tmp_path):
    hostile = {**every_hostile_variable(NOWHERE, tmp_path), "NO_PROXY": "*", "AWS_SESSION_TOKEN": "t"}
    for name, value in hostile.items():
        monkeypatch.setenv(name, value)
    env = emulator_env("http://127.0.0.1:5000", STACK_PROFILE="dev")
    given = {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "STACK_PROFILE", *SEALED}
    assert [name for name in env if name not in KEPT | given and not name.startswith(KEPT_PREFIXES)] == []
    assert (env["AWS_CONFIG_FILE"], env["AWS_SHARED_CREDENTIALS_FILE"]) == (os.devnull, os.devnull)
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5000" and env["STACK_PROFILE"] == "dev"
    assert env["PATH"] == os.environ["PATH"]


def test_child_environment_without_an_emulator_holds_no_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREAL")
    assert not {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} & set(emulator_env())


def test_probe_and_reset_never_take_a_proxy_for_the_emulator(network_namespace):
    # The recorder answers 200 `{}` to all, as moto's state document does; proxies point at it.
    found = scenario("emulator-probe")
    assert found["dead probe"].startswith("RuntimeError: the moto server at http://127.0.0.1:"), found
    assert "did not answer" in found["dead probe"]
    assert found["dead reset"].startswith("ConnectionRefusedError"), found
    assert found["live reset"] == "done", found
    assert found["inherited"] == [], "the moto server kept them"
    assert found["recorder saw"] == []


def test_account_mutant_runs_talk_to_their_fork_alone_and_keep_their_verdict(network_namespace):
    # The campaign's and the drift catalogue's path: a zygote, forks, the nightly command in a child.
    found = scenario("account-mutant")
    assert found["inherited"] == [], "the zygote kept them"
    assert found["control"] == "done", found
    assert found["verdict"].startswith(ENCRYPTION_TEST), found
    assert found["recorder saw"] == []


@pytest.fixture(scope="module")
def nightly_runs(network_namespace) -> dict:
    return scenario("nightly")


@pytest.mark.parametrize("group", REDIRECTING)
def test_nightly_against_an_emulator_refuses_a_client_sent_elsewhere_in_one_sentence(group, nightly_runs):
    run = nightly_runs[group]
    assert run["returncode"] == 2, run["output"]
    refusals = [line for line in run["output"].splitlines() if "live suite: the account is the emulator at" in line]
    assert len(refusals) == 1 and "but its STS client would " in refusals[0], run["output"]
    assert "Traceback" not in run["output"]
    assert nightly_runs["recorder saw"] == []
