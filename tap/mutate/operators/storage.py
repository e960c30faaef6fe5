"""S3 mutants: default encryption (lesson 5), public access block, versioning, policy, lifecycle, logging."""

from __future__ import annotations

from collections.abc import Iterator

from botocore.exceptions import ClientError

from tap.mutate.operators import Case, Scope

FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


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
        label, "delete", "encryption", "", "encryption", _call("delete_bucket_encryption", bucket), lesson=5
    )
    yield scope.case(
        label, "swap", "encryption", f"{algorithm} -> {other}", "encryption", _encrypt(bucket, other), lesson=5
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
        )
    yield scope.case(
        label, "delete", "public_access_block", "", "public exposure", _call("delete_public_access_block", bucket)
    )
    yield scope.case(label, "swap", "versioning", "Enabled -> Suspended", "deletion safety", _suspend(bucket))
    yield scope.case(label, "delete", "policy", "", "TLS", _call("delete_bucket_policy", bucket))
    for attribute, reader, deleter, category in (
        ("lifecycle", "get_bucket_lifecycle_configuration", "delete_bucket_lifecycle", "logging and retention"),
        ("ownership_controls", "get_bucket_ownership_controls", "delete_bucket_ownership_controls", "public exposure"),
    ):
        if _has(s3, reader, bucket):
            yield scope.case(label, "delete", attribute, "", category, _call(deleter, bucket))
    if s3.get_bucket_logging(Bucket=bucket).get("LoggingEnabled"):
        yield scope.case(label, "delete", "logging", "", "logging and retention", _logging_off(bucket))
    # S3 refuses to delete a bucket that holds objects; the log buckets do from the start, and the
    # emulator's log delivery keeps writing into them, so only an empty bucket is deleted.
    if not s3.list_object_versions(Bucket=bucket).get("Versions"):
        yield scope.case(label, "delete", "", "", "deletion safety", _call("delete_bucket", bucket))


def _has(s3, reader: str, bucket: str) -> bool:
    try:
        getattr(s3, reader)(Bucket=bucket)
    except ClientError:
        return False
    return True


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


GENERATORS = (buckets,)
