"""Fixes to moto 5.2.5's KMS: `kms-rotation-period`."""

from __future__ import annotations

import json
from typing import Any

from tap.live.moto_fixes import fix


@fix(
    "kms-rotation-period",
    "kms: EnableKeyRotation ignores RotationPeriodInDays and GetKeyRotationStatus returns neither it nor KeyId; "
    "AWS keeps the period (365 days unless given, 90 to 2560) and returns both while rotation is enabled.",
)
def _kms_keeps_the_rotation_period() -> None:
    from moto.kms.responses import KmsResponse

    enable, status = KmsResponse.enable_key_rotation, KmsResponse.get_key_rotation_status

    def enable_key_rotation(self: Any) -> str:
        answer = enable(self)
        key = self.kms_backend.describe_key(self._get_param("KeyId"))
        key.rotation_period_in_days = int(self._get_param("RotationPeriodInDays") or 365)
        return answer

    def get_key_rotation_status(self: Any) -> str:
        answer = json.loads(status(self))
        key = self.kms_backend.describe_key(self._get_param("KeyId"))
        answer["KeyId"] = key.id
        if answer["KeyRotationEnabled"]:
            answer["RotationPeriodInDays"] = getattr(key, "rotation_period_in_days", 365)
        return json.dumps(answer)

    KmsResponse.enable_key_rotation = enable_key_rotation
    KmsResponse.get_key_rotation_status = get_key_rotation_status
