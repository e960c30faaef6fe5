"""Translators for stack/storage.py: the buckets and their configurations."""

from __future__ import annotations

import json
from typing import Any

from tap.live.rehearsal.engine import Rehearsal, camel, flag, handles, one


@handles("aws_s3_bucket")
def _bucket(r: Rehearsal, body: dict) -> dict:
    s3 = r.client("s3")
    name = body["bucket"]
    s3.create_bucket(
        Bucket=name,
        CreateBucketConfiguration={"LocationConstraint": r.region},
        ObjectLockEnabledForBucket=flag(body.get("object_lock_enabled")),
    )
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": r.tag_list(body.get("tags"))})
    return {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}"}


@handles("aws_s3_bucket_server_side_encryption_configuration")
def _bucket_encryption(r: Rehearsal, body: dict) -> dict:
    rules = []
    for rule in body["rule"]:
        default = one(rule["apply_server_side_encryption_by_default"])
        applied = {"SSEAlgorithm": default["sse_algorithm"]}
        if default.get("kms_master_key_id"):
            applied["KMSMasterKeyID"] = default["kms_master_key_id"]
        rules.append(
            {"ApplyServerSideEncryptionByDefault": applied, "BucketKeyEnabled": flag(rule.get("bucket_key_enabled"))}
        )
    r.client("s3").put_bucket_encryption(Bucket=body["bucket"], ServerSideEncryptionConfiguration={"Rules": rules})
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_versioning")
def _bucket_versioning(r: Rehearsal, body: dict) -> dict:
    status = one(body["versioning_configuration"])["status"]
    r.client("s3").put_bucket_versioning(Bucket=body["bucket"], VersioningConfiguration={"Status": status})
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_object_lock_configuration")
def _bucket_object_lock(r: Rehearsal, body: dict) -> dict:
    configuration: dict[str, Any] = {"ObjectLockEnabled": body.get("object_lock_enabled", "Enabled")}
    if body.get("rule"):
        retention = one(one(body["rule"])["default_retention"])
        default = {"Mode": retention["mode"]}
        default.update({key.title(): retention[key] for key in ("days", "years") if retention.get(key)})
        configuration["Rule"] = {"DefaultRetention": default}
    r.client("s3").put_object_lock_configuration(Bucket=body["bucket"], ObjectLockConfiguration=configuration)
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_public_access_block")
def _bucket_public_access_block(r: Rehearsal, body: dict) -> dict:
    flags = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")
    configuration = {camel(name, upper={"acls": "Acls"}): flag(body.get(name)) for name in flags}
    r.client("s3").put_public_access_block(Bucket=body["bucket"], PublicAccessBlockConfiguration=configuration)
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_ownership_controls")
def _bucket_ownership(r: Rehearsal, body: dict) -> dict:
    ownership = one(body["rule"])["object_ownership"]
    r.client("s3").put_bucket_ownership_controls(
        Bucket=body["bucket"], OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]}
    )
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_policy")
def _bucket_policy(r: Rehearsal, body: dict) -> dict:
    # Statement order means nothing to AWS. moto's logging-permission check reads statements in
    # order and fails on a string principal ("*"), so those go last here: same policy, moto reads it.
    policy = json.loads(body["policy"])
    policy["Statement"].sort(key=lambda statement: isinstance(statement.get("Principal"), str))
    r.client("s3").put_bucket_policy(Bucket=body["bucket"], Policy=json.dumps(policy))
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_lifecycle_configuration")
def _bucket_lifecycle(r: Rehearsal, body: dict) -> dict:
    rules = []
    for rule in body["rule"]:
        lifecycle: dict[str, Any] = {
            "ID": rule["id"],
            "Status": rule["status"],
            "Filter": {"Prefix": one(rule.get("filter")).get("prefix", "")},
        }
        if rule.get("transition"):
            lifecycle["Transitions"] = [
                {"Days": t["days"], "StorageClass": t["storage_class"]} for t in rule["transition"]
            ]
        if rule.get("expiration"):
            lifecycle["Expiration"] = {"Days": one(rule["expiration"])["days"]}
        if rule.get("noncurrent_version_expiration"):
            lifecycle["NoncurrentVersionExpiration"] = {
                "NoncurrentDays": one(rule["noncurrent_version_expiration"])["noncurrent_days"]
            }
        if rule.get("abort_incomplete_multipart_upload"):
            days = one(rule["abort_incomplete_multipart_upload"])["days_after_initiation"]
            lifecycle["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
        rules.append(lifecycle)
    r.client("s3").put_bucket_lifecycle_configuration(Bucket=body["bucket"], LifecycleConfiguration={"Rules": rules})
    return {"id": body["bucket"]}


@handles("aws_s3_bucket_logging")
def _bucket_logging(r: Rehearsal, body: dict) -> dict:
    target = {"TargetBucket": body["target_bucket"], "TargetPrefix": body.get("target_prefix", "")}
    r.client("s3").put_bucket_logging(Bucket=body["bucket"], BucketLoggingStatus={"LoggingEnabled": target})
    return {"id": body["bucket"]}
