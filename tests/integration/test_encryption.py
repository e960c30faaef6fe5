"""KMS: every key rotates, and its policy is the plan's: administration apart from use, destruction denied."""

from __future__ import annotations

import pytest

from stack.contract import Output
from tap.live.documents import canonical
from tests.integration.conftest import same

KEYS = {Output.DATA_KEY_ARN: "data-key", Output.LOGS_KEY_ARN: "logs-key", Output.EBS_KEY_ARN: "ebs-key"}
ACCOUNT_ID = "${data.aws_caller_identity.account.account_id}"


def _what(output: Output) -> str:
    return output.removesuffix("_arn").replace("_", " ")


@pytest.mark.controls("CKV_PAY_5", "CKV_AWS_7")
@pytest.mark.parametrize("output", list(KEYS))
def test_key_rotates(target, output):
    enabled = target.client("kms").get_key_rotation_status(KeyId=target.outputs[output])["KeyRotationEnabled"]
    same(enabled, True, f"automatic rotation of the {_what(output)}")


@pytest.mark.parametrize("output", list(KEYS))
def test_key_is_enabled_and_not_scheduled_for_deletion(target, output):
    # A disabled key, or one pending deletion, makes every object and volume it protects unreadable.
    metadata = target.client("kms").describe_key(KeyId=target.outputs[output])["KeyMetadata"]
    same((metadata["KeyState"], metadata.get("DeletionDate")), ("Enabled", None), f"the state of the {_what(output)}")


@pytest.mark.controls("CKV_PAY_27", "CKV_PAY_28", "CKV_PAY_29")
@pytest.mark.parametrize("output", list(KEYS))
def test_key_policy_is_the_planned_one(target, output):
    """Who may administer, use and destroy the key: exactly the plan's statements, by Sid."""
    account = target.client("sts").get_caller_identity()["Account"]
    (planned,) = target.planned("aws_kms_key", under=f"encryption/{KEYS[output]}")
    # By meaning: KMS may hand back a one-element list as a lone value.
    expected = canonical(target.live(planned["policy"]).replace(ACCOUNT_ID, account))["Statement"]
    live = canonical(target.client("kms").get_key_policy(KeyId=target.outputs[output], PolicyName="default")["Policy"])[
        "Statement"
    ]
    same(
        {statement.get("Sid"): statement for statement in live},
        {statement["Sid"]: statement for statement in expected},
        f"the key policy of the {_what(output)}",
    )
