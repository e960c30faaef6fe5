"""The engine check against AWS-shaped answers through botocore's Stubber (moto has no such API).

The field report's failure: the plan pinned postgres 15.4, which AWS had retired.
"""

from __future__ import annotations

import copy

import pytest
from botocore.stub import Stubber

from tap.live.guard import open_account
from tap.plan import Plan
from tap.preflight.catalogue import engine_version as version_entry
from tap.preflight.catalogue import orderable
from tap.preflight.checks import engine_version
from tap.preflight.deployment import BLOCKER, PASS, Deployment

RETIRED, CURRENT = "15.4", "15.14"


def pinned(plan: Plan, version: str) -> Deployment:
    document = copy.deepcopy(plan.document)
    (database,) = document["resource"]["aws_db_instance"].values()
    database["engine_version"] = version
    return Deployment(Plan(document), None, frozenset())


@pytest.fixture
def rds():
    account = open_account("ap-southeast-1", aws_access_key_id="x", aws_secret_access_key="y")
    client = account("rds")
    with Stubber(client) as stubber:
        yield account, stubber
        stubber.assert_no_pending_responses()


def test_retired_minor_version_is_a_blocker_naming_a_current_one(rds, plan):
    account, stubber = rds
    stubber.add_response(
        "describe_db_engine_versions", {"DBEngineVersions": []}, {"Engine": "postgres", "EngineVersion": RETIRED}
    )
    stubber.add_response(
        "describe_db_engine_versions",
        {"DBEngineVersions": [version_entry(v) for v in ("15.13", CURRENT, "15.12")]},
        {"Engine": "postgres"},
    )
    (result,) = engine_version(account, pinned(plan, RETIRED))
    assert result.status == BLOCKER
    assert f"postgres {RETIRED} is not offered" in result.why
    assert CURRENT in result.action and "major version only" in result.action


def test_offered_minor_version_passes_and_its_class_is_orderable(rds, plan):
    account, stubber = rds
    stubber.add_response(
        "describe_db_engine_versions",
        {"DBEngineVersions": [version_entry(CURRENT)]},
        {"Engine": "postgres", "EngineVersion": CURRENT},
    )
    stubber.add_response(
        "describe_orderable_db_instance_options",
        {"OrderableDBInstanceOptions": [orderable(CURRENT, "db.t4g.medium")]},
        {"Engine": "postgres", "EngineVersion": CURRENT, "DBInstanceClass": "db.t4g.medium"},
    )
    results = list(engine_version(account, pinned(plan, CURRENT)))
    assert [r.status for r in results] == [PASS, PASS]


def test_major_only_pin_reports_the_minor_aws_would_pick(rds, plan):
    account, stubber = rds
    stubber.add_response(
        "describe_db_engine_versions",
        {"DBEngineVersions": [version_entry(CURRENT)]},
        {"Engine": "postgres", "EngineVersion": "15", "DefaultOnly": True},
    )
    stubber.add_response(
        "describe_orderable_db_instance_options",
        {"OrderableDBInstanceOptions": []},
        {"Engine": "postgres", "EngineVersion": CURRENT, "DBInstanceClass": "db.t4g.medium"},
    )
    version, instance_class = engine_version(account, pinned(plan, "15"))
    assert version.status == PASS and f"AWS would create {CURRENT}" in version.why
    assert instance_class.status == BLOCKER and "db.t4g.medium is not orderable" in instance_class.why
