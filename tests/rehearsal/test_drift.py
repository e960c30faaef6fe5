"""The drift catalogue: each out-of-band change fails the live suite, naming it; no change passes.

Every run is the nightly command itself (`pytest -m integration --live --outputs-file`)
in a child process, against a freshly provisioned emulator account with one drift applied.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest

from tap.live.emulator import moto_server, rehearsal_config, reset
from tap.live.outputs import read_outputs
from tap.live.rehearsal import EMULATOR_CREDENTIALS, check_loopback, rehearse
from tap.synth.cache import cached_plan
from tests.rehearsal.drifts import CATALOGUE, Drift
from tests.rehearsal.live import LiveRun, live_run

NO_DRIFT = Drift("no drift", "", lambda aws, outputs: None)
LANES = 2  # emulators side by side; each lane provisions, drifts and runs the suite in turn


def _lane(drifts: list[Drift], folder: Path) -> dict[str, LiveRun]:
    runs = {}
    with moto_server() as url:
        check_loopback(url)  # drifts write: never anywhere but the emulator this lane started
        for index, drift in enumerate(drifts):
            config = rehearsal_config(drift.profile)
            session = boto3.Session(region_name=config.region, **EMULATOR_CREDENTIALS)
            writer = functools.partial(session.client, endpoint_url=url)
            reset(url)
            outputs_file = folder / f"outputs-{index}.json"
            rehearse(cached_plan(config), url, outputs_file)
            drift.apply(writer, read_outputs(outputs_file, config.stack_name))
            runs[drift.name] = live_run(url, outputs_file, folder / f"junit-{index}.xml")
    return runs


@pytest.fixture(scope="session")
def live_runs(tmp_path_factory) -> dict[str, LiveRun]:
    drifts = [NO_DRIFT, *CATALOGUE]
    lanes = [drifts[index::LANES] for index in range(LANES)]
    folders = [tmp_path_factory.mktemp(f"lane{index}") for index in range(LANES)]
    with ThreadPoolExecutor(max_workers=LANES) as pool:
        results = list(pool.map(_lane, lanes, folders))
    return {name: run for lane in results for name, run in lane.items()}


def test_catalogue_holds_at_least_twelve_distinct_drifts():
    assert len(CATALOGUE) >= 12
    assert len({drift.name for drift in CATALOGUE}) == len({drift.names for drift in CATALOGUE}) == len(CATALOGUE)


def test_live_suite_passes_an_account_without_drift(live_runs):
    run = live_runs[NO_DRIFT.name]
    assert (run.returncode, run.failures) == (0, []), run.output


@pytest.mark.parametrize("drift", CATALOGUE, ids=[drift.name for drift in CATALOGUE])
def test_live_suite_fails_naming_the_drift(drift, live_runs):
    run = live_runs[drift.name]
    assert run.returncode == 1, run.output
    assert any(drift.names in failure for failure in run.failures), "\n".join(run.failures) or run.output
