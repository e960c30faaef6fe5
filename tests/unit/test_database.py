"""RDS PostgreSQL: private, TLS-only, encrypted, managed credentials, resilience, log exports, monitoring."""

from __future__ import annotations

import json

from tap.plan import Match
from tests.unit.helpers import KMS_ARN_REFERENCE, SUFFIX_REFERENCE


def test_database_is_private_and_forces_tls(plan):
    plan.resources("aws_db_instance").assert_all(
        {"publicly_accessible": False, "iam_database_authentication_enabled": True}
    )
    plan.resources("aws_db_parameter_group").assert_all({"parameter": [{"name": "rds.force_ssl", "value": "1"}]})


def test_database_storage_and_insights_are_encrypted_with_a_customer_key(plan):
    plan.resources("aws_db_instance").assert_all(
        {
            "storage_encrypted": True,
            "kms_key_id": KMS_ARN_REFERENCE,
            "performance_insights_enabled": True,
            "performance_insights_kms_key_id": KMS_ARN_REFERENCE,
        }
    )


def test_database_credentials_are_managed_by_secrets_manager(plan):
    database = plan.resources("aws_db_instance").only()
    assert database["manage_master_user_password"] is True
    assert "password" not in database.properties and "password_wo" not in database.properties
    data_key = plan.resources("aws_kms_key").where({"description": Match.that(lambda v: "Cardholder" in v, "data")})
    assert database["master_user_secret_kms_key_id"] == f"${{{data_key.only().address}.arn}}"


def test_database_resilience_follows_profile(plan, config):
    plan.resources("aws_db_instance").assert_all(
        {
            "multi_az": config.settings.multi_az,
            "deletion_protection": config.settings.deletion_protection,
            "backup_retention_period": config.settings.backup_retention_days,
            "copy_tags_to_snapshot": True,
            "enabled_cloudwatch_logs_exports": ["postgresql", "upgrade"],
        }
    )
    assert config.settings.multi_az == config.settings.deletion_protection == (config.profile == "prod")
    # RDS keeps 0 to 35 days; a week at least, so a bad change found on Monday can be undone.
    assert 7 <= config.settings.backup_retention_days <= 35


# gp3 on RDS starts at 20 GiB; storage autoscaling needs a ceiling at least 10% above the allocation.
GP3_MINIMUM_GIB = 20


def test_database_storage_is_the_profiles_and_grows_before_it_fills(plan, config):
    # A full disk stops the payment database: storage autoscaling must be on, with room to grow.
    settings = config.settings
    plan.resources("aws_db_instance").assert_all(
        {"allocated_storage": settings.db_allocated_storage, "max_allocated_storage": settings.db_max_allocated_storage}
    )
    assert settings.db_allocated_storage >= GP3_MINIMUM_GIB
    assert settings.db_max_allocated_storage >= settings.db_allocated_storage * 1.1


def test_performance_insights_keeps_a_retention_rds_accepts(plan):
    # 7 days (free) or whole months of 31 days up to 731: anything else fails the deploy.
    for database in plan.resources("aws_db_instance"):
        days = database["performance_insights_retention_period"]
        assert days == 7 or (days % 31 == 0 and 31 <= days <= 713) or days == 731, database.address


def test_database_exports_into_log_groups_created_first(plan):
    database = plan.resources("aws_db_instance").only()
    groups = plan.dependencies(database)
    assert {g.type for g in groups} == {"aws_cloudwatch_log_group"}
    identifier = database["identifier"]
    assert sorted(g["name"] for g in groups) == sorted(
        f"/aws/rds/instance/{identifier}/{export}" for export in database["enabled_cloudwatch_logs_exports"]
    )


def test_database_enhanced_monitoring_uses_its_own_role(plan):
    role = plan.resources("aws_iam_role", under="database/").only()
    assert json.loads(role["assume_role_policy"])["Statement"][0]["Principal"] == {
        "Service": "monitoring.rds.amazonaws.com"
    }
    plan.resources("aws_iam_role_policy_attachment", under="database/").assert_all(
        {
            "role": Match.reference_to(role.address, "name"),
            "policy_arn": Match.that(
                lambda arn: arn.endswith("/AmazonRDSEnhancedMonitoringRole"), "the RDS monitoring policy"
            ),
        }
    )
    plan.resources("aws_db_instance").assert_all(
        {"monitoring_interval": 60, "monitoring_role_arn": Match.reference_to(role.address, "arn")}
    )


def test_database_logs_every_connection_and_disconnection(plan):
    # 10.2.1: who reached the cardholder data store, and when they left.
    parameters = {p["name"]: p["value"] for p in plan.resources("aws_db_parameter_group").only()["parameter"]}
    assert parameters["log_connections"] == parameters["log_disconnections"] == "1"


def test_parameter_group_audits_with_pgaudit_and_keeps_parameters_out(plan):
    (group,) = plan.resources("aws_db_parameter_group")
    parameters = {p["name"]: p for p in group["parameter"]}
    assert "pgaudit" in parameters["shared_preload_libraries"]["value"].split(",")
    # Static: RDS refuses to apply it immediately, a running instance takes it at its next reboot.
    assert parameters["shared_preload_libraries"]["apply_method"] == "pending-reboot"
    assert {"ddl", "role", "write"} <= set(parameters["pgaudit.log"]["value"].split(","))
    assert parameters["pgaudit.role"]["value"] == "rds_pgaudit"
    assert parameters["pgaudit.log_parameter"]["value"] == "0"  # bind values can carry a PAN
    assert {p["apply_method"] for p in group["parameter"]} <= {"immediate", "pending-reboot"}


def test_database_lives_in_its_subnets_on_the_port_its_firewall_opens(plan):
    database = plan.resources("aws_db_instance").only()
    group = plan.resources("aws_db_subnet_group").only()
    assert database["db_subnet_group_name"] == f"${{{group.address}.name}}"  # else: the default VPC
    db_subnets = {f"${{{s.address}.id}}" for s in plan.resources("aws_subnet").where({"tags": {"Tier": "db"}})}
    assert set(group["subnet_ids"]) == db_subnets
    ingress = plan.resources("aws_vpc_security_group_ingress_rule", under="firewall/db-sg").only()
    assert database["port"] == ingress["from_port"]
    assert database["allow_major_version_upgrade"] is False  # field report 2: a major upgrade is a decision


def test_only_prod_leaves_a_final_snapshot(plan, config):
    # Dev is destroyed every night: a final snapshot each night, whose key the same destroy schedules
    # for deletion, would be unrestorable within 30 days, billed for ever, and fill the snapshot quota.
    database = plan.resources("aws_db_instance").only()
    kept = config.profile == "prod"
    assert config.keeps_final_snapshot is kept
    assert database["skip_final_snapshot"] is not kept
    if kept:  # the deployment suffix: a re-created environment never meets its predecessor's snapshot
        assert (
            database["final_snapshot_identifier"] == f"payment-db-final-{config.environment_suffix}-{SUFFIX_REFERENCE}"
        )
    else:
        assert "final_snapshot_identifier" not in database.properties


# What RDS offers since rds-ca-2019 expired in August 2024.
CURRENT_CAS = ("rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1")


def test_database_presents_a_certificate_of_a_current_ca(plan):
    # Pinned, not left to the region's default: clients verify the server against this CA's bundle.
    plan.resources("aws_db_instance").assert_all(
        {"ca_cert_identifier": Match.that(CURRENT_CAS.__contains__, "a current CA")}
    )
