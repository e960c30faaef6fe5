"""Fixes to moto 5.2.5's S3: `s3-logging-policy-principal`."""

from __future__ import annotations

import json
from typing import Any

from tap.live.moto_fixes import as_list, fix


@fix(
    "s3-logging-policy-principal",
    "s3: PutBucketLogging answers HTTP 500 when the target bucket's policy has a statement whose Principal is "
    'the string "*" (FakeBucket._log_permissions_enabled_policy calls .get on it), and it misses a logging grant '
    "whose Service, Action or Resource is a list. AWS reads each of them as a lone value or a list.",
)
def _s3_logging_reads_any_principal() -> None:
    from moto.s3.models import LOGGING_SERVICE_PRINCIPAL, FakeBucket

    def grants_log_delivery(target_bucket: Any, target_prefix: str | None) -> bool:
        if not target_bucket.policy:
            return False
        prefix = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}"
        resources = {prefix, f"{prefix}/*", f"{prefix}/{target_prefix or ''}*"}
        for statement in as_list(json.loads(target_bucket.policy.decode()).get("Statement", [])):
            principal = statement.get("Principal")
            services = as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
            if (
                LOGGING_SERVICE_PRINCIPAL in services
                and statement.get("Effect") == "Allow"
                and "s3:PutObject" in as_list(statement.get("Action", []))
                and resources & set(as_list(statement.get("Resource", [])))
            ):
                return True
        return False

    FakeBucket._log_permissions_enabled_policy = staticmethod(grants_log_delivery)
