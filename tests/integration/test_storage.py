"""S3: default encryption (read from ServerSideEncryptionConfiguration.Rules), versioning,
public access block and the TLS-only policy, for every bucket."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from stack.contract import Output
from tap.live.documents import canonical
from tap.live.rehearsal.engine import ELB_ACCOUNTS
from tests.integration.conftest import same

# A reference in a planned document: `${aws_s3_bucket.x.arn}`, `${data.aws_elb_service_account.y.id}`.
REFERENCE = re.compile(r"\$\{([^}]*)\}")

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


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _object_write_denies(statements: list[dict]) -> dict:
    """The statements denying s3:PutObject, in canonical form: who may still write, and where."""
    return canonical(
        {"Statement": [s for s in statements if s["Effect"] == "Deny" and "s3:PutObject" in _listed(s["Action"])]}
    )


def _planned_statements(target, output: str) -> list[dict]:
    """The plan's policy of the bucket, its references read as the account has them."""
    policy = _planned(target, output, "aws_s3_bucket_policy")["policy"]
    return json.loads(REFERENCE.sub(lambda match: _live_value(target, match[1]), target.live(policy)))["Statement"]


def _live_value(target, reference: str) -> str:
    # Only what the log buckets' policies refer to today; another reference needs its own reading here.
    address, _, attribute = reference.rpartition(".")
    kind = address.rpartition(".")[0]
    if (kind, attribute) == ("data.aws_caller_identity", "account_id"):
        return target.identity["account"]
    if (kind, attribute) == ("data.aws_elb_service_account", "id"):
        return _elb_account(target)
    if (kind, attribute) == ("data.aws_elb_service_account", "arn"):
        return f"arn:aws:iam::{_elb_account(target)}:root"
    if (kind, attribute) == ("aws_s3_bucket", "arn"):
        return f"arn:aws:s3:::{target.name(target.plan.resource(address), 'bucket')}"
    pytest.fail(f"a bucket's planned policy refers to ${{{reference}}}, which the live suite cannot read yet")


def _elb_account(target) -> str:
    """The account Elastic Load Balancing delivers from in the region, from AWS's published list."""
    region = target.identity["region"]
    if region not in ELB_ACCOUNTS:
        pytest.fail(f"the live suite does not know the ELB log account of {region}: add it to ELB_ACCOUNTS")
    return ELB_ACCOUNTS[region]


@pytest.mark.controls("CKV_PAY_62")
@pytest.mark.parametrize("output", LOG_BUCKETS)
def test_log_bucket_policy_denies_writing_logs_to_all_but_the_delivery_service(target, output):
    """Nobody but the delivery service the plan names may put an object: no log is overwritten or forged.
    The expectation is the plan's, never the account's own grants: a drift rewriting both would agree with itself."""
    bucket = target.outputs[output]
    same(
        _object_write_denies(_policy_statements(target, bucket)),
        _object_write_denies(_planned_statements(target, output)),
        f"the deny of writing log objects to all but the delivery service in bucket {bucket}",
    )


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
