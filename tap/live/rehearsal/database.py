"""Translators for stack/database.py: subnet group, parameter group, the instance."""

from __future__ import annotations

from tap.live.rehearsal.engine import Rehearsal, handles


@handles("aws_db_subnet_group")
def _db_subnet_group(r: Rehearsal, body: dict) -> dict:
    r.client("rds").create_db_subnet_group(
        DBSubnetGroupName=body["name"],
        DBSubnetGroupDescription=body.get("description", "Managed by Terraform"),
        SubnetIds=body["subnet_ids"],
        Tags=r.tag_list(body.get("tags")),
    )
    return {"name": body["name"], "id": body["name"]}


@handles("aws_db_parameter_group")
def _db_parameter_group(r: Rehearsal, body: dict) -> dict:
    rds = r.client("rds")
    rds.create_db_parameter_group(
        DBParameterGroupName=body["name"],
        DBParameterGroupFamily=body["family"],
        Description=body.get("description", "Managed by Terraform"),
        Tags=r.tag_list(body.get("tags")),
    )
    parameters = [
        {
            "ParameterName": item["name"],
            "ParameterValue": str(item["value"]),
            "ApplyMethod": item.get("apply_method", "immediate"),  # the provider's default
        }
        for item in body.get("parameter", [])
    ]
    if parameters:
        rds.modify_db_parameter_group(DBParameterGroupName=body["name"], Parameters=parameters)
    return {"name": body["name"], "id": body["name"]}


DB_ARGUMENTS = {
    "identifier": "DBInstanceIdentifier",
    "engine": "Engine",
    "engine_version": "EngineVersion",
    "instance_class": "DBInstanceClass",
    "allocated_storage": "AllocatedStorage",
    "max_allocated_storage": "MaxAllocatedStorage",
    "storage_type": "StorageType",
    "storage_encrypted": "StorageEncrypted",
    "kms_key_id": "KmsKeyId",
    "db_name": "DBName",
    "username": "MasterUsername",
    "manage_master_user_password": "ManageMasterUserPassword",
    "master_user_secret_kms_key_id": "MasterUserSecretKmsKeyId",
    "iam_database_authentication_enabled": "EnableIAMDatabaseAuthentication",
    "port": "Port",
    "db_subnet_group_name": "DBSubnetGroupName",
    "vpc_security_group_ids": "VpcSecurityGroupIds",
    "parameter_group_name": "DBParameterGroupName",
    "publicly_accessible": "PubliclyAccessible",
    "multi_az": "MultiAZ",
    "deletion_protection": "DeletionProtection",
    "backup_retention_period": "BackupRetentionPeriod",
    "backup_window": "PreferredBackupWindow",
    "maintenance_window": "PreferredMaintenanceWindow",
    "copy_tags_to_snapshot": "CopyTagsToSnapshot",
    "auto_minor_version_upgrade": "AutoMinorVersionUpgrade",
    "enabled_cloudwatch_logs_exports": "EnableCloudwatchLogsExports",
    "performance_insights_enabled": "EnablePerformanceInsights",
    "performance_insights_kms_key_id": "PerformanceInsightsKMSKeyId",
    "performance_insights_retention_period": "PerformanceInsightsRetentionPeriod",
    "monitoring_interval": "MonitoringInterval",
    "monitoring_role_arn": "MonitoringRoleArn",
    "ca_cert_identifier": "CACertificateIdentifier",
}


@handles("aws_db_instance")
def _db_instance(r: Rehearsal, body: dict) -> dict:
    arguments = {api: body[key] for key, api in DB_ARGUMENTS.items() if key in body}
    instance = r.client("rds").create_db_instance(**arguments, Tags=r.tag_list(body.get("tags")))["DBInstance"]
    secret = instance.get("MasterUserSecret", {})
    return {
        "identifier": instance["DBInstanceIdentifier"],
        "id": instance["DbiResourceId"] if "DbiResourceId" in instance else instance["DBInstanceIdentifier"],
        "arn": instance["DBInstanceArn"],
        "address": instance.get("Endpoint", {}).get("Address", ""),
        "master_user_secret": [{"secret_arn": secret.get("SecretArn", ""), "kms_key_id": secret.get("KmsKeyId", "")}],
    }
