"""RDS mutants: the instance's attributes, its parameter group, subnet group and managed secret."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Case, Scope

# Another class the provider accepts, per class the stack uses (dev's, prod's).
OTHER_CLASS = {"db.t4g.medium": "db.r6g.large", "db.r6g.large": "db.t4g.medium"}
INSTANCE = "aws_db_instance"
PARAMETER_GROUP = "aws_db_parameter_group"
SUBNET_GROUP = "aws_db_subnet_group"
ANOTHER_KEY = "00000000-0000-0000-0000-000000000000"
# Switches of the instance: (its field, ModifyDBInstance's name for it, Terraform attribute, matrix row).
FLIPS = (
    ("PubliclyAccessible", "PubliclyAccessible", "publicly_accessible", "public exposure"),
    ("DeletionProtection", "DeletionProtection", "deletion_protection", "deletion safety"),
    ("MultiAZ", "MultiAZ", "multi_az", "availability"),
    # Security patches stop arriving: the engine stays on the minor version it has.
    ("AutoMinorVersionUpgrade", "AutoMinorVersionUpgrade", "auto_minor_version_upgrade", "other"),
    ("CopyTagsToSnapshot", "CopyTagsToSnapshot", "copy_tags_to_snapshot", "other"),
    ("PerformanceInsightsEnabled", "EnablePerformanceInsights", "performance_insights_enabled", "other"),
    (
        "IAMDatabaseAuthenticationEnabled",
        "EnableIAMDatabaseAuthentication",
        "iam_database_authentication_enabled",
        "credentials",
    ),
)
# Settings changed to another value: (field, operator, the other value from the instance, Terraform attribute, row).
CHANGES = (
    ("AllocatedStorage", "larger", lambda db: db["AllocatedStorage"] * 2, "allocated_storage", "availability"),
    (
        "MaxAllocatedStorage",
        "larger",
        lambda db: db["MaxAllocatedStorage"] * 2,
        "max_allocated_storage",
        "availability",
    ),
    ("StorageType", "swap", lambda db: "gp2" if db["StorageType"] != "gp2" else "gp3", "storage_type", "availability"),
    ("PreferredBackupWindow", "swap", lambda db: "03:00-04:00", "backup_window", "deletion safety"),
    ("PreferredMaintenanceWindow", "swap", lambda db: "mon:05:00-mon:06:00", "maintenance_window", "availability"),
    (
        "CACertificateIdentifier",
        "swap",
        lambda db: "rds-ca-ecc384-g1" if db["CACertificateIdentifier"] != "rds-ca-ecc384-g1" else "rds-ca-rsa4096-g1",
        "ca_cert_identifier",
        "TLS",
    ),
    ("MonitoringInterval", "zero", lambda db: 0, "monitoring_interval", "logging and retention"),
    (
        "PerformanceInsightsRetentionPeriod",
        "larger",
        lambda db: 731,
        "performance_insights_retention_period",
        "logging and retention",
    ),
    (
        "MonitoringRoleArn",
        "swap",
        lambda db: f"arn:aws:iam::{db['DBInstanceArn'].split(':')[4]}:role/mutant-monitoring",
        "monitoring_role_arn",
        "credentials",
    ),
)


def instances(scope: Scope) -> Iterator[Case]:
    found = scope.aws("rds").describe_db_instances()["DBInstances"]
    for db in sorted(found, key=lambda db: db["DBInstanceIdentifier"]):
        yield from _instance(scope, db)


def _instance(scope: Scope, db: dict[str, Any]) -> Iterator[Case]:
    name, label = db["DBInstanceIdentifier"], scope.label(db["DBInstanceIdentifier"])
    for field, argument, attribute, category in FLIPS:
        value = not db[field]
        yield scope.case(
            label,
            "flip",
            field,
            f"{db[field]} -> {value}",
            category,
            _modify(name, **{argument: value}),
            observes=(INSTANCE, attribute),
        )
    for field, operator, other, attribute, category in CHANGES:
        value = other(db)
        if value == db.get(field):
            continue
        yield scope.case(
            label,
            operator,
            field,
            scope.label(f"{db[field]} -> {value}"),  # a role's ARN carries the deployment suffix
            category,
            _modify(name, **{field: value}),
            observes=(INSTANCE, attribute),
        )
    # Performance Insights keeps query text, which may hold card data: under a key nobody in the plan controls.
    region = db["DBInstanceArn"].split(":")[3]
    yield scope.case(
        label,
        "swap",
        "PerformanceInsightsKMSKeyId",
        "-> another account's key",
        "encryption",
        _modify(name, PerformanceInsightsKMSKeyId=f"arn:aws:kms:{region}:111122223333:key/{ANOTHER_KEY}"),
        observes=(INSTANCE, "performance_insights_kms_key_id"),
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
                observes=(INSTANCE, "backup_retention_period"),
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
            observes=(INSTANCE, "instance_class"),
        )
    major = db["EngineVersion"].split(".")[0]
    newer = str(int(major) + 1)
    yield scope.case(
        label,
        "larger",
        "EngineVersion",
        f"{major} -> {newer}",
        "other",
        _modify(name, EngineVersion=newer, AllowMajorVersionUpgrade=True),
        observes=(INSTANCE, "engine_version"),
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
            observes=(INSTANCE, "enabled_cloudwatch_logs_exports"),
        )
    yield from _credentials(scope, db, label)
    default_group = scope.default_group()
    yield scope.case(
        label,
        "swap",
        "VpcSecurityGroupIds",
        "-> the VPC's default group",
        "network reachability",
        _modify(name, VpcSecurityGroupIds=[default_group]),
        observes=(INSTANCE, "vpc_security_group_ids"),
    )
    yield scope.case(
        label,
        "drop",
        "tags",
        "Name",
        "naming",
        _call("remove_tags_from_resource", ResourceName=db["DBInstanceArn"], TagKeys=["Name"]),
        observes=(INSTANCE, "tags"),
    )
    yield scope.case(
        label,
        "swap",
        "DBParameterGroupName",
        "-> a new group without the stack's parameters; the stack's deleted",
        "TLS",
        _regrouped_parameters(db),
        observes=((INSTANCE, "parameter_group_name"), (PARAMETER_GROUP, "")),
    )
    yield scope.case(
        label,
        "swap",
        "DBSubnetGroupName",
        "-> a new group in the public subnets; the stack's deleted",
        "public exposure",
        _regrouped_subnets(db, scope.outputs["public_subnet_ids"]),
        observes=((INSTANCE, "db_subnet_group_name"), (SUBNET_GROUP, "")),
    )
    yield scope.case(label, "delete", "", "", "deletion safety", _delete_instance(name), observes=(INSTANCE, ""))


def _credentials(scope: Scope, db: dict[str, Any], label: str) -> Iterator[Case]:
    """The master password taken out of Secrets Manager's hands, or its secret encrypted with AWS's key."""
    name = db["DBInstanceIdentifier"]
    if "MasterUserSecret" not in db:
        return
    yield scope.case(
        label,
        "flip",
        "ManageMasterUserPassword",
        "true -> false",
        "credentials",
        _modify(name, ManageMasterUserPassword=False, MasterUserPassword=MUTANT_PASSWORD),
        observes=(INSTANCE, "manage_master_user_password"),
    )
    yield scope.case(
        label,
        "swap",
        "MasterUserSecretKmsKeyId",
        "-> aws/secretsmanager",
        "key management",
        _secret_rekeyed(name, "alias/aws/secretsmanager"),
        observes=(INSTANCE, "master_user_secret_kms_key_id"),
    )


# What a password set by hand could be: a test value for the emulator, never a real one.
MUTANT_PASSWORD = "mutant-password-not-a-secret"


def _secret_rekeyed(name: str, key: str):
    """The managed secret handed back and made again under another key (the emulator re-keys no secret in place;
    AWS does either)."""

    def apply(aws) -> None:
        rds = aws("rds")
        rds.modify_db_instance(
            DBInstanceIdentifier=name,
            ApplyImmediately=True,
            ManageMasterUserPassword=False,
            MasterUserPassword=MUTANT_PASSWORD,
        )
        rds.modify_db_instance(
            DBInstanceIdentifier=name,
            ApplyImmediately=True,
            ManageMasterUserPassword=True,
            MasterUserSecretKmsKeyId=key,
        )

    return apply


def _call(method: str, **arguments: Any):
    def apply(aws) -> None:
        getattr(aws("rds"), method)(**arguments)

    return apply


def _regrouped_parameters(db: dict[str, Any]):
    """The instance moved to a new parameter group of the same family (RDS's defaults: no forced TLS, no audit
    logging), and the stack's group deleted, as RDS lets once no instance uses it."""
    old = db["DBParameterGroups"][0]["DBParameterGroupName"]

    def apply(aws) -> None:
        rds = aws("rds")
        family = rds.describe_db_parameter_groups(DBParameterGroupName=old)["DBParameterGroups"][0]
        new = f"mutant-{old}"[:255]
        rds.create_db_parameter_group(
            DBParameterGroupName=new,
            DBParameterGroupFamily=family["DBParameterGroupFamily"],
            Description="not the stack's",
        )
        rds.modify_db_instance(DBInstanceIdentifier=db["DBInstanceIdentifier"], DBParameterGroupName=new)
        rds.delete_db_parameter_group(DBParameterGroupName=old)

    return apply


def _regrouped_subnets(db: dict[str, Any], subnets: list[str]):
    """The instance moved to a new subnet group of the public subnets, and the stack's group deleted."""
    old = db["DBSubnetGroup"]["DBSubnetGroupName"]

    def apply(aws) -> None:
        rds = aws("rds")
        new = f"mutant-{old}"[:255]
        rds.create_db_subnet_group(DBSubnetGroupName=new, DBSubnetGroupDescription="not the stack's", SubnetIds=subnets)
        rds.modify_db_instance(DBInstanceIdentifier=db["DBInstanceIdentifier"], DBSubnetGroupName=new)
        rds.delete_db_subnet_group(DBSubnetGroupName=old)

    return apply


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
                observes=(PARAMETER_GROUP, "parameter"),
            )


def _parameter(group: str, parameter: dict[str, Any], value: str):
    def apply(aws) -> None:
        changed = {"ParameterName": parameter["ParameterName"], "ParameterValue": value, "ApplyMethod": "immediate"}
        aws("rds").modify_db_parameter_group(DBParameterGroupName=group, Parameters=[changed])

    return apply


def subnet_groups(scope: Scope) -> Iterator[Case]:
    found = scope.aws("rds").describe_db_subnet_groups()["DBSubnetGroups"]
    for group in sorted(found, key=lambda g: g["DBSubnetGroupName"]):
        label = scope.label(group["DBSubnetGroupName"])
        yield scope.case(
            label,
            "swap",
            "subnet_ids",
            "-> the public subnets",
            "public exposure",
            _subnets(group, scope.outputs["public_subnet_ids"]),
            observes=(SUBNET_GROUP, "subnet_ids"),
        )
        yield scope.case(
            label,
            "drop",
            "tags",
            "Name",
            "naming",
            _call("remove_tags_from_resource", ResourceName=group["DBSubnetGroupArn"], TagKeys=["Name"]),
            observes=(SUBNET_GROUP, "tags"),
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


GENERATORS = (instances, parameter_groups, subnet_groups, secrets)
