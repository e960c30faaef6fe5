"""Presigning on a guarded session: refused, for every service and operation, before a URL exists.

A presigned URL is a request signed now and sent later by anyone, as plain HTTP: the
guard's before-call handler never sees it. Shown against a moto server over HTTP.
"""

from __future__ import annotations

import urllib.request
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

from tap.live.emulator import moto_server
from tap.live.guard import PresignRefused, read_only_session
from tap.live.rehearsal import EMULATOR_CREDENTIALS

REGION = "us-east-1"


@pytest.fixture(scope="module")
def emulator():
    with moto_server() as url:
        yield url


@pytest.fixture
def stored_object(emulator) -> tuple[str, str]:
    """A bucket and an object in it, put there through an unguarded session."""
    bucket, key = f"presign-{uuid.uuid4().hex[:12]}", "payments/ledger.csv"
    s3 = boto3.Session(region_name=REGION, **EMULATOR_CREDENTIALS).client("s3", endpoint_url=emulator)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=b"ledger")
    return bucket, key


def unguarded(service: str, endpoint: str):
    return boto3.Session(region_name=REGION, **EMULATOR_CREDENTIALS).client(service, endpoint_url=endpoint)


def guarded(service: str, endpoint: str):
    return read_only_session(region_name=REGION, **EMULATOR_CREDENTIALS).client(service, endpoint_url=endpoint)


# Straight to the emulator: urlopen would send the request through any proxy the environment names.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def send_delete(url: str) -> int:
    with DIRECT.open(urllib.request.Request(url, method="DELETE"), timeout=10) as response:
        return response.status


def object_exists(emulator: str, bucket: str, key: str) -> bool:
    try:
        unguarded("s3", emulator).head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] == "404":
            return False
        raise
    return True


def test_presigned_delete_from_an_unguarded_session_deletes_the_object(emulator, stored_object):
    # The attack, unguarded: it works against this emulator, so the guarded test below can fail.
    bucket, key = stored_object
    url = unguarded("s3", emulator).generate_presigned_url("delete_object", Params={"Bucket": bucket, "Key": key})
    assert send_delete(url) == 204
    assert not object_exists(emulator, bucket, key)


def test_presigned_delete_on_a_guarded_client_is_refused_and_the_object_stays(emulator, stored_object):
    bucket, key = stored_object
    with pytest.raises(PresignRefused, match="refused presigning s3:DeleteObject.*presigning is refused"):
        guarded("s3", emulator).generate_presigned_url("delete_object", Params={"Bucket": bucket, "Key": key})
    assert object_exists(emulator, bucket, key)


@pytest.mark.parametrize(
    ("service", "presign"),
    [
        pytest.param(
            "s3",
            lambda s3: s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}),
            id="s3-get-object",
        ),
        pytest.param(
            "s3",
            lambda s3: s3.generate_presigned_url("get_bucket_location", Params={"Bucket": "b"}),
            id="s3-allowed-read",
        ),
        pytest.param("s3", lambda s3: s3.generate_presigned_post("b", "k"), id="s3-post"),
        pytest.param("ec2", lambda ec2: ec2.generate_presigned_url("describe_vpcs"), id="ec2-allowed-read"),
        pytest.param(
            "ec2",
            lambda ec2: ec2.generate_presigned_url("terminate_instances", Params={"InstanceIds": ["i-1"]}),
            id="ec2-write",
        ),
        # A presigned GetCallerIdentity is what an EKS token is.
        pytest.param("sts", lambda sts: sts.generate_presigned_url("get_caller_identity"), id="sts-allowed-read"),
        # An RDS IAM auth token is a presigned URL that serves as a database password.
        pytest.param(
            "rds", lambda rds: rds.generate_db_auth_token("db.internal", 5432, "payments"), id="rds-db-auth-token"
        ),
        pytest.param(
            "secretsmanager",
            lambda sm: sm.generate_presigned_url("get_secret_value", Params={"SecretId": "rds!db"}),
            id="secret-value",
        ),
    ],
)
def test_presigning_on_a_guarded_client_is_refused(emulator, service, presign):
    with pytest.raises(PresignRefused, match="presigning is refused"):
        presign(guarded(service, emulator))


def test_allowed_read_on_a_guarded_client_still_answers(emulator, stored_object):
    bucket, _ = stored_object
    s3 = guarded("s3", emulator)
    s3.head_bucket(Bucket=bucket)
    assert s3.get_bucket_versioning(Bucket=bucket).get("Status") is None  # never versioned
