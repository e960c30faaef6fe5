"""`tap preflight` against a moto account: clean passes, leftovers are named, bad input is one sentence."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from stack.contract import DEPLOYMENT_SUFFIX
from stack.naming import format_name
from tap.cli import main
from tap.live.emulator import REHEARSAL_ALARM_EMAILS, rehearsal_config
from tap.live.guard import ReadOnlyViolation, open_account
from tap.live.rehearsal import EMULATOR_CREDENTIALS
from tap.plan import Plan
from tap.preflight.catalogue import answer_catalogue
from tap.preflight.checks import could_not_run, name_collisions, run_checks
from tap.preflight.deployment import BLOCKER, INFO, PASS, WARN, Deployment
from tap.preflight.report import exit_code
from tap.synth.cache import cached_plan
from tests.preflight.conftest import SUFFIX, state_with_suffix


def statuses(results) -> dict[str, str]:
    return {result.check: result.status for result in results}


def test_clean_account_passes(account, plan, tmp_path):
    results = run_checks(account, Deployment.load(plan, state_with_suffix(tmp_path / "state.json")))
    assert [r for r in results if r.status == BLOCKER] == []
    assert exit_code(results) == 0
    found = statuses(results)
    assert found["identity"] == found["engine version"] == found["name collisions"] == PASS
    assert found["database instance class"] == found["availability zones"] == found["instance types"] == PASS
    engine = next(r for r in results if r.check == "engine version")
    assert "AWS would create 15.14" in engine.why


def test_names_with_an_undrawn_suffix_are_reported_as_unable_to_collide(account, plan, tmp_path):
    results = run_checks(account, Deployment.load(plan, tmp_path / "no-state.json"))
    (note,) = [r for r in results if r.check == "names with the deployment suffix"]
    assert note.status == INFO and "cannot collide" in note.why
    assert exit_code(results) == 0


@pytest.mark.parametrize(("deployed", "expected"), [("prod", BLOCKER), ("dev", PASS)])
def test_deploying_another_profile_over_a_deployment_is_a_blocker(deployed, expected, account, plan, tmp_path):
    # `tap synth --env prod` once took the dev profile silently; the state shows what really runs.
    state = state_with_suffix(tmp_path / "state.json", SUFFIX, ("aws_vpc", "vpc"), profile=deployed)
    (result,) = [r for r in run_checks(account, Deployment.load(plan, state)) if r.check == "profile"]
    assert result.status == expected
    assert (f"the state shows profile {deployed} deployed, and this plan is dev" in result.why) == (expected == BLOCKER)


def leftovers(writer, plan) -> dict[str, str]:
    """Create one leftover per kind with the names the deploy will use; return kind -> name."""
    name = {r.type: r for r in plan.resources()}

    def planned(type_, key="name"):
        return name[type_][key].replace(DEPLOYMENT_SUFFIX, SUFFIX)

    region = plan.document["provider"]["aws"][0]["region"]
    ec2, rds = writer("ec2"), writer("rds")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"{region}{z}")["Subnet"]["SubnetId"]
        for i, z in enumerate("ab")
    ]
    made = {
        "S3 bucket": planned("aws_s3_bucket", "bucket"),
        "KMS alias": planned("aws_kms_alias"),
        "DB subnet group": planned("aws_db_subnet_group"),
        "DB parameter group": planned("aws_db_parameter_group"),
        "log group": planned("aws_cloudwatch_log_group"),
        "target group": planned("aws_lb_target_group"),
        "load balancer": planned("aws_lb"),
        "IAM role": planned("aws_iam_role"),
        "DB instance": planned("aws_db_instance", "identifier"),
    }
    writer("s3").create_bucket(Bucket=made["S3 bucket"], CreateBucketConfiguration={"LocationConstraint": region})
    key = writer("kms").create_key()["KeyMetadata"]["KeyId"]
    writer("kms").create_alias(AliasName=made["KMS alias"], TargetKeyId=key)
    rds.create_db_subnet_group(
        DBSubnetGroupName=made["DB subnet group"], DBSubnetGroupDescription="old", SubnetIds=subnets
    )
    rds.create_db_parameter_group(
        DBParameterGroupName=made["DB parameter group"], DBParameterGroupFamily="postgres15", Description="old"
    )
    writer("logs").create_log_group(logGroupName=made["log group"])
    writer("elbv2").create_target_group(Name=made["target group"], Protocol="HTTP", Port=80, VpcId=vpc)
    writer("elbv2").create_load_balancer(Name=made["load balancer"], Subnets=subnets)
    writer("iam").create_role(RoleName=made["IAM role"], AssumeRolePolicyDocument="{}")
    rds.create_db_instance(
        DBInstanceIdentifier=made["DB instance"],
        Engine="postgres",
        DBInstanceClass="db.t4g.medium",
        AllocatedStorage=20,
        MasterUsername="old",
        MasterUserPassword="not-a-real-one-1",
    )
    return made


@pytest.mark.parametrize(("profile", "collides"), [("prod", True), ("dev", False)])
def test_a_final_snapshot_left_behind_collides_only_where_the_plan_leaves_one(
    profile, collides, account, writer, tmp_path
):
    # Dev skips the final snapshot: a snapshot of its name in the account is nothing its destroy would meet.
    plan = Plan.load(cached_plan(rehearsal_config(profile)))
    (database,) = plan.resources("aws_db_instance")
    identifier = database["identifier"].replace(DEPLOYMENT_SUFFIX, SUFFIX)
    snapshot = format_name("db_snapshot", "db-final", plan.environment, SUFFIX)
    rds = writer("rds")
    rds.create_db_instance(
        DBInstanceIdentifier=identifier,
        Engine="postgres",
        DBInstanceClass="db.t4g.medium",
        AllocatedStorage=20,
        MasterUsername="old",
        MasterUserPassword="not-a-real-one-1",
    )
    rds.create_db_snapshot(DBSnapshotIdentifier=snapshot, DBInstanceIdentifier=identifier)
    results = name_collisions(account, Deployment.load(plan, state_with_suffix(tmp_path / "state.json")))
    named = [r.why for r in results if r.check == "name: final DB snapshot"]
    assert named == ([f"{snapshot} exists in this account"] if collides else [])


def test_leftovers_are_blockers_named_one_by_one(account, writer, plan, tmp_path):
    made = leftovers(writer, plan)
    results = run_checks(account, Deployment.load(plan, state_with_suffix(tmp_path / "state.json")))
    blockers = {r.check: r.why for r in results if r.status == BLOCKER}
    for kind, name in made.items():
        assert name in blockers.get(f"name: {kind}", ""), f"{kind} {name} not named: {blockers}"
    assert exit_code(results) == 1


def test_resources_the_state_manages_are_not_collisions(account, writer, plan, tmp_path):
    made = leftovers(writer, plan)
    managed = [(r.type, r.name) for r in plan.resources() if r.type != "random_id"]
    results = run_checks(account, Deployment.load(plan, state_with_suffix(tmp_path / "s.json", SUFFIX, *managed)))
    assert not [r for r in results if r.check.startswith("name:")], made


def test_placeholder_certificate_is_a_blocker(account, plans):
    results = run_checks(account, Deployment(plans["dev"], None, frozenset()))
    (certificate,) = [r for r in results if r.check == "listener certificate"]
    assert certificate.status == BLOCKER and "ALB_CERTIFICATE_ARN" in certificate.action


def test_placeholder_alarm_recipients_are_a_blocker(account, plans):
    results = run_checks(account, Deployment(plans["dev"], None, frozenset()))
    (recipients,) = [r for r in results if r.check == "alarm recipients"]
    assert recipients.status == BLOCKER and "ALARM_EMAILS" in recipients.action


def test_default_key_administrator_role_is_a_blocker_and_the_deployments_own_passes(account, plans, plan):
    # The default role is a placeholder: KMS refuses a key policy its creator cannot change.
    results = run_checks(account, Deployment(plans["dev"], None, frozenset()))
    (administrator,) = [r for r in results if r.check == "key administrator"]
    assert administrator.status == BLOCKER and "KEY_ADMINISTRATOR_ROLE" in administrator.action
    assert "payment-key-administrator" in administrator.why
    results = run_checks(account, Deployment(plan, None, frozenset()))
    (administrator,) = [r for r in results if r.check == "key administrator"]
    assert administrator.status == PASS


def test_named_alarm_recipients_pass(account, plan):
    results = run_checks(account, Deployment(plan, None, frozenset()))
    (recipients,) = [r for r in results if r.check == "alarm recipients"]
    assert recipients.status == PASS and all(address in recipients.why for address in REHEARSAL_ALARM_EMAILS)


def test_preflight_cannot_write_to_the_account(account):
    with pytest.raises(ReadOnlyViolation):
        account("s3").create_bucket(Bucket="should-never-exist")
    with pytest.raises(ReadOnlyViolation):
        account("rds").delete_db_instance(DBInstanceIdentifier="anything")


def test_cli_prints_a_table_and_json_and_exits_on_blockers(
    emulator, account, writer, plan, tmp_path, capsys, monkeypatch
):
    import tap.live.guard

    opened = tap.live.guard.open_account

    def with_catalogue(*args, **kwargs):
        account = opened(*args, **kwargs)
        answer_catalogue(account.session)
        return account

    monkeypatch.setattr(tap.live.guard, "open_account", with_catalogue)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator)
    for key, value in {"AWS_ACCESS_KEY_ID": "rehearsal", "AWS_SECRET_ACCESS_KEY": "rehearsal"}.items():
        monkeypatch.setenv(key, value)
    made = leftovers(writer, plan)
    state = state_with_suffix(tmp_path / "state.json")
    assert main(["preflight", "--plan", plan.source, "--state", str(state), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["blockers"] >= len(made)
    assert {"check", "status", "why", "action"} <= set(report["results"][0])
    assert main(["preflight", "--plan", plan.source, "--state", str(state)]) == 1
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["CHECK", "RESULT", "WHY", "WHAT", "TO", "DO"]


def test_missing_credentials_exit_2_with_one_sentence(plan, tmp_path, capsys, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["preflight", "--plan", plan.source]) == 2
    error = capsys.readouterr().err
    assert "no usable AWS credentials" in error and error.count("\n") == 1


def test_api_the_emulator_lacks_is_a_warning_not_a_pass(emulator, plan, tmp_path):
    account = open_account(plan.document["provider"]["aws"][0]["region"], emulator, **EMULATOR_CREDENTIALS)
    results = run_checks(account, Deployment.load(plan, state_with_suffix(tmp_path / "state.json")))
    (engine,) = [r for r in results if r.check == "engine version"]
    assert engine.status == WARN and "emulator does not implement" in engine.why


def test_check_that_cannot_run_against_aws_is_a_blocker():
    error = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeDBEngineVersions")
    result = could_not_run("engine version", error, emulated=False)
    assert result.status == BLOCKER and "AccessDenied" in result.why
