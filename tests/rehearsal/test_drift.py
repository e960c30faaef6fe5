"""The drift catalogue: each out-of-band change fails the live suite, naming it; no change passes.

Every run is the nightly command itself (`pytest -m integration --live --outputs-file`)
in a child process, against a copy of a provisioned emulator account with one drift
applied: each profile is provisioned once, and each drift gets a fork of it (as the
mutation campaign's account mutants do, tap/mutate/account.py).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from tap.live.outputs import read_outputs
from tap.mutate.account import Account, Runner, provisioned
from tap.mutate.model import Mutant
from tap.mutate.operators import Case
from tests.rehearsal.drifts import CATALOGUE, RESHAPES, Drift
from tests.rehearsal.live import LiveRun

NO_DRIFT = Drift("no drift", "", lambda aws, outputs: None)
# Who provisions the account the drifts are applied to: the translator, or Terraform itself
# (TAP_DRIFT_ENGINE=terraform; minutes of provider waiters per profile, so not in make test).
ENGINE = os.environ.get("TAP_DRIFT_ENGINE", "translator")
LANES = 2  # live suite runs side by side, each against a fork of its own


def _drifted(runner: Runner, account: Account, drift: Drift) -> LiveRun:
    outputs = read_outputs(account.outputs_file, account.stack)
    mutant = Mutant("account", account.profile, account.stack, "drift", detail=drift.name)
    try:
        return runner.live(account, Case(mutant, apply=lambda aws: drift.apply(aws, outputs)))
    except (TypeError, KeyError, ValueError) as error:  # the account lacks what it changes: this drift fails alone
        return LiveRun(-1, 0, [], f"the drift could not be applied to this account: {error!r}")


def _selected(session: pytest.Session) -> list[Drift]:
    """The changes the collected tests read (`-k` picks a few), and no change, which every run is read against."""
    chosen = {
        item.callspec.params[name].name
        for item in session.items
        if hasattr(item, "callspec")
        for name in ("drift", "reshape")
        if name in item.callspec.params
    }
    return [NO_DRIFT, *(drift for drift in (*CATALOGUE, *RESHAPES) if drift.name in chosen)]


@pytest.fixture(scope="session")
def live_runs(request: pytest.FixtureRequest, tmp_path_factory) -> dict[str, LiveRun]:
    drifts = _selected(request.session)
    folder = tmp_path_factory.mktemp("drift")
    profiles = sorted({drift.profile for drift in drifts})
    runner = Runner(folder)
    with provisioned(profiles, folder, ENGINE) as accounts, ThreadPoolExecutor(max_workers=LANES) as pool:
        runs = pool.map(lambda drift: _drifted(runner, accounts[drift.profile], drift), drifts)
        return {drift.name: run for drift, run in zip(drifts, runs, strict=True)}


def test_catalogue_holds_at_least_twelve_distinct_drifts():
    assert len(CATALOGUE) >= 12
    assert len({drift.name for drift in CATALOGUE}) == len({drift.names for drift in CATALOGUE}) == len(CATALOGUE)


def test_live_suite_passes_an_account_without_drift(live_runs):
    run = live_runs[NO_DRIFT.name]
    assert (run.returncode, run.failures) == (0, []), run.output


@pytest.mark.parametrize("reshape", RESHAPES, ids=[reshape.name for reshape in RESHAPES])
def test_live_suite_passes_a_policy_in_the_shape_aws_returns(reshape, live_runs):
    # The same meaning written another way is no drift: a false alarm would teach people to ignore the nightly.
    run = live_runs[reshape.name]
    assert (run.returncode, run.failures) == (0, []), run.output


@pytest.mark.parametrize("drift", CATALOGUE, ids=[drift.name for drift in CATALOGUE])
def test_live_suite_fails_naming_the_drift(drift, live_runs):
    run = live_runs[drift.name]
    assert run.returncode == 1, run.output
    assert any(drift.names in failure for failure in run.failures), "\n".join(run.failures) or run.output
