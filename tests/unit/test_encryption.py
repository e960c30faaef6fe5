"""KMS keys: every one rotates and has an alias."""

from __future__ import annotations


def test_every_kms_key_rotates(plan):
    plan.resources("aws_kms_key").assert_all({"enable_key_rotation": True})
    plan.resources("aws_kms_alias").assert_count(len(plan.resources("aws_kms_key")))
