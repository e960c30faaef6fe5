"""Exposure that needs no planned resource: the database's snapshots, the keys' grants and policies, the buckets' ACLs.

A snapshot shared with another account, a grant to one, an object ACL: none of them is a resource of the
plan, so no comparison with the plan can see them. Each check here reads what the account exposes itself.
"""

from __future__ import annotations

import json

import pytest

from stack.contract import Output
from tap.live.exposure import grant_outsider, outsiders
from tests.integration.conftest import same

KEYS = [Output.DATA_KEY_ARN, Output.LOGS_KEY_ARN, Output.EBS_KEY_ARN, Output.SESSION_KEY_ARN]
BUCKETS = [Output.DATA_BUCKET, Output.ALB_LOGS_BUCKET, Output.ACCESS_LOGS_BUCKET]


def _pages(client, operation: str, key: str, **arguments) -> list[dict]:
    return [item for page in client.get_paginator(operation).paginate(**arguments) for item in page[key]]


def _what(output: Output) -> str:
    return output.removesuffix("_arn").replace("_", " ")


@pytest.mark.controls("CKV_PAY_7", "CKV_AWS_17")
def test_database_snapshots_are_restorable_by_this_account_alone(target):
    # Manual, automated, and copies of either (a copy keeps the database's identifier), with those shared
    # and public: a manual one shared publicly (restore=all) or with another account is the data, outside.
    rds, account = target.client("rds"), target.identity["account"]
    snapshots = _pages(
        rds,
        "describe_db_snapshots",
        "DBSnapshots",
        DBInstanceIdentifier=target.outputs[Output.DB_IDENTIFIER],
        IncludeShared=True,
        IncludePublic=True,
    )
    ours = [s for s in snapshots if s["DBSnapshotArn"].split(":")[4] == account]
    shared = {}
    for snapshot in ours:
        if snapshot.get("SnapshotType") == "automated":  # AWS shares no automated snapshot: a copy of it, maybe
            continue
        attributes = rds.describe_db_snapshot_attributes(DBSnapshotIdentifier=snapshot["DBSnapshotIdentifier"])
        restore = [
            value
            for attribute in attributes["DBSnapshotAttributesResult"]["DBSnapshotAttributes"]
            if attribute["AttributeName"] == "restore"
            for value in attribute.get("AttributeValues", [])
        ]
        shared[snapshot["DBSnapshotIdentifier"]] = sorted(restore)
    same(shared, dict.fromkeys(shared, []), "who besides this account may restore each snapshot of the database")


@pytest.mark.controls("CKV_PAY_29", "CKV_PAY_61")
@pytest.mark.parametrize("output", KEYS)
def test_key_admits_no_other_account(target, output):
    kms, account, key = target.client("kms"), target.identity["account"], target.outputs[output]
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    admitted = {
        statement.get("Sid", f"statement {index}"): found
        for index, statement in enumerate(statements)
        if (found := outsiders(statement, account))
    }
    same(admitted, {}, f"who outside the account the key policy of the {_what(output)} admits")
    grants = {
        grant["GrantId"]: grantee
        for grant in _pages(kms, "list_grants", "Grants", KeyId=key)
        if (grantee := grant_outsider(grant, account))
    }
    same(grants, {}, f"the grants of the {_what(output)} to other accounts")


@pytest.mark.controls("CKV2_PAY_2", "CKV_PAY_33")
@pytest.mark.parametrize("output", BUCKETS)
def test_bucket_objects_carry_no_acl_grant(target, output):
    # BucketOwnerEnforced turns ACLs off for the bucket and every object in it (AWS ignores them), so the bucket
    # decides for its objects; no object is listed (their keys are the application's data).
    s3, bucket = target.client("s3"), target.outputs[output]
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    acl = s3.get_bucket_acl(Bucket=bucket)
    grants = sorted(
        f"{grant['Permission']} to {grant['Grantee'].get('URI') or grant['Grantee'].get('ID')}"
        for grant in acl["Grants"]
        if grant["Grantee"].get("ID") != acl["Owner"]["ID"]
    )
    same(
        ([rule["ObjectOwnership"] for rule in rules], grants),
        (["BucketOwnerEnforced"], []),
        f"the object ownership and the ACL grants to anyone but the owner of bucket {bucket}",
    )
