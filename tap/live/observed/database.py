"""The database instance, its parameter group and subnet group, as RDS's Describe calls show them."""

from __future__ import annotations

from tap.live.observed.table import Kind, Observer, at, tag_map, unless_missing
from tap.plan import Resource

NO_PORT_CHANGE = (
    "moto 5.2 does not apply a port change (ModifyDBInstance DBPortNumber): no drift of it can be rehearsed"
)


def _described(call, code: str) -> dict | None:
    """The one item a Describe call lists, or None when RDS lists none or answers `code` (no such resource)."""
    found = unless_missing(call, code)
    return found[0] if found else None


def _instance(observer: Observer, resource: Resource) -> dict | None:
    rds = observer.client("rds")
    name = observer.value(resource, "identifier")
    found = _described(
        lambda: rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"], "DBInstanceNotFound"
    )
    if found is None:
        return None
    return {**found, "EngineVersion": _version_as_planned(observer.value(resource, "engine_version"), found)}


def _version_as_planned(planned: str, found: dict) -> str:
    """The engine version in the plan's precision: a plan may name a major version ("15"), which RDS runs as its
    latest minor ("15.7") when minor upgrades are on, as Terraform itself reads it."""
    actual = found["EngineVersion"]
    return planned if actual.startswith(f"{planned}.") and found.get("AutoMinorVersionUpgrade") else actual


def _parameter_group(observer: Observer, resource: Resource) -> dict | None:
    rds = observer.client("rds")
    name = observer.value(resource, "name")
    found = _described(
        lambda: rds.describe_db_parameter_groups(DBParameterGroupName=name)["DBParameterGroups"],
        "DBParameterGroupNotFound",
    )
    if found is None:
        return None
    pages = rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=name, Source="user")
    return {**found, "Parameters": [parameter for page in pages for parameter in page["Parameters"]]}


def _subnet_group(observer: Observer, resource: Resource) -> dict | None:
    rds = observer.client("rds")
    name = observer.value(resource, "name")
    found = _described(
        lambda: rds.describe_db_subnet_groups(DBSubnetGroupName=name)["DBSubnetGroups"], "DBSubnetGroupNotFoundFault"
    )
    if found is None:
        return None
    return {**found, "TagList": rds.list_tags_for_resource(ResourceName=found["DBSubnetGroupArn"])["TagList"]}


def _parameters(parameters: list[dict]) -> list[dict]:
    """The parameters the group sets itself (source "user"), as Terraform's set of blocks."""
    return [
        {"name": p["ParameterName"], "value": p.get("ParameterValue"), "apply_method": p.get("ApplyMethod")}
        for p in parameters
    ]


def _secret_managed(instance: dict) -> bool:
    return "MasterUserSecret" in instance


KINDS = {
    "aws_db_instance": Kind(
        describe=_instance,
        attributes={
            "identifier": at("DBInstanceIdentifier"),
            "engine": at("Engine"),
            "engine_version": at("EngineVersion"),
            "instance_class": at("DBInstanceClass"),
            "allocated_storage": at("AllocatedStorage"),
            "max_allocated_storage": at("MaxAllocatedStorage"),
            "storage_type": at("StorageType"),
            "storage_encrypted": at("StorageEncrypted"),
            "kms_key_id": at("KmsKeyId"),
            "db_name": at("DBName"),
            "username": at("MasterUsername"),
            "manage_master_user_password": _secret_managed,
            "master_user_secret_kms_key_id": at("MasterUserSecret.KmsKeyId"),
            "iam_database_authentication_enabled": at("IAMDatabaseAuthenticationEnabled"),
            "port": at("Endpoint.Port"),
            "db_subnet_group_name": at("DBSubnetGroup.DBSubnetGroupName"),
            "vpc_security_group_ids": at("VpcSecurityGroups", lambda groups: [g["VpcSecurityGroupId"] for g in groups]),
            "parameter_group_name": at(
                "DBParameterGroups", lambda groups: [g["DBParameterGroupName"] for g in groups][0]
            ),
            "publicly_accessible": at("PubliclyAccessible"),
            "multi_az": at("MultiAZ"),
            "deletion_protection": at("DeletionProtection"),
            "backup_retention_period": at("BackupRetentionPeriod"),
            "backup_window": at("PreferredBackupWindow"),
            "maintenance_window": at("PreferredMaintenanceWindow"),
            "copy_tags_to_snapshot": at("CopyTagsToSnapshot"),
            "auto_minor_version_upgrade": at("AutoMinorVersionUpgrade"),
            "enabled_cloudwatch_logs_exports": at("EnabledCloudwatchLogsExports"),
            "performance_insights_enabled": at("PerformanceInsightsEnabled"),
            "performance_insights_kms_key_id": at("PerformanceInsightsKMSKeyId"),
            "performance_insights_retention_period": at("PerformanceInsightsRetentionPeriod"),
            "monitoring_interval": at("MonitoringInterval"),
            "monitoring_role_arn": at("MonitoringRoleArn"),
            "ca_cert_identifier": at("CACertificateIdentifier"),
            "tags": at("TagList", tag_map),
        },
        unobservable={
            "allow_major_version_upgrade": "a permission given with each modify call (AllowMajorVersionUpgrade); "
            "RDS keeps and shows no such setting",
            "skip_final_snapshot": "what Terraform asks when it deletes the instance; RDS keeps no such setting",
            "final_snapshot_identifier": "the snapshot Terraform names when it deletes the instance; RDS keeps no "
            "such setting",
        },
        beyond_emulator={
            "port": NO_PORT_CHANGE,
        },
        exports={
            "identifier": at("DBInstanceIdentifier"),
            "arn": at("DBInstanceArn"),
            "address": at("Endpoint.Address"),
            "resource_id": at("DbiResourceId"),
        },
        fixed=frozenset({"identifier", "engine", "db_name", "username", "storage_encrypted", "kms_key_id"}),
    ),
    "aws_db_parameter_group": Kind(
        describe=_parameter_group,
        attributes={
            "name": at("DBParameterGroupName"),
            "family": at("DBParameterGroupFamily"),
            "parameter": at("Parameters", _parameters),
        },
        exports={
            "name": at("DBParameterGroupName"),
            "id": at("DBParameterGroupName"),
            "arn": at("DBParameterGroupArn"),
        },
        fixed=frozenset({"name", "family"}),
    ),
    "aws_db_subnet_group": Kind(
        describe=_subnet_group,
        attributes={
            "name": at("DBSubnetGroupName"),
            "subnet_ids": at("Subnets", lambda subnets: [s["SubnetIdentifier"] for s in subnets]),
            "tags": at("TagList", tag_map),
        },
        exports={"name": at("DBSubnetGroupName"), "id": at("DBSubnetGroupName"), "arn": at("DBSubnetGroupArn")},
        fixed=frozenset({"name"}),
    ),
}
