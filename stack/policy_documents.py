"""IAM and resource policy documents as plain data (no cdktf import).

Kept in one place so every module builds statements the same way and unit tests
can read them back out of the plan as JSON.
"""

from __future__ import annotations

import json
from typing import Any

Statement = dict[str, Any]


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
