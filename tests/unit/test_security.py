"""Encryption everywhere, least-privilege network paths, nothing public, no secret in the plan."""

from __future__ import annotations

import json
import re

from tap.plan import Match

KMS_ARN_REFERENCE = Match.that(
    lambda v: isinstance(v, str) and v.startswith("${aws_kms_key.") and v.endswith(".arn}"), "a KMS key ARN reference"
)


def _buckets_with(plan, type_):
    return {r["bucket"] for r in plan.resources(type_)}


def _bucket_refs(plan):
    return {f"${{{b.address}.id}}" for b in plan.resources("aws_s3_bucket")}


def test_every_kms_key_rotates(plan):
    plan.resources("aws_kms_key").assert_all({"enable_key_rotation": True})
    plan.resources("aws_kms_alias").assert_count(len(plan.resources("aws_kms_key")))


def test_database_storage_and_insights_are_encrypted_with_a_customer_key(plan):
    plan.resources("aws_db_instance").assert_all(
        {
            "storage_encrypted": True,
            "kms_key_id": KMS_ARN_REFERENCE,
            "performance_insights_enabled": True,
            "performance_insights_kms_key_id": KMS_ARN_REFERENCE,
        }
    )


def test_every_bucket_has_default_encryption(plan):
    assert _buckets_with(plan, "aws_s3_bucket_server_side_encryption_configuration") == _bucket_refs(plan)
    encryption = plan.resources("aws_s3_bucket_server_side_encryption_configuration")
    encryption.assert_all({"rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": Match.any_value()}}]})
    # The data bucket holds cardholder data: SSE-KMS with a bucket key.
    encryption.assert_count(
        1,
        {
            "rule": [
                {
                    "bucket_key_enabled": True,
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": KMS_ARN_REFERENCE,
                    },
                }
            ]
        },
    )


def test_every_bucket_blocks_public_access(plan):
    assert _buckets_with(plan, "aws_s3_bucket_public_access_block") == _bucket_refs(plan)
    plan.resources("aws_s3_bucket_public_access_block").assert_all(
        {
            "block_public_acls": True,
            "block_public_policy": True,
            "ignore_public_acls": True,
            "restrict_public_buckets": True,
        }
    )


def test_every_bucket_policy_denies_plain_http(plan):
    assert _buckets_with(plan, "aws_s3_bucket_policy") == _bucket_refs(plan)
    for policy in plan.resources("aws_s3_bucket_policy"):
        statements = json.loads(policy["policy"])["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
        ), policy.address


def test_every_bucket_is_versioned_owner_enforced_and_tiered(plan):
    for type_ in (
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_lifecycle_configuration",
    ):
        assert _buckets_with(plan, type_) == _bucket_refs(plan), type_
    plan.resources("aws_s3_bucket_versioning").assert_all({"versioning_configuration": {"status": "Enabled"}})
    plan.resources("aws_s3_bucket_ownership_controls").assert_all({"rule": {"object_ownership": "BucketOwnerEnforced"}})
    plan.resources("aws_s3_bucket_lifecycle_configuration").assert_all(
        {"rule": [{"transition": [{"storage_class": "INTELLIGENT_TIERING"}]}]}
    )


def test_buckets_log_access_except_the_log_target(plan):
    logging = plan.resources("aws_s3_bucket_logging")
    assert len(logging) == len(plan.resources("aws_s3_bucket")) - 1
    target = {r["target_bucket"] for r in logging}
    assert len(target) == 1 and target.isdisjoint(_buckets_with(plan, "aws_s3_bucket_logging"))


def test_log_groups_are_encrypted_and_kept_a_year(plan, config):
    plan.resources("aws_cloudwatch_log_group").assert_all(
        {"kms_key_id": KMS_ARN_REFERENCE, "retention_in_days": Match.at_least(365)}
    )
    assert config.log_retention_days >= 365


def test_launch_template_requires_imdsv2_and_encrypted_volumes(plan):
    plan.resources("aws_launch_template").assert_all(
        {
            "metadata_options": {
                "http_tokens": "required",
                "http_put_response_hop_limit": 1,
                "http_endpoint": "enabled",
            },
            "block_device_mappings": [{"ebs": {"encrypted": "true", "kms_key_id": KMS_ARN_REFERENCE}}],
            "network_interfaces": [{"associate_public_ip_address": "false"}],
            "iam_instance_profile": {"arn": Match.any_value()},
        }
    )


def test_database_is_private_and_forces_tls(plan):
    plan.resources("aws_db_instance").assert_all(
        {"publicly_accessible": False, "iam_database_authentication_enabled": True}
    )
    plan.resources("aws_db_parameter_group").assert_all({"parameter": [{"name": "rds.force_ssl", "value": "1"}]})


def test_only_alb_accepts_internet_traffic_on_80_and_443(plan):
    open_rules = plan.resources("aws_vpc_security_group_ingress_rule").where({"cidr_ipv4": "0.0.0.0/0"})
    alb_group = (
        plan.resources("aws_security_group").where({"name": Match.that(lambda v: "-alb-sg-" in v, "alb")}).only()
    )
    assert sorted(r["from_port"] for r in open_rules) == [80, 443]
    for rule in open_rules:
        assert rule["security_group_id"] == f"${{{alb_group.address}.id}}"
        assert rule["from_port"] == rule["to_port"]
    plan.resources("aws_vpc_security_group_ingress_rule").assert_none({"cidr_ipv6": Match.any_value()})
    plan.resources("aws_security_group").assert_none({"ingress": Match.any_value()})


def _group(plan, role):
    return plan.resources("aws_security_group").where({"name": Match.that(lambda v: f"-{role}-sg-" in v, role)}).only()


def test_app_port_is_reachable_only_from_the_alb(plan, config):
    app, alb = _group(plan, "app"), _group(plan, "alb")
    inbound = plan.resources("aws_vpc_security_group_ingress_rule").where(
        {"security_group_id": f"${{{app.address}.id}}"}
    )
    inbound.assert_count(1)
    inbound.assert_all({"from_port": config.app_port, "referenced_security_group_id": f"${{{alb.address}.id}}"})


def test_postgres_is_reachable_only_from_the_app_and_never_dials_out(plan):
    db, app = _group(plan, "db"), _group(plan, "app")
    inbound = plan.resources("aws_vpc_security_group_ingress_rule").where(
        {"security_group_id": f"${{{db.address}.id}}"}
    )
    inbound.assert_count(1)
    inbound.assert_all({"from_port": 5432, "to_port": 5432, "referenced_security_group_id": f"${{{app.address}.id}}"})
    plan.resources("aws_vpc_security_group_egress_rule").assert_none({"security_group_id": f"${{{db.address}.id}}"})


def test_default_security_group_allows_nothing(plan):
    plan.resources("aws_default_security_group").assert_all({"ingress": Match.exact([]), "egress": Match.exact([])})


def test_no_subnet_maps_public_ips(plan):
    # NAT gateways hold Elastic IPs and the ALB gets its own addresses: nothing else needs one.
    plan.resources("aws_subnet").assert_all({"map_public_ip_on_launch": False})


SECRET_KEYS = re.compile(r"(password|secret|private_key|access_key|token)$", re.I)
SECRET_VALUES = re.compile(r"AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|aws_secret_access_key", re.I)
# Settings whose names look secret but hold switches or references, never secret values.
NOT_SECRETS = {"manage_master_user_password", "master_user_secret_kms_key_id", "http_tokens"}


def _literals(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _literals(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _literals(item, f"{path}[{index}]")
    else:
        yield path, value


def test_plan_holds_no_secret_literal(plan):
    leaks = [
        (path, value)
        for path, value in _literals(plan.document)
        if (
            SECRET_KEYS.search(path.rsplit(".", 1)[-1])
            and path.rsplit(".", 1)[-1] not in NOT_SECRETS
            and value not in (None, True, False)
        )
        or (isinstance(value, str) and SECRET_VALUES.search(value))
    ]
    assert leaks == []
