"""KMS mutants: the stack's keys' rotation, state, policy and description changed, keys deleted, aliases moved."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tap.mutate.operators import Case, Scope

KEY = "aws_kms_key"
ALIAS = "aws_kms_alias"


def keys(scope: Scope) -> Iterator[Case]:
    kms = scope.aws("kms")
    aliases = [a for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")]
    for alias in sorted(aliases, key=lambda a: a["AliasName"]):
        label, key = scope.label(alias["AliasName"].removeprefix("alias/")), alias["TargetKeyId"]
        yield scope.case(
            label,
            "flip",
            "enable_key_rotation",
            "true -> false",
            "key management",
            _kms("disable_key_rotation", key),
            observes=(KEY, "enable_key_rotation"),
        )
        yield scope.case(
            label,
            "larger",
            "rotation_period_in_days",
            "-> 2560 days",
            "key management",
            _kms("enable_key_rotation", key, RotationPeriodInDays=2560),
            observes=(KEY, "rotation_period_in_days"),
        )
        yield scope.case(
            label,
            "flip",
            "is_enabled",
            "true -> false",
            "key management",
            _kms("disable_key", key),
            observes=(KEY, "is_enabled"),
        )
        yield scope.case(
            label,
            "delete",
            "",
            "scheduled for deletion",
            "key management",
            _key_deleted(key),
            observes=(KEY, ""),
        )
        yield scope.case(
            label,
            "swap",
            "policy",
            "-> the account default (root only)",
            "key management",
            _root_policy(key),
            observes=(KEY, "policy"),
        )
        yield scope.case(
            label,
            "swap",
            "description",
            "-> another key's",
            "naming",
            _kms("update_key_description", key, Description="a key of another purpose"),
            observes=(KEY, "description"),
        )
        yield scope.case(
            label,
            "delete",
            "alias",
            scope.label(alias["AliasName"]),
            "naming",
            _alias_deleted(alias["AliasName"]),
            observes=(ALIAS, ""),
        )
        other = next(a["TargetKeyId"] for a in aliases if a["TargetKeyId"] != key)
        yield scope.case(
            label,
            "swap",
            "alias.target_key_id",
            "-> another of the stack's keys",
            "key management",
            _retargeted(alias["AliasName"], other),
            observes=(ALIAS, "target_key_id"),
        )


def _kms(method: str, key: str, **arguments: Any):
    def apply(aws) -> None:
        getattr(aws("kms"), method)(KeyId=key, **arguments)

    return apply


def _retargeted(alias: str, key: str):
    def apply(aws) -> None:
        aws("kms").update_alias(AliasName=alias, TargetKeyId=key)

    return apply


def _key_deleted(key: str):
    def apply(aws) -> None:
        aws("kms").schedule_key_deletion(KeyId=key, PendingWindowInDays=7)

    return apply


def _root_policy(key: str):
    def apply(aws) -> None:
        kms = aws("kms")
        account = kms.describe_key(KeyId=key)["KeyMetadata"]["AWSAccountId"]
        statement = {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
        kms.put_key_policy(
            KeyId=key, PolicyName="default", Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )

    return apply


def _alias_deleted(alias: str):
    def apply(aws) -> None:
        aws("kms").delete_alias(AliasName=alias)

    return apply


GENERATORS = (keys,)
