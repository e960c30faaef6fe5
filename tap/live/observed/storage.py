"""The buckets and each of their configurations, as S3's Get calls show them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tap.live.observed.table import Kind, Observer, at, unless_missing
from tap.plan import Resource

# What S3 answers for a bucket that is not there (HeadBucket has no body: its code is the HTTP status).
NO_BUCKET = {"NoSuchBucket", "404"}


def _bucket(observer: Observer, resource: Resource) -> dict | None:
    name = observer.value(resource, "bucket")
    s3 = observer.client("s3")
    if unless_missing(lambda: s3.head_bucket(Bucket=name), *NO_BUCKET) is None:
        return None
    lock = _get(s3, "get_object_lock_configuration", name, "ObjectLockConfigurationNotFoundError")
    enabled = (lock or {}).get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled"
    return {"Bucket": name, "ObjectLockEnabled": enabled}


def _get(s3: Any, operation: str, bucket: str, unset: str) -> dict | None:
    """One Get call's answer about a bucket, or None when the bucket or that configuration is not there."""
    return unless_missing(lambda: getattr(s3, operation)(Bucket=bucket), unset, *NO_BUCKET)


def _configuration(operation: str, unset: str, present: str) -> Callable[[Observer, Resource], dict | None]:
    """A describe for one configuration of the planned bucket: its Get answer (None when the answer lacks
    `present`: a bucket without access logging answers, empty), with the bucket it was read from."""

    def describe(observer: Observer, resource: Resource) -> dict | None:
        bucket = observer.value(resource, "bucket")
        answer = _get(observer.client("s3"), operation, bucket, unset)
        return {"Bucket": bucket, **answer} if answer and present in answer else None

    return describe


def _encryption_rules(rules: list[dict]) -> list[dict]:
    return [
        {
            "apply_server_side_encryption_by_default": _default_encryption(rule["ApplyServerSideEncryptionByDefault"]),
            "bucket_key_enabled": rule.get("BucketKeyEnabled", False),
        }
        for rule in rules
    ]


def _default_encryption(default: dict) -> dict:
    applied = {"sse_algorithm": default["SSEAlgorithm"]}
    if default.get("KMSMasterKeyID"):
        applied["kms_master_key_id"] = default["KMSMasterKeyID"]
    return applied


def _lifecycle_rules(rules: list[dict]) -> list[dict]:
    """S3's lifecycle rules in Terraform's shape: each nested block a list of one."""
    blocks = {
        "Expiration": ("expiration", {"Days": "days", "Date": "date"}),
        "NoncurrentVersionExpiration": ("noncurrent_version_expiration", {"NoncurrentDays": "noncurrent_days"}),
        "AbortIncompleteMultipartUpload": (
            "abort_incomplete_multipart_upload",
            {"DaysAfterInitiation": "days_after_initiation"},
        ),
        "Filter": ("filter", {"Prefix": "prefix"}),
    }
    converted = []
    for rule in rules:
        found: dict[str, Any] = {"id": rule.get("ID"), "status": rule["Status"]}
        for key, (block, fields) in blocks.items():
            if key in rule:
                found[block] = [{name: rule[key][field] for field, name in fields.items() if field in rule[key]}]
        found["transition"] = [
            {"days": t.get("Days"), "storage_class": t["StorageClass"]} for t in rule.get("Transitions", [])
        ]
        converted.append(found)
    return converted


def _object_lock_rule(rule: dict) -> dict:
    retention = rule["DefaultRetention"]
    default = {"mode": retention["Mode"]}
    default.update({key.lower(): retention[key] for key in ("Days", "Years") if key in retention})
    return {"default_retention": default}


BUCKET = at("Bucket")
FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def flag_name(flag: str) -> str:
    """A public access block flag's Terraform name: BlockPublicAcls -> block_public_acls."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in flag).lstrip("_")


KINDS = {
    "aws_s3_bucket": Kind(
        describe=_bucket,
        attributes={"bucket": BUCKET, "object_lock_enabled": at("ObjectLockEnabled")},
        unobservable={
            "force_destroy": "a Terraform setting (empty the bucket before deleting it); AWS keeps no such setting"
        },
        exports={"id": BUCKET, "bucket": BUCKET, "arn": at("Bucket", lambda name: f"arn:aws:s3:::{name}")},
        fixed=frozenset({"bucket"}),
    ),
    "aws_s3_bucket_server_side_encryption_configuration": Kind(
        describe=_configuration(
            "get_bucket_encryption",
            "ServerSideEncryptionConfigurationNotFoundError",
            "ServerSideEncryptionConfiguration",
        ),
        attributes={"bucket": BUCKET, "rule": at("ServerSideEncryptionConfiguration.Rules", _encryption_rules)},
        fixed=frozenset({"bucket"}),
    ),
    "aws_s3_bucket_versioning": Kind(
        describe=_configuration("get_bucket_versioning", "", "Status"),
        attributes={"bucket": BUCKET, "versioning_configuration": at("Status", lambda status: {"status": status})},
        fixed=frozenset({"bucket"}),
    ),
    "aws_s3_bucket_public_access_block": Kind(
        describe=_configuration(
            "get_public_access_block", "NoSuchPublicAccessBlockConfiguration", "PublicAccessBlockConfiguration"
        ),
        attributes={
            "bucket": BUCKET,
            **{flag_name(flag): at(f"PublicAccessBlockConfiguration.{flag}") for flag in FLAGS},
        },
        fixed=frozenset({"bucket"}),
    ),
    "aws_s3_bucket_ownership_controls": Kind(
        describe=_configuration("get_bucket_ownership_controls", "OwnershipControlsNotFoundError", "OwnershipControls"),
        attributes={
            "bucket": BUCKET,
            # S3 holds one ownership rule per bucket.
            "rule": at("OwnershipControls.Rules", lambda rules: {"object_ownership": rules[0]["ObjectOwnership"]}),
        },
        fixed=frozenset({"bucket"}),
    ),
    "aws_s3_bucket_policy": Kind(
        describe=_configuration("get_bucket_policy", "NoSuchBucketPolicy", "Policy"),
        attributes={"bucket": BUCKET, "policy": at("Policy")},
        fixed=frozenset({"bucket"}),
    ),
    "aws_s3_bucket_lifecycle_configuration": Kind(
        describe=_configuration("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration", "Rules"),
        attributes={"bucket": BUCKET, "rule": at("Rules", _lifecycle_rules)},
        fixed=frozenset({"bucket"}),
    ),
    "aws_s3_bucket_logging": Kind(
        describe=_configuration("get_bucket_logging", "", "LoggingEnabled"),
        attributes={
            "bucket": BUCKET,
            "target_bucket": at("LoggingEnabled.TargetBucket"),
            "target_prefix": at("LoggingEnabled.TargetPrefix"),
        },
        fixed=frozenset({"bucket"}),
    ),
    "aws_s3_bucket_object_lock_configuration": Kind(
        describe=_configuration(
            "get_object_lock_configuration", "ObjectLockConfigurationNotFoundError", "ObjectLockConfiguration"
        ),
        attributes={
            "bucket": BUCKET,
            "object_lock_enabled": at("ObjectLockConfiguration.ObjectLockEnabled"),
            "rule": at("ObjectLockConfiguration.Rule", _object_lock_rule),
        },
        fixed=frozenset({"bucket"}),
    ),
}
