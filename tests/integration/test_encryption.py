"""KMS: every key rotates."""

from __future__ import annotations

import pytest

from stack.contract import Output
from tests.integration.conftest import same


@pytest.mark.controls("CKV_PAY_5", "CKV_AWS_7")
@pytest.mark.parametrize("output", [Output.DATA_KEY_ARN, Output.LOGS_KEY_ARN, Output.EBS_KEY_ARN])
def test_key_rotates(target, output):
    enabled = target.client("kms").get_key_rotation_status(KeyId=target.outputs[output])["KeyRotationEnabled"]
    same(enabled, True, f"automatic rotation of the {output.removesuffix('_arn').replace('_', ' ')}")
