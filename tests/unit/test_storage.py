"""S3 buckets: encryption, public access block, TLS-only policy, versioning, ownership, tiering, access logs."""

from __future__ import annotations

import json

from tap.plan import Match
from tests.unit.helpers import KMS_ARN_REFERENCE


def _buckets_with(plan, type_):
    return {r["bucket"] for r in plan.resources(type_)}


def _bucket_refs(plan):
    return {f"${{{b.address}.id}}" for b in plan.resources("aws_s3_bucket")}


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


def test_log_buckets_keep_a_year_of_logs_and_every_bucket_three_months_of_old_versions(plan):
    # 10.5.1: audit logs are kept 12 months, the latest three immediately available; an overwritten
    # object's previous version is the evidence of what it said.
    for lifecycle in plan.resources("aws_s3_bucket_lifecycle_configuration"):
        (rule,) = lifecycle["rule"]
        assert rule["noncurrent_version_expiration"][0]["noncurrent_days"] >= 90, lifecycle.address
        if "_data_" not in lifecycle.name:
            assert rule["expiration"][0]["days"] >= 365, lifecycle.address
