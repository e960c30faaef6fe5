"""RDS PostgreSQL: engine, encryption, privacy, resilience, logs, TLS and its managed secret."""

from __future__ import annotations

import pytest

from stack.contract import Output
from tests.integration.conftest import same


@pytest.fixture(scope="module")
def planned(target):
    (instance,) = target.planned("aws_db_instance")
    return instance


@pytest.fixture(scope="module")
def database(target) -> dict:
    (instance,) = target.client("rds").describe_db_instances(DBInstanceIdentifier=target.outputs[Output.DB_IDENTIFIER])[
        "DBInstances"
    ]
    return instance


def test_engine_and_major_version_match_plan(target, database, planned):
    same(database["Engine"], planned["engine"], "the database engine")
    major = planned["engine_version"]
    version = database["EngineVersion"]
    assert version == major or version.startswith(f"{major}."), (
        f"drift: the database runs {planned['engine']} {version}, the plan pins major version {major}"
    )
    same(database["DBInstanceClass"], planned["instance_class"], "the database instance class")
    same(database["Endpoint"]["Address"], target.outputs[Output.DB_ENDPOINT], "the database endpoint")


@pytest.mark.controls("CKV_PAY_1", "CKV_AWS_16")
def test_storage_is_encrypted_with_the_data_key(target, database):
    same(
        (database["StorageEncrypted"], database.get("KmsKeyId")),
        (True, target.outputs[Output.DATA_KEY_ARN]),
        "the database's storage encryption and key",
    )


@pytest.mark.controls("CKV_PAY_7", "CKV_AWS_17")
def test_database_is_not_publicly_accessible(target, database, planned):
    same(database["PubliclyAccessible"], planned["publicly_accessible"], "whether the database is publicly accessible")
    subnets = sorted(s["SubnetIdentifier"] for s in database["DBSubnetGroup"]["Subnets"])
    same(subnets, sorted(target.outputs[Output.DB_SUBNET_IDS]), "the database's subnets")
    same(
        [g["VpcSecurityGroupId"] for g in database["VpcSecurityGroups"]],
        [target.outputs[Output.DB_SECURITY_GROUP_ID]],
        "the database's security groups",
    )


def test_resilience_follows_the_profile(database, planned):
    actual = (database["MultiAZ"], database["DeletionProtection"], database["BackupRetentionPeriod"])
    expected = (planned["multi_az"], planned["deletion_protection"], planned["backup_retention_period"])
    same(actual, expected, "the database's Multi-AZ, deletion protection and backup retention")


@pytest.mark.controls("CKV_PAY_15", "CKV_AWS_129")
def test_engine_logs_are_exported(database, planned):
    same(
        sorted(database.get("EnabledCloudwatchLogsExports", [])),
        sorted(planned["enabled_cloudwatch_logs_exports"]),
        "the database's log exports",
    )


def _parameters(target, database, names) -> tuple[dict, dict]:
    """The attached parameter group's settings of `names` (a predicate), in the account and in the plan."""
    (group,) = target.planned("aws_db_parameter_group")
    name = target.name(group)
    same([g["DBParameterGroupName"] for g in database["DBParameterGroups"]], [name], "the database's parameter group")
    parameters = target.client("rds").describe_db_parameters(DBParameterGroupName=name, Source="user")["Parameters"]
    actual = {p["ParameterName"]: p.get("ParameterValue") for p in parameters}
    planned = {p["name"]: p["value"] for p in group["parameter"] if names(p["name"])}
    return {key: actual.get(key) for key in planned}, planned


@pytest.mark.controls("CKV_PAY_13", "CKV2_PAY_5", "CKV2_PAY_15")
def test_parameter_group_refuses_unencrypted_connections(target, database):
    actual, planned = _parameters(target, database, lambda name: not _is_audit(name))
    same(actual, planned, "the parameter group's settings (rds.force_ssl)")


@pytest.mark.controls("CKV_PAY_32")
def test_parameter_group_audits_with_pgaudit(target, database):
    actual, planned = _parameters(target, database, _is_audit)
    same(actual, planned, "the parameter group's pgaudit settings")


def _is_audit(name: str) -> bool:
    return name.startswith("pgaudit.") or name == "shared_preload_libraries"


@pytest.mark.controls("CKV_PAY_17", "CKV_PAY_4")
def test_master_secret_is_managed_and_kms_encrypted_without_reading_it(target, database):
    secret = database.get("MasterUserSecret", {})
    same(secret.get("SecretArn"), target.outputs[Output.DB_SECRET_ARN], "the database's managed master secret")
    described = target.client("secretsmanager").describe_secret(SecretId=secret["SecretArn"])
    key = described.get("KmsKeyId", "")
    assert key and key.split("/")[-1] == target.outputs[Output.DATA_KEY_ARN].split("/")[-1], (
        f"drift: the master secret is encrypted with {key!r}, the plan says the data key"
    )


@pytest.mark.controls("CKV_PAY_64")
def test_database_presents_the_planned_certificate_authority(database, planned):
    # Clients verify the server against this CA's bundle; an expired one (rds-ca-2019) fails them.
    same(database.get("CACertificateIdentifier"), planned["ca_cert_identifier"], "the database's certificate authority")
