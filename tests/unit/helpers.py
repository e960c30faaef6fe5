"""Matchers and look-ups shared by several unit test modules."""

from __future__ import annotations

from tap.plan import Match

# How the plan spells the deployment suffix drawn into Terraform state (stack/naming.py).
SUFFIX_REFERENCE = "${random_id.deployment.hex}"
KMS_ARN_REFERENCE = Match.that(
    lambda v: isinstance(v, str) and v.startswith("${aws_kms_key.") and v.endswith(".arn}"), "a KMS key ARN reference"
)


def referenced(value: str) -> str:
    """The address a `${type.name.attribute}` reference names."""
    return value.removeprefix("${").rsplit(".", 1)[0]


def public_route_table(plan):
    """The one route table with a route to the internet gateway."""
    (table,) = [t for t in plan.resources("aws_route_table") if any(r.get("gateway_id") for r in t.get("route", []))]
    return table
