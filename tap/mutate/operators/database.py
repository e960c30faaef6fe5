"""RDS mutants: the instance's attributes, its parameter group, subnet group and managed secret; KMS keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Case, Scope

# Another class the provider accepts, per class the stack uses (dev's, prod's).
OTHER_CLASS = {"db.t4g.medium": "db.r6g.large", "db.r6g.large": "db.t4g.medium"}


def instances(scope: Scope) -> Iterator[Case]:
    found = scope.aws("rds").describe_db_instances()["DBInstances"]
    for db in sorted(found, key=lambda db: db["DBInstanceIdentifier"]):
        yield from _instance(scope, db)


def _instance(scope: Scope, db: dict[str, Any]) -> Iterator[Case]:
    name, label = db["DBInstanceIdentifier"], scope.label(db["DBInstanceIdentifier"])
    for attribute, value, category in (
        ("PubliclyAccessible", not db["PubliclyAccessible"], "public exposure"),
        ("DeletionProtection", not db["DeletionProtection"], "deletion safety"),
        ("MultiAZ", not db["MultiAZ"], "availability"),
    ):
        yield scope.case(
            label, "flip", attribute, f"{db[attribute]} -> {value}", category, _modify(name, **{attribute: value})
        )
    retention = db["BackupRetentionPeriod"]
    for operator, days in (("zero", 0), ("smaller", 1), ("larger", 35)):
        if days != retention:
            yield scope.case(
                label,
                operator,
                "BackupRetentionPeriod",
                f"{retention} -> {days}",
                "deletion safety",
                _modify(name, BackupRetentionPeriod=days),
            )
    if db["DBInstanceClass"] in OTHER_CLASS:
        other = OTHER_CLASS[db["DBInstanceClass"]]
        yield scope.case(
            label,
            "swap",
            "DBInstanceClass",
            f"{db['DBInstanceClass']} -> {other}",
            "availability",
            _modify(name, DBInstanceClass=other),
        )
    for log in sorted(db.get("EnabledCloudwatchLogsExports", [])):
        exports = {"DisableLogTypes": [log]}
        yield scope.case(
            label,
            "drop",
            "EnabledCloudwatchLogsExports",
            log,
            "logging and retention",
            _modify(name, CloudwatchLogsExportConfiguration=exports),
        )
    default_group = scope.default_group()
    yield scope.case(
        label,
        "swap",
        "VpcSecurityGroupIds",
        "-> the VPC's default group",
        "network reachability",
        _modify(name, VpcSecurityGroupIds=[default_group]),
    )
    yield scope.case(label, "delete", "", "", "deletion safety", _delete_instance(name))


def _modify(name: str, **changes: Any):
    def apply(aws) -> None:
        aws("rds").modify_db_instance(DBInstanceIdentifier=name, ApplyImmediately=True, **changes)

    return apply


def _delete_instance(name: str):
    def apply(aws) -> None:
        rds = aws("rds")
        # As whoever deletes it would: deletion protection off first.
        rds.modify_db_instance(DBInstanceIdentifier=name, DeletionProtection=False, ApplyImmediately=True)
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)

    return apply


def parameter_groups(scope: Scope) -> Iterator[Case]:
    rds = scope.aws("rds")
    names = sorted(g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"])
    for group in names:
        parameters = rds.describe_db_parameters(DBParameterGroupName=group, Source="user")["Parameters"]
        for parameter in sorted(parameters, key=lambda p: p["ParameterName"]):
            value = parameter.get("ParameterValue")
            other = "0" if value == "1" else "1"
            category = "TLS" if "ssl" in parameter["ParameterName"] else "logging and retention"
            yield scope.case(
                scope.label(group),
                "flip",
                parameter["ParameterName"],
                f"{value} -> {other}",
                category,
                _parameter(group, parameter, other),
            )


def _parameter(group: str, parameter: dict[str, Any], value: str):
    def apply(aws) -> None:
        changed = {"ParameterName": parameter["ParameterName"], "ParameterValue": value, "ApplyMethod": "immediate"}
        aws("rds").modify_db_parameter_group(DBParameterGroupName=group, Parameters=[changed])

    return apply


def subnet_groups(scope: Scope) -> Iterator[Case]:
    found = scope.aws("rds").describe_db_subnet_groups()["DBSubnetGroups"]
    for group in sorted(found, key=lambda g: g["DBSubnetGroupName"]):
        yield scope.case(
            scope.label(group["DBSubnetGroupName"]),
            "swap",
            "subnet_ids",
            "-> the public subnets",
            "public exposure",
            _subnets(group, scope.outputs["public_subnet_ids"]),
        )


def _subnets(group: dict[str, Any], subnets: list[str]):
    def apply(aws) -> None:
        aws("rds").modify_db_subnet_group(
            DBSubnetGroupName=group["DBSubnetGroupName"],
            DBSubnetGroupDescription=group["DBSubnetGroupDescription"],
            SubnetIds=subnets,
        )

    return apply


def secrets(scope: Scope) -> Iterator[Case]:
    found = scope.aws("secretsmanager").list_secrets()["SecretList"]
    for secret in sorted(found, key=lambda s: s["Name"]):
        # rds!db-<random uuid>: labelled by what it is, the database's managed master secret.
        label = "db-master-secret" if secret["Name"].startswith("rds!") else scope.label(secret["Name"])
        arn = secret["ARN"]
        yield scope.case(label, "swap", "kms_key_id", "-> aws/secretsmanager", "key management", _secret_key(arn))
        yield scope.case(label, "delete", "", "", "credentials", _secret_deleted(arn))


def _secret_key(arn: str):
    def apply(aws) -> None:
        aws("secretsmanager").update_secret(SecretId=arn, KmsKeyId="alias/aws/secretsmanager")

    return apply


def _secret_deleted(arn: str):
    def apply(aws) -> None:
        aws("secretsmanager").delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)

    return apply


def keys(scope: Scope) -> Iterator[Case]:
    kms = scope.aws("kms")
    aliases = [a for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")]
    for alias in sorted(aliases, key=lambda a: a["AliasName"]):
        label, key = scope.label(alias["AliasName"].removeprefix("alias/")), alias["TargetKeyId"]
        yield scope.case(
            label, "flip", "enable_key_rotation", "true -> false", "key management", _kms("disable_key_rotation", key)
        )
        yield scope.case(label, "flip", "is_enabled", "true -> false", "key management", _kms("disable_key", key))
        yield scope.case(label, "delete", "", "scheduled for deletion", "key management", _key_deleted(key))
        yield scope.case(
            label, "swap", "policy", "-> the account default (root only)", "key management", _root_policy(key)
        )
        yield scope.case(
            label, "delete", "alias", scope.label(alias["AliasName"]), "naming", _alias_deleted(alias["AliasName"])
        )


def _kms(method: str, key: str):
    def apply(aws) -> None:
        getattr(aws("kms"), method)(KeyId=key)

    return apply


def _key_deleted(key: str):
    def apply(aws) -> None:
        aws("kms").schedule_key_deletion(KeyId=key, PendingWindowInDays=7)

    return apply


def _root_policy(key: str):
    def apply(aws) -> None:
        kms = aws("kms")
        account = kms.describe_key(KeyId=key)["KeyMetadata"]["AWSAccountId"]
        statement = {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
        kms.put_key_policy(
            KeyId=key, PolicyName="default", Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )

    return apply


def _alias_deleted(alias: str):
    def apply(aws) -> None:
        aws("kms").delete_alias(AliasName=alias)

    return apply


GENERATORS = (keys, instances, parameter_groups, subnet_groups, secrets)
