"""S3 mutants: default encryption (lesson 5), public access block, versioning, policy, lifecycle, logging,
object ownership and Object Lock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from tap.live.observed.storage import FLAGS, flag_name
from tap.mutate.operators import Case, Scope

# Each bucket configuration's Terraform type (tap/live/observed/storage.py): what a mutant of it drifts.
ENCRYPTION = "aws_s3_bucket_server_side_encryption_configuration"
ACCESS_BLOCK = "aws_s3_bucket_public_access_block"
VERSIONING = "aws_s3_bucket_versioning"
POLICY = "aws_s3_bucket_policy"
LIFECYCLE = "aws_s3_bucket_lifecycle_configuration"
OWNERSHIP = "aws_s3_bucket_ownership_controls"
LOGGING = "aws_s3_bucket_logging"
OBJECT_LOCK = "aws_s3_bucket_object_lock_configuration"
CONFIGURATIONS = (ENCRYPTION, ACCESS_BLOCK, VERSIONING, POLICY, LIFECYCLE, OWNERSHIP, LOGGING, OBJECT_LOCK)


def buckets(scope: Scope) -> Iterator[Case]:
    s3 = scope.aws("s3")
    for bucket in sorted(b["Name"] for b in s3.list_buckets()["Buckets"]):
        yield from _bucket(scope, bucket)


def _bucket(scope: Scope, bucket: str) -> Iterator[Case]:
    s3, label = scope.aws("s3"), scope.label(bucket)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    algorithm = rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
    other = "AES256" if algorithm == "aws:kms" else "aws:kms"
    yield scope.case(
        label,
        "delete",
        "encryption",
        "",
        "encryption",
        _call("delete_bucket_encryption", bucket),
        lesson=5,
        observes=(ENCRYPTION, ""),
    )
    yield scope.case(
        label,
        "swap",
        "encryption",
        f"{algorithm} -> {other}",
        "encryption",
        _encrypt(bucket, other),
        lesson=5,
        observes=(ENCRYPTION, "rule"),
    )
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    for flag in FLAGS:
        yield scope.case(
            label,
            "flip",
            f"public_access_block.{flag}",
            "true -> false",
            "public exposure",
            _block(bucket, block, flag),
            observes=(ACCESS_BLOCK, flag_name(flag)),
        )
    yield scope.case(
        label,
        "delete",
        "public_access_block",
        "",
        "public exposure",
        _call("delete_public_access_block", bucket),
        observes=(ACCESS_BLOCK, ""),
    )
    # Versioning cannot be taken off a bucket, only suspended: what deleting aws_s3_bucket_versioning does too.
    yield scope.case(
        label,
        "swap",
        "versioning",
        "Enabled -> Suspended",
        "deletion safety",
        _suspend(bucket),
        observes=((VERSIONING, "versioning_configuration"), (VERSIONING, "")),
    )
    yield scope.case(label, "delete", "policy", "", "TLS", _call("delete_bucket_policy", bucket), observes=(POLICY, ""))
    yield scope.case(
        label,
        "widen",
        "policy",
        "anyone may read objects",
        "public exposure",
        _public_read(bucket),
        observes=(POLICY, "policy"),
    )
    yield from _lifecycle(scope, bucket, label)
    yield from _ownership(scope, bucket, label)
    yield from _logging(scope, bucket, label)
    yield from _object_lock(scope, bucket, label)
    # S3 refuses to delete a bucket that holds objects; the log buckets do from the start, and the
    # emulator's log delivery keeps writing into them, so only an empty bucket is deleted.
    if not s3.list_object_versions(Bucket=bucket).get("Versions"):
        yield scope.case(
            label,
            "delete",
            "",
            "",
            "deletion safety",
            _call("delete_bucket", bucket),
            observes=(("aws_s3_bucket", ""), *((configuration, "") for configuration in CONFIGURATIONS)),
        )


def _lifecycle(scope: Scope, bucket: str, label: str) -> Iterator[Case]:
    s3 = scope.aws("s3")
    if not _has(s3, "get_bucket_lifecycle_configuration", bucket):
        return
    yield scope.case(
        label,
        "delete",
        "lifecycle",
        "",
        "logging and retention",
        _call("delete_bucket_lifecycle", bucket),
        observes=(LIFECYCLE, ""),
    )
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    yield scope.case(
        label,
        "flip",
        "lifecycle.Status",
        "Enabled -> Disabled",
        "logging and retention",
        _lifecycle_rules(bucket, [{**rule, "Status": "Disabled"} for rule in rules]),
        observes=(LIFECYCLE, "rule"),
    )


def _ownership(scope: Scope, bucket: str, label: str) -> Iterator[Case]:
    s3 = scope.aws("s3")
    if not _has(s3, "get_bucket_ownership_controls", bucket):
        return
    yield scope.case(
        label,
        "delete",
        "ownership_controls",
        "",
        "public exposure",
        _call("delete_bucket_ownership_controls", bucket),
        observes=(OWNERSHIP, ""),
    )
    # ACLs count again: whoever writes an object owns it, and may grant it to anyone.
    yield scope.case(
        label,
        "swap",
        "ownership_controls",
        "BucketOwnerEnforced -> ObjectWriter",
        "public exposure",
        _owned_by_writer(bucket),
        observes=(OWNERSHIP, "rule"),
    )


def _logging(scope: Scope, bucket: str, label: str) -> Iterator[Case]:
    logging = scope.aws("s3").get_bucket_logging(Bucket=bucket).get("LoggingEnabled")
    if not logging:
        return
    yield scope.case(
        label,
        "delete",
        "logging",
        "",
        "logging and retention",
        _logging_off(bucket),
        observes=(LOGGING, ""),
    )
    yield scope.case(
        label,
        "swap",
        "logging.TargetPrefix",
        f"{logging['TargetPrefix']} -> elsewhere/",
        "logging and retention",
        _log_to(bucket, logging["TargetBucket"], "elsewhere/"),
        observes=(LOGGING, "target_prefix"),
    )
    yield scope.case(
        label,
        "swap",
        "logging.TargetBucket",
        "-> a bucket outside the stack",
        "logging and retention",
        _log_outside(bucket, logging["TargetPrefix"]),
        observes=(LOGGING, "target_bucket"),
    )


def _object_lock(scope: Scope, bucket: str, label: str) -> Iterator[Case]:
    lock = _answer(scope.aws("s3"), "get_object_lock_configuration", bucket)
    configuration = (lock or {}).get("ObjectLockConfiguration", {})
    s3 = scope.aws("s3")
    versioned = s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled"
    empty = not s3.list_object_versions(Bucket=bucket).get("Versions")  # the emulator locks no bucket with objects
    if configuration.get("ObjectLockEnabled") != "Enabled" and versioned and empty:
        # Object Lock can be turned on for a versioned bucket, never off: objects then cannot be deleted.
        yield scope.case(
            label,
            "flip",
            "object_lock_enabled",
            "false -> true",
            "deletion safety",
            _lock(bucket, {"ObjectLockEnabled": "Enabled"}),
            observes=("aws_s3_bucket", "object_lock_enabled"),
        )
    elif configuration.get("Rule"):
        shorter = {"DefaultRetention": {"Mode": configuration["Rule"]["DefaultRetention"]["Mode"], "Days": 1}}
        yield scope.case(
            label,
            "smaller",
            "object_lock.DefaultRetention",
            "-> 1 day",
            "logging and retention",
            _lock(bucket, {"ObjectLockEnabled": "Enabled", "Rule": shorter}),
            observes=(OBJECT_LOCK, "rule"),
        )


def _answer(s3, reader: str, bucket: str) -> dict[str, Any] | None:
    try:
        return getattr(s3, reader)(Bucket=bucket)
    except ClientError:
        return None


def _has(s3, reader: str, bucket: str) -> bool:
    return _answer(s3, reader, bucket) is not None


def _call(method: str, bucket: str):
    def apply(aws) -> None:
        getattr(aws("s3"), method)(Bucket=bucket)

    return apply


def _encrypt(bucket: str, algorithm: str):
    def apply(aws) -> None:
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm}}
        aws("s3").put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})

    return apply


def _block(bucket: str, block: dict, flag: str):
    def apply(aws) -> None:
        aws("s3").put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={**block, flag: False})

    return apply


def _suspend(bucket: str):
    def apply(aws) -> None:
        aws("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})

    return apply


def _logging_off(bucket: str):
    def apply(aws) -> None:
        aws("s3").put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})

    return apply


def _public_read(bucket: str):
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}

    def apply(aws) -> None:
        s3 = aws("s3")
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        policy["Statement"].append(statement)  # last, as the rehearsal puts them: moto stops at a string principal
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))

    return apply


def _lifecycle_rules(bucket: str, rules: list[dict[str, Any]]):
    def apply(aws) -> None:
        aws("s3").put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})

    return apply


def _owned_by_writer(bucket: str):
    def apply(aws) -> None:
        rules = [{"ObjectOwnership": "ObjectWriter"}]
        aws("s3").put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": rules})

    return apply


def _log_to(bucket: str, target: str, prefix: str):
    def apply(aws) -> None:
        logging = {"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": prefix}}
        aws("s3").put_bucket_logging(Bucket=bucket, BucketLoggingStatus=logging)

    return apply


def _log_outside(bucket: str, prefix: str):
    """Access logs delivered to a new bucket the stack does not plan (its policy lets the logging service write)."""
    outside = f"mutant-elsewhere-{bucket}"[:63]

    def apply(aws) -> None:
        s3 = aws("s3")
        region = s3.get_bucket_location(Bucket=bucket)["LocationConstraint"]
        s3.create_bucket(Bucket=outside, CreateBucketConfiguration={"LocationConstraint": region})
        delivery = {
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{outside}/*",
        }
        s3.put_bucket_policy(Bucket=outside, Policy=json.dumps({"Version": "2012-10-17", "Statement": [delivery]}))
        _log_to(bucket, outside, prefix)(aws)

    return apply


def _lock(bucket: str, configuration: dict[str, Any]):
    def apply(aws) -> None:
        aws("s3").put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=configuration)

    return apply


GENERATORS = (buckets,)
