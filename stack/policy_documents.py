"""IAM and resource policy documents as plain data (no cdktf import).

Kept in one place so every module builds statements the same way and unit tests
can read them back out of the plan as JSON.
"""

from __future__ import annotations

import json
from typing import Any

Statement = dict[str, Any]

KEY_USE = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
# AWS's key administrator actions without kms:CreateGrant (a grant is a way to *use* the key):
# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators
ADMINISTRATION = [
    "kms:CreateAlias",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
]
# What destroys a key or its protection; only the administrators may.
DESTRUCTION = ["kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"]

# Amazon Linux 2023 reads its package repositories (dnf's mirror list points at
# al2023-repos-<region>-de612dc2.s3.dualstack.<region>.amazonaws.com) from this S3 bucket in
# each region: the instances' only way to updates once there is no NAT.
AL2023_REPOSITORY_BUCKET = "al2023-repos-{region}-de612dc2"
# What SSM Agent reads from AWS-owned buckets on Linux: agent updates (amazon-ssm), Run
# Command and patching documents (aws-ssm), document attachments, patch baseline snapshots.
# The Windows, macOS and Distributor buckets of the same page are left out: nothing here uses them.
# https://docs.aws.amazon.com/systems-manager/latest/userguide/ssm-agent-minimum-s3-permissions.html
SSM_AGENT_BUCKETS = (
    "amazon-ssm-{region}",
    "aws-ssm-{region}",
    "aws-ssm-document-attachments-{region}",
    "patch-baseline-snapshot-{region}",
)


def document(*statements: Statement) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def assume_role(service: str, account_id: str) -> str:
    """Trust policy for one AWS service, limited to this account (confused deputy)."""
    return document(
        {
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }
    )


def account_root(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def role_arn(account_id: str, role: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{role}"


def deny_insecure_transport(bucket_arn: str) -> Statement:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
