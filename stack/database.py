"""RDS PostgreSQL: private, encrypted, TLS-only, with credentials AWS manages.

The engine is pinned to its major version only, with automatic minor upgrades: AWS
retires minor versions (the field report lost a deploy to `15.4`), and a major-only
pin lets RDS pick the current default minor at create time.
"""

from __future__ import annotations

from constructs import Construct

from stack.cdk import aws
from stack.config import Config
from stack.naming import Names
from stack.roles import service_role
from stack.waivers import DELETION_PROTECTION_OFF, NON_PRODUCTION_REVIEW, waive

ENGINE = "postgres"
MASTER_USERNAME = "payment_admin"
DATABASE_NAME = "payments"
PORT = 5432
# Server-side settings: refuse plaintext connections, record who connects and what they do.
PARAMETERS = {
    "rds.force_ssl": "1",
    "log_connections": "1",
    "log_disconnections": "1",
    # pgaudit: session audit of schema changes, of role and privilege changes (administrators'
    # actions, credentials) and of every data modification. Reads are not logged globally (every
    # SELECT of the application would be); they are audited per table through pgaudit.role, whose
    # only allowed value on RDS is rds_pgaudit: the database owner grants SELECT on the cardholder
    # tables to that role (with CREATE ROLE rds_pgaudit and CREATE EXTENSION pgaudit, in the
    # application's migrations). RDS loads pg_stat_statements by default; it stays.
    "shared_preload_libraries": "pg_stat_statements,pgaudit",
    "pgaudit.log": "ddl,role,write",
    "pgaudit.role": "rds_pgaudit",
    # Statement parameters can carry a PAN: never into the logs.
    "pgaudit.log_parameter": "0",
}
# The CA whose certificate the server presents (RSA 2048, SHA-256, valid to 2061); clients verify
# against it. rds-ca-2019 expired in August 2024. https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html
CA_CERTIFICATE = "rds-ca-rsa2048-g1"
# Static parameters RDS applies only at a reboot (a new instance starts with them).
STATIC_PARAMETERS = ("shared_preload_libraries",)
# OS-level metrics every minute (enhanced monitoring), through AWS's managed role policy.
MONITORING_INTERVAL_SECONDS = 60
MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
SINGLE_AZ_REASON = (
    "Dev runs a single-AZ instance to halve its cost; it holds only synthetic test data "
    "and is rebuilt every night, while prod runs Multi-AZ."
)


class Database(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: Config,
        names: Names,
        subnets: list[aws.subnet.Subnet],
        security_group: aws.security_group.SecurityGroup,
        key: aws.kms_key.KmsKey,
        account_id: str,
        log_groups: dict[str, aws.cloudwatch_log_group.CloudwatchLogGroup],
    ):
        super().__init__(scope, id_)
        settings = config.settings
        subnet_group = aws.db_subnet_group.DbSubnetGroup(
            self,
            "db-subnets",
            name=names["db-subnets"],
            subnet_ids=[subnet.id for subnet in subnets],
            tags={"Name": names["db-subnets"]},
        )
        parameters = aws.db_parameter_group.DbParameterGroup(
            self,
            "db-params",
            name=names["db-params"],
            family=f"{ENGINE}{config.db_engine_major}",
            parameter=[
                aws.db_parameter_group.DbParameterGroupParameter(
                    name=name, value=value, apply_method="pending-reboot" if name in STATIC_PARAMETERS else "immediate"
                )
                for name, value in PARAMETERS.items()
            ],
        )
        monitoring_role = service_role(
            self,
            "db-monitoring-role",
            name=names["db-monitoring-role"],
            service="monitoring.rds.amazonaws.com",
            account_id=account_id,
            policy_arn=MONITORING_POLICY,
            attachment_id="db-monitoring",
        )
        self.instance = aws.db_instance.DbInstance(
            self,
            "db",
            identifier=names["db"],
            engine=ENGINE,
            engine_version=config.db_engine_major,
            auto_minor_version_upgrade=True,
            allow_major_version_upgrade=False,
            instance_class=settings.db_instance_class,
            allocated_storage=settings.db_allocated_storage,
            max_allocated_storage=settings.db_max_allocated_storage,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=key.arn,
            db_name=DATABASE_NAME,
            username=MASTER_USERNAME,
            # Secrets Manager creates and rotates the password: it never exists in code or plan.
            manage_master_user_password=True,
            master_user_secret_kms_key_id=key.arn,
            iam_database_authentication_enabled=True,
            port=PORT,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[security_group.id],
            parameter_group_name=parameters.name,
            publicly_accessible=False,
            multi_az=settings.multi_az,
            deletion_protection=settings.deletion_protection,
            backup_retention_period=settings.backup_retention_days,
            backup_window="17:00-18:00",
            maintenance_window="sun:18:30-sun:19:30",
            copy_tags_to_snapshot=True,
            # Kept where the profile keeps it (prod; its key then outlives the stack). Its name carries
            # the deployment suffix, so a re-created environment never collides with its predecessor's.
            skip_final_snapshot=not config.keeps_final_snapshot,
            final_snapshot_identifier=names["db-final"] if config.keeps_final_snapshot else None,
            ca_cert_identifier=CA_CERTIFICATE,
            enabled_cloudwatch_logs_exports=list(log_groups),
            performance_insights_enabled=True,
            performance_insights_kms_key_id=key.arn,
            performance_insights_retention_period=7,
            monitoring_interval=MONITORING_INTERVAL_SECONDS,
            monitoring_role_arn=monitoring_role.arn,
            # RDS must find its log groups (KMS-encrypted, retained) before it exports.
            depends_on=list(log_groups.values()),
            tags={"Name": names["db"]},
        )
        # Accepted only where the profile trades resilience for cost (dev).
        if not settings.multi_az:
            waive(self.instance, "CKV_AWS_157", SINGLE_AZ_REASON, NON_PRODUCTION_REVIEW)
        if not settings.deletion_protection:
            waive(self.instance, "CKV_AWS_293", DELETION_PROTECTION_OFF, NON_PRODUCTION_REVIEW)
