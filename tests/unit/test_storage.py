"""S3 buckets: encryption, public access block, TLS-only policy, versioning, ownership, tiering, access logs."""

from __future__ import annotations

import json

from tap.plan import Match
from tests.unit.helpers import KMS_ARN_REFERENCE, referenced


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


def test_log_buckets_keep_logs_and_their_old_versions_for_the_declared_retention(plan, config):
    # 10.5.1: audit logs are kept 12 months, the latest three immediately available; an overwritten
    # object's previous version is the evidence of what it said, so a log's is kept as long as the log
    # (a data object's three months). No longer than declared either: the retention policy is what
    # an assessor compares the buckets with.
    for lifecycle in plan.resources("aws_s3_bucket_lifecycle_configuration"):
        (rule,) = lifecycle["rule"]
        kept = rule["noncurrent_version_expiration"][0]["noncurrent_days"]
        assert kept >= (90 if "_data_" in lifecycle.name else config.log_retention_days), lifecycle.address
        # An unfinished upload's parts hold data nobody sees and nothing else deletes: disposed of
        # within a week (S3 refuses zero days).
        (abort,) = rule["abort_incomplete_multipart_upload"]
        assert 1 <= abort["days_after_initiation"] <= 7, lifecycle.address
        if "_data_" not in lifecycle.name:
            assert rule["expiration"][0]["days"] == config.log_retention_days >= 365, lifecycle.address


def _policy_of(plan, bucket):
    policy = plan.resources("aws_s3_bucket_policy").where({"bucket": f"${{{bucket.address}.id}}"}).only()
    return json.loads(policy["policy"])["Statement"]


def _log_buckets(plan):
    """The buckets AWS delivery services write into: their policy grants s3:PutObject."""
    return [
        bucket
        for bucket in plan.resources("aws_s3_bucket")
        if any(s["Effect"] == "Allow" and s["Action"] == "s3:PutObject" for s in _policy_of(plan, bucket))
    ]


def test_log_buckets_deny_deleting_objects_to_everyone(plan):
    buckets = _log_buckets(plan)
    assert sorted(b.path for b in buckets) == ["storage/access-logs/bucket", "storage/alb-logs/bucket"]
    for bucket in buckets:
        (deny,) = [s for s in _policy_of(plan, bucket) if s.get("Sid") == "DenyLogDeletion"]
        assert deny == {
            "Sid": "DenyLogDeletion",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
            "Resource": f"${{{bucket.address}.arn}}/*",
        }


def test_only_administrators_change_log_retention(plan, config):
    for bucket in _log_buckets(plan):
        (deny,) = [s for s in _policy_of(plan, bucket) if s.get("Sid") == "OnlyAdministratorsChangeLogRetention"]
        assert deny["Action"] == ["s3:PutBucketObjectLockConfiguration", "s3:PutLifecycleConfiguration"]
        exempt = deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
        assert [arn.rsplit(":", 1)[1] for arn in exempt] == [f"role/{config.key_administrator_role}", "root"]


def test_prod_locks_alb_logs_a_year_and_dev_locks_nothing(plan, config):
    # Stated on every bucket, never left to the provider's default.
    plan.resources("aws_s3_bucket").assert_all(
        {"object_lock_enabled": Match.that(lambda v: v in (True, False), "a bool")}
    )
    locked = plan.resources("aws_s3_bucket").where({"object_lock_enabled": True})
    locks = plan.resources("aws_s3_bucket_object_lock_configuration")
    if config.profile == "dev":
        assert (len(locked), len(locks)) == (0, 0)
        return
    assert [b.path for b in locked] == ["storage/alb-logs/bucket"]
    locks.assert_all(
        {
            "bucket": Match.reference_to(locked.only().address, "id"),
            "object_lock_enabled": "Enabled",
            "rule": {"default_retention": {"mode": "GOVERNANCE", "days": config.log_retention_days}},
        }
    )
    assert config.log_retention_days >= 365


def test_access_log_bucket_is_never_locked(plan):
    # S3 refuses server access logging into a bucket with a default retention period.
    (target,) = {r["target_bucket"] for r in plan.resources("aws_s3_bucket_logging")}
    plan.resources("aws_s3_bucket_object_lock_configuration").assert_none({"bucket": target})


def test_only_dev_log_buckets_are_emptied_by_a_destroy(plan, config):
    log_buckets = {b.address for b in _log_buckets(plan)}
    for bucket in plan.resources("aws_s3_bucket"):
        assert bucket["force_destroy"] is (bucket.address in log_buckets and config.profile == "dev"), bucket.path


def test_data_objects_only_for_the_app_role_through_the_s3_endpoint(plan):
    data = plan.resources("aws_s3_bucket").at_path("storage/data/bucket")
    role = plan.resources("aws_iam_role", under="compute/").only()
    endpoint = plan.resources("aws_vpc_endpoint").at_path("networking/s3-endpoint")
    denies = {s["Sid"]: s for s in _policy_of(plan, data) if s["Effect"] == "Deny" and "Condition" in s}
    objects = f"arn:aws:s3:::{data['bucket']}/*"
    outside, others = denies["DenyObjectAccessOutsideTheEndpoint"], denies["DenyObjectAccessToOtherPrincipals"]
    for deny in (outside, others):
        assert (deny["Principal"], deny["Resource"]) == ("*", objects)
        assert {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"} <= set(deny["Action"])
        # Object data only: the deploy role keeps managing the bucket's configuration.
        assert not [action for action in deny["Action"] if "Bucket" in action or "*" in action]
    assert outside["Condition"] == {"StringNotEquals": {"aws:SourceVpce": f"${{{endpoint.address}.id}}"}}
    (arn,) = others["Condition"]["ArnNotEquals"].values()
    assert arn.endswith(f":role/{role['name']}")


def test_no_bucket_holding_data_or_prod_logs_can_be_emptied_by_a_destroy(plan, config):
    for bucket in plan.resources("aws_s3_bucket"):
        if "_data_" in bucket.name or config.profile == "prod":
            assert bucket["force_destroy"] is False, bucket.address


def test_every_bucket_policy_speaks_of_its_own_bucket(plan):
    # A policy naming another bucket's ARN protects nothing here.
    for policy in plan.resources("aws_s3_bucket_policy"):
        bucket = plan.resource(referenced(policy["bucket"]))
        arns = {arn for s in json.loads(policy["policy"])["Statement"] for arn in _as_list(s.get("Resource", []))}
        own = (f"arn:aws:s3:::{bucket['bucket']}", f"${{{bucket.address}.arn}}")
        assert arns and all(arn.startswith(own) for arn in arns), policy.address


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_log_buckets_deny_writing_objects_to_all_but_their_delivery_service(plan):
    # 10.3.2: whoever IAM allows s3:PutObject could otherwise overwrite or forge a log.
    elb = f"data.{plan.data_sources('aws_elb_service_account').only().address}"
    writers = {
        "storage/alb-logs/bucket": ({"AWS": f"${{{elb}.arn}}"}, {"aws:PrincipalAccount": f"${{{elb}.id}}"}),
        "storage/access-logs/bucket": (
            {"Service": "logging.s3.amazonaws.com"},
            {"aws:PrincipalServiceName": "logging.s3.amazonaws.com"},
        ),
    }
    for bucket in _log_buckets(plan):
        statements = _policy_of(plan, bucket)
        principal, exempted = writers[bucket.path]
        (grant,) = [s for s in statements if s["Effect"] == "Allow" and s["Action"] == "s3:PutObject"]
        assert grant["Principal"] == principal, bucket.path
        (deny,) = [s for s in statements if s.get("Sid") == "OnlyTheDeliveryServiceWritesLogs"]
        assert deny == {
            "Sid": "OnlyTheDeliveryServiceWritesLogs",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:PutObject"],
            "Resource": f"${{{bucket.address}.arn}}/*",
            "Condition": {"StringNotEquals": exempted},
        }, bucket.path
