"""Matchers shared by several unit test modules."""

from __future__ import annotations

from tap.plan import Match

KMS_ARN_REFERENCE = Match.that(
    lambda v: isinstance(v, str) and v.startswith("${aws_kms_key.") and v.endswith(".arn}"), "a KMS key ARN reference"
)
