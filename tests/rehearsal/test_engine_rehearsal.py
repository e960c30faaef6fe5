"""Terraform itself rehearses the plan: apply into the emulator, nothing left to change, the live suite passes
from its outputs, a drift after it is caught, and destroy does what each profile's protections allow.

The AWS provider is the machine's mirror's (5.100.0), where the stack pins 6.25.0. Slow (Terraform's
waiters: minutes per profile), so `make test` leaves these out and `make test-engine` runs them, for the
profiles $TAP_ENGINE_PROFILES names (default: dev and prod; CI: dev).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from tap.errors import UsageError
from tap.live.emulator import moto_server, rehearsal_config
from tap.live.rehearsal import EMULATOR_CREDENTIALS
from tap.live.terraform.rehearsal import EngineRehearsal, engine_rehearsal
from tap.synth.cache import cached_plan
from tests.rehearsal.drifts import CATALOGUE
from tests.rehearsal.live import live_run

pytestmark = pytest.mark.engine

PROFILES = os.environ.get("TAP_ENGINE_PROFILES", "dev prod").split()
DRIFT = next(drift for drift in CATALOGUE if drift.name == "bucket encryption removed")


@dataclass
class Applied:
    profile: str
    url: str
    rehearsal: EngineRehearsal
    outputs_file: Path

    def aws(self, service: str):
        session = boto3.Session(region_name=self.rehearsal.plan.region, **EMULATOR_CREDENTIALS)
        return session.client(service, endpoint_url=self.url)

    def outputs(self) -> dict:
        return json.loads(self.outputs_file.read_text())[self.rehearsal.plan.stack_name]


@pytest.fixture(scope="module", params=PROFILES)
def applied(request, tmp_path_factory):
    profile = request.param
    folder = tmp_path_factory.mktemp(f"engine-{profile}")
    with moto_server() as url, engine_rehearsal(cached_plan(rehearsal_config(profile)), url) as rehearsal:
        rehearsal.apply()
        outputs_file = folder / "outputs.json"
        outputs_file.write_text(json.dumps(rehearsal.outputs()))
        yield Applied(profile, url, rehearsal, outputs_file)


def test_engine_apply_leaves_nothing_for_a_second_plan_to_change(applied):
    assert applied.rehearsal.changes() == []


def test_live_suite_passes_whole_from_the_engines_outputs(applied, tmp_path):
    """Every resource of the plan is applied (the emulator's fixes provide what moto lacks): every check passes."""
    run = live_run(applied.url, applied.outputs_file, tmp_path / "junit.xml")
    assert (run.returncode, run.failures) == (0, []) and run.tests > 0, run.output


def test_a_drift_after_the_engines_rehearsal_is_caught(applied, tmp_path):
    """Last but one: the drift stays in the account (destroy comes after and does not read it)."""
    DRIFT.apply(applied.aws, applied.outputs())
    run = live_run(applied.url, applied.outputs_file, tmp_path / "junit.xml")
    assert run.returncode == 1 and any(DRIFT.names in failure for failure in run.failures), run.output
    # And Terraform's own second plan would undo it: the idempotence check can fail, naming the resource.
    changes = applied.rehearsal.changes()
    assert any(change.startswith("aws_s3_bucket_server_side_encryption_configuration.") for change in changes)


def _left_in_the_account(applied: Applied) -> dict[str, list[str]]:
    """What the stack leaves behind, by kind (the account's defaults, such as its default VPC, are not the stack's)."""
    ec2, rds, s3, logs, elbv2, kms = (applied.aws(name) for name in ("ec2", "rds", "s3", "logs", "elbv2", "kms"))
    keys = [key["KeyId"] for key in kms.list_keys()["Keys"]]
    return {
        "vpcs": [vpc["VpcId"] for vpc in ec2.describe_vpcs()["Vpcs"] if not vpc["IsDefault"]],
        "databases": [db["DBInstanceIdentifier"] for db in rds.describe_db_instances()["DBInstances"]],
        "buckets": [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]],
        "log groups": [group["logGroupName"] for group in logs.describe_log_groups()["logGroups"]],
        "load balancers": [lb["LoadBalancerName"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]],
        "keys not pending deletion": [
            key for key in keys if kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] != "PendingDeletion"
        ],
    }


def test_destroy_empties_dev_and_is_refused_by_prods_protections(applied):
    """dev: every resource goes. prod: its protections refuse it, named (the keys' prevent_destroy stops the
    plan before anything goes; behind it, the database's deletion protection and the log groups' skip_destroy),
    and the database and every log group stay in the account."""
    if applied.profile == "dev":
        applied.rehearsal.destroy()
        assert applied.rehearsal.terraform.run("state", "list").stdout.split() == []
        assert {kind: found for kind, found in _left_in_the_account(applied).items() if found} == {}
        return
    before = _left_in_the_account(applied)
    protections = r"terraform destroy failed .*(lifecycle\.prevent_destroy|[Dd]eletion protection)"
    with pytest.raises(UsageError, match=protections) as refused:
        applied.rehearsal.destroy()
    after = _left_in_the_account(applied)
    kept = {kind: after[kind] for kind in ("databases", "log groups")}
    assert kept == {kind: before[kind] for kind in kept} and all(kept.values()), refused.value
