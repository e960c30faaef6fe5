"""IAM role mutants: roles given administrator rights, inline policies widened, trust opened, roles deleted."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

from tap.mutate.operators import Case, Scope, call
from tap.mutate.operators.monitoring import ANOTHER_ACCOUNT

# A managed policy that grants everything: the most permissive thing a role can be given.
ADMINISTRATOR = "arn:aws:iam::aws:policy/AdministratorAccess"
ROLE = "aws_iam_role"
ROLE_POLICY = "aws_iam_role_policy"
ATTACHMENT = "aws_iam_role_policy_attachment"


def roles(scope: Scope) -> Iterator[Case]:
    iam = scope.aws("iam")
    for role in sorted((r for r in iam.list_roles()["Roles"] if r["Path"] == "/"), key=lambda r: r["RoleName"]):
        name, label = role["RoleName"], scope.label(role["RoleName"])
        yield scope.case(
            label,
            "add",
            "managed_policy_arns",
            "AdministratorAccess",
            "credentials",
            call("iam", "attach_role_policy", RoleName=name, PolicyArn=ADMINISTRATOR),
        )
        trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
        for operator, detail, change in TRUST_CHANGES:
            yield scope.case(
                label,
                operator,
                "assume_role_policy",
                detail,
                "credentials",
                _trust(name, trust, change),
                observes=(ROLE, "assume_role_policy"),
            )
        yield from _role_policies(scope, name, label)
        yield scope.case(
            label,
            "delete",
            "",
            "",
            "credentials",
            _role_deleted(name),
            observes=((ROLE, ""), (ROLE_POLICY, ""), (ATTACHMENT, "")),
        )


def _role_policies(scope: Scope, role: str, label: str) -> Iterator[Case]:
    """Each inline policy widened to everything, or deleted; each managed policy detached."""
    iam = scope.aws("iam")
    for policy in sorted(iam.list_role_policies(RoleName=role)["PolicyNames"]):
        document = iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"]
        everything = {**document, "Statement": [*document["Statement"], EVERYTHING]}
        yield scope.case(
            label,
            "widen",
            "inline_policy",
            scope.label(policy),
            "credentials",
            call("iam", "put_role_policy", RoleName=role, PolicyName=policy, PolicyDocument=json.dumps(everything)),
            observes=(ROLE_POLICY, "policy"),
        )
        yield scope.case(
            label,
            "delete",
            "inline_policy",
            scope.label(policy),
            "logging and retention",
            call("iam", "delete_role_policy", RoleName=role, PolicyName=policy),
            observes=(ROLE_POLICY, ""),
        )
    for attached in sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]):
        yield scope.case(
            label,
            "delete",
            "managed_policy_arns",
            attached.rsplit("/", 1)[1],
            "availability",
            call("iam", "detach_role_policy", RoleName=role, PolicyArn=attached),
            observes=(ATTACHMENT, ""),
        )


# A statement granting every action on everything: an inline policy widened as far as it goes.
EVERYTHING = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def _role_deleted(role: str):
    """The role deleted as IAM requires: its policies detached and deleted, and it taken out of its profiles."""

    def apply(aws) -> None:
        iam = aws("iam")
        for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=role, PolicyArn=attached["PolicyArn"])
        for policy in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            iam.delete_role_policy(RoleName=role, PolicyName=policy)
        for profile in iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]:
            iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=role)
        iam.delete_role(RoleName=role)

    return apply


def _trusting(principal: dict[str, str]) -> Callable[[dict[str, Any]], None]:
    # A statement of its own, without the service statement's condition: aws:SourceAccount is set only on a
    # service's requests, so beside it another principal could never assume the role (that would be no widening).
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return lambda document: document["Statement"].append(statement)


def _unconditional(document: dict[str, Any]) -> None:
    for statement in document["Statement"]:
        statement.pop("Condition", None)


# Who else may assume a role: (operator, detail, change of its trust policy). The planned trust names one service
# and binds it to this account (aws:SourceAccount, the confused deputy guard).
TRUST_CHANGES = (
    ("widen", "any AWS principal", _trusting({"AWS": "*"})),
    ("widen", "another account", _trusting({"AWS": f"arn:aws:iam::{ANOTHER_ACCOUNT}:root"})),
    ("drop", "Condition", _unconditional),
)


def _trust(role: str, document: dict[str, Any], change: Callable[[dict[str, Any]], None]):
    changed = copy.deepcopy(document)
    change(changed)
    return call("iam", "update_assume_role_policy", RoleName=role, PolicyDocument=json.dumps(changed))


GENERATORS = (roles,)
