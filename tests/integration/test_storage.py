"""S3: default encryption (read from ServerSideEncryptionConfiguration.Rules), versioning,
public access block and the TLS-only policy, for every bucket."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from stack.contract import Output
from tests.integration.conftest import same

BUCKETS = [Output.DATA_BUCKET, Output.ALB_LOGS_BUCKET, Output.ACCESS_LOGS_BUCKET]


def _planned(target, output: str, type_: str):
    """The plan's resource of `type_` for the bucket named in `output`."""
    bucket = target.outputs[output]
    (found,) = [r for r in target.planned("aws_s3_bucket") if target.name(r, "bucket") == bucket]
    (attached,) = [r for r in target.planned(type_) if r["bucket"] == f"${{{found.address}.id}}"]
    return attached


@pytest.mark.controls("CKV2_PAY_1", "CKV_AWS_19", "CKV_AWS_145")
@pytest.mark.parametrize("output", BUCKETS)
def test_bucket_default_encryption_matches_plan(target, output):
    bucket = target.outputs[output]
    try:
        # boto3 nests the rules: {"ServerSideEncryptionConfiguration": {"Rules": [...]}}.
        rules = target.client("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as error:
        pytest.fail(f"drift: bucket {bucket} has no default encryption ({error.response['Error']['Code']})")
    default = rules[0]["ApplyServerSideEncryptionByDefault"]
    planned = _planned(target, output, "aws_s3_bucket_server_side_encryption_configuration")["rule"][0]
    planned_default = planned["apply_server_side_encryption_by_default"]
    expected_key = target.outputs[Output.DATA_KEY_ARN] if planned_default.get("kms_master_key_id") else None
    same(
        (default["SSEAlgorithm"], default.get("KMSMasterKeyID")),
        (planned_default["sse_algorithm"], expected_key),
        f"the default encryption of bucket {bucket}",
    )


@pytest.mark.parametrize("output", BUCKETS)
def test_bucket_versioning_is_enabled(target, output):
    bucket = target.outputs[output]
    status = target.client("s3").get_bucket_versioning(Bucket=bucket).get("Status")
    same(
        status,
        _planned(target, output, "aws_s3_bucket_versioning")["versioning_configuration"]["status"],
        f"versioning of bucket {bucket}",
    )


@pytest.mark.controls("CKV2_PAY_2", "CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56")
@pytest.mark.parametrize("output", BUCKETS)
def test_bucket_public_access_block_has_all_four_flags(target, output):
    bucket = target.outputs[output]
    try:
        block = target.client("s3").get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError:
        pytest.fail(f"drift: bucket {bucket} has no public access block")
    same(
        block,
        dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True),
        f"the public access block of bucket {bucket}",
    )


@pytest.mark.controls("CKV2_PAY_4")
@pytest.mark.parametrize("output", BUCKETS)
def test_bucket_policy_denies_every_request_without_tls(target, output):
    bucket = target.outputs[output]
    statements = json.loads(target.client("s3").get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    denies = [
        s
        for s in statements
        if s["Effect"] == "Deny"
        and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        and set(s["Resource"]) == {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"}
    ]
    assert denies, f"drift: the policy of bucket {bucket} no longer denies requests without TLS"


LOG_BUCKETS = [Output.ALB_LOGS_BUCKET, Output.ACCESS_LOGS_BUCKET]


def _policy_statements(target, bucket: str) -> list[dict]:
    return json.loads(target.client("s3").get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]


def _object_lock(target, bucket: str) -> dict | None:
    """The bucket's Object Lock as (enabled, mode, days, years); None when it has none."""
    try:
        found = target.client("s3").get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "ObjectLockConfigurationNotFoundError":
            return None
        raise
    retention = found.get("Rule", {}).get("DefaultRetention", {})
    return {
        "enabled": found.get("ObjectLockEnabled"),
        "mode": retention.get("Mode"),
        # AWS gives days or years; moto gives the other as 0.
        "days": retention.get("Days") or None,
        "years": retention.get("Years") or None,
    }


@pytest.mark.controls("CKV_PAY_31")
@pytest.mark.parametrize("output", LOG_BUCKETS)
def test_log_bucket_object_lock_matches_plan(target, output):
    bucket = target.outputs[output]
    (found,) = [r for r in target.planned("aws_s3_bucket") if target.name(r, "bucket") == bucket]
    locks = [r for r in target.planned("aws_s3_bucket_object_lock_configuration") if found.address in r["bucket"]]
    expected = None
    if locks:
        retention = locks[0]["rule"]["default_retention"]
        expected = {
            "enabled": locks[0]["object_lock_enabled"],
            "mode": retention["mode"],
            "days": retention.get("days"),
            "years": retention.get("years"),
        }
    same(_object_lock(target, bucket), expected, f"the Object Lock of bucket {bucket}")


@pytest.mark.controls("CKV_PAY_30")
@pytest.mark.parametrize("output", LOG_BUCKETS)
def test_log_bucket_policy_denies_deleting_log_objects(target, output):
    bucket = target.outputs[output]
    denied = {
        action
        for s in _policy_statements(target, bucket)
        if s["Effect"] == "Deny" and s["Principal"] == "*" and not s.get("Condition")
        for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {"s3:DeleteObject", "s3:DeleteObjectVersion"} <= denied, (
        f"drift: the policy of bucket {bucket} no longer denies deleting log objects to everyone "
        f"(it denies {sorted(denied)} unconditionally)"
    )


def _writers(statements: list[dict]) -> dict[str, set[str]]:
    """Who the policy lets write objects, keyed by the condition key that names them in a request."""
    services, accounts = set(), set()
    for s in statements:
        if s["Effect"] != "Allow" or "s3:PutObject" not in _listed(s["Action"]):
            continue
        principal = s["Principal"] if isinstance(s["Principal"], dict) else {"AWS": s["Principal"]}
        services |= set(_listed(principal.get("Service", [])))
        accounts |= {arn.split(":")[4] if arn.startswith("arn:") else arn for arn in _listed(principal.get("AWS", []))}
    return {"aws:PrincipalServiceName": services, "aws:PrincipalAccount": accounts}


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.mark.controls("CKV_PAY_62")
@pytest.mark.parametrize("output", LOG_BUCKETS)
def test_log_bucket_policy_denies_writing_logs_to_all_but_the_delivery_service(target, output):
    """Nobody but the service the bucket grants may put an object: no log is overwritten or forged."""
    bucket = target.outputs[output]
    statements = _policy_statements(target, bucket)
    exemptions = [
        {operator: {key: sorted(_listed(values)) for key, values in keys.items()} for operator, keys in c.items()}
        for c in (
            s.get("Condition", {})
            for s in statements
            if s["Effect"] == "Deny"
            and s["Principal"] == "*"
            and "s3:PutObject" in _listed(s["Action"])
            and f"arn:aws:s3:::{bucket}/*" in _listed(s["Resource"])
        )
    ]
    expected = [{"StringNotEquals": {key: sorted(writers)}} for key, writers in _writers(statements).items() if writers]
    same(exemptions, expected, f"the deny of writing log objects to all but the delivery service in bucket {bucket}")


@pytest.mark.controls("CKV_PAY_33")
def test_data_objects_only_for_the_app_role_through_the_endpoint(target):
    bucket = target.outputs[Output.DATA_BUCKET]
    (role,) = target.planned("aws_iam_role", under="compute/")
    role_arn = target.client("iam").get_role(RoleName=target.name(role))["Role"]["Arn"]
    conditions = [
        s["Condition"]
        for s in _policy_statements(target, bucket)
        if s["Effect"] == "Deny" and s["Principal"] == "*" and "s3:GetObject" in s["Action"]
    ]
    same(
        sorted(conditions, key=json.dumps),
        sorted(
            [
                {"StringNotEquals": {"aws:SourceVpce": target.outputs[Output.S3_ENDPOINT_ID]}},
                {"ArnNotEquals": {"aws:PrincipalArn": role_arn}},
            ],
            key=json.dumps,
        ),
        f"the denies keeping bucket {bucket}'s objects to the application's role through the S3 gateway endpoint",
    )


@pytest.mark.parametrize("output", [Output.DATA_BUCKET, Output.ALB_LOGS_BUCKET])
def test_bucket_logs_its_access_into_the_access_log_bucket(target, output):
    # 10.2.1: every request to the bucket is recorded; the log bucket itself is the one exception.
    bucket = target.outputs[output]
    logging = target.client("s3").get_bucket_logging(Bucket=bucket).get("LoggingEnabled", {})
    same(
        logging.get("TargetBucket"), target.outputs[Output.ACCESS_LOGS_BUCKET], f"the access logging of bucket {bucket}"
    )


@pytest.mark.controls("CKV_PAY_63")
@pytest.mark.parametrize("output", BUCKETS)
def test_bucket_lifecycle_keeps_what_the_plan_keeps(target, output):
    bucket = target.outputs[output]
    try:
        (rule,) = target.client("s3").get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError as error:
        pytest.fail(f"drift: bucket {bucket} has no lifecycle ({error.response['Error']['Code']})")
    (planned,) = _planned(target, output, "aws_s3_bucket_lifecycle_configuration")["rule"]
    expected_days = planned["expiration"][0]["days"] if planned.get("expiration") else None
    same(
        (rule["Status"], rule.get("Expiration", {}).get("Days"), rule["NoncurrentVersionExpiration"]["NoncurrentDays"]),
        (planned["status"], expected_days, planned["noncurrent_version_expiration"][0]["noncurrent_days"]),
        f"the lifecycle of bucket {bucket} (status, expiry, old versions)",
    )
