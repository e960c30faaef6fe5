"""A moto account for preflight, with the RDS catalogue answered as AWS would."""

from __future__ import annotations

import json

import boto3
import pytest

from tap.live.emulator import moto_server, rehearsal_config, reset
from tap.live.guard import open_account
from tap.live.rehearsal import EMULATOR_CREDENTIALS, Rehearsal
from tap.plan import Plan
from tap.preflight.catalogue import answer_catalogue
from tap.synth.cache import cached_plan

SUFFIX = "c0ffee00"


@pytest.fixture(scope="session")
def emulator():
    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def plan() -> Plan:
    return Plan.load(cached_plan(rehearsal_config()))


@pytest.fixture
def account(emulator, plan):
    """A clean account holding only what exists before a first deploy: the listener certificate."""
    reset(emulator)
    rehearsal = Rehearsal(plan, emulator)
    rehearsal.ensure_certificates(rehearsal.blocks())
    account = open_account(plan.region, emulator, **EMULATOR_CREDENTIALS)
    answer_catalogue(account.session)
    return account


@pytest.fixture
def writer(emulator, plan):
    """An unguarded emulator session: how the tests put leftovers into the account."""
    session = boto3.Session(region_name=plan.region, **EMULATOR_CREDENTIALS)
    return lambda service: session.client(service, endpoint_url=emulator)


def state_with_suffix(path, suffix: str = SUFFIX, *managed: tuple[str, str], profile: str | None = None):
    """A Terraform state (v4) holding the deployment suffix, as after a partial deploy (tagged with `profile`)."""
    resources = [
        {"mode": "managed", "type": "random_id", "name": "deployment", "instances": [{"attributes": {"hex": suffix}}]}
    ]
    tagged = {"tags_all": {"Profile": profile}} if profile else {}
    resources += [{"mode": "managed", "type": t, "name": n, "instances": [{"attributes": tagged}]} for t, n in managed]
    path.write_text(json.dumps({"version": 4, "resources": resources}))
    return path
