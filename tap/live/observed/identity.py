"""The stack's IAM roles, their inline policies and managed policy attachments, as IAM's Get calls show them."""

from __future__ import annotations

from tap.live.observed.table import Kind, Observer, at, unless_missing
from tap.plan import Resource

NO_ENTITY = "NoSuchEntity"  # what IAM answers for a role or policy that is not there


def _role(observer: Observer, resource: Resource) -> dict | None:
    iam = observer.client("iam")
    name = observer.value(resource, "name")
    return unless_missing(lambda: iam.get_role(RoleName=name)["Role"], NO_ENTITY)


def _role_policy(observer: Observer, resource: Resource) -> dict | None:
    iam = observer.client("iam")
    role, name = observer.value(resource, "role"), observer.value(resource, "name")
    return unless_missing(lambda: iam.get_role_policy(RoleName=role, PolicyName=name), NO_ENTITY)


def _attachment(observer: Observer, resource: Resource) -> dict | None:
    """The planned managed policy among those attached to the planned role."""
    iam = observer.client("iam")
    role, policy = observer.value(resource, "role"), observer.value(resource, "policy_arn")
    pages = unless_missing(
        lambda: list(iam.get_paginator("list_attached_role_policies").paginate(RoleName=role)), NO_ENTITY
    )
    attached = [p["PolicyArn"] for page in pages or [] for p in page["AttachedPolicies"]]
    return {"RoleName": role, "PolicyArn": policy} if policy in attached else None


ROLE_NAME = at("RoleName")

KINDS = {
    "aws_iam_role": Kind(
        describe=_role,
        attributes={"name": ROLE_NAME, "assume_role_policy": at("AssumeRolePolicyDocument")},
        exports={"name": ROLE_NAME, "id": ROLE_NAME, "arn": at("Arn"), "unique_id": at("RoleId")},
        fixed=frozenset({"name"}),
    ),
    "aws_iam_role_policy": Kind(
        describe=_role_policy,
        attributes={"role": ROLE_NAME, "name": at("PolicyName"), "policy": at("PolicyDocument")},
        fixed=frozenset({"role", "name"}),
    ),
    "aws_iam_role_policy_attachment": Kind(
        describe=_attachment,
        attributes={"role": ROLE_NAME, "policy_arn": at("PolicyArn")},
        fixed=frozenset({"role", "policy_arn"}),
    ),
}
