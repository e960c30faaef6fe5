"""IAM roles: each holds exactly the permissions the plan grants it, managed and inline, and nothing more;
and only the principals the plan names may assume it."""

from __future__ import annotations

import re

import pytest

from tap.live.documents import canonical
from tests.integration.conftest import key_arn, reference_name, same

# A reference in a planned document: `${aws_cloudwatch_log_group.x.arn}`, `${data.aws_caller_identity.y.account_id}`.
REFERENCE = re.compile(r"\$\{([^}]*)\}")


def _planned_by_role(target, type_: str) -> dict[str, list]:
    """Live role name -> the planned resources of `type_` (attachments, inline policies) granted to it."""
    granted = {target.name(role): [] for role in target.planned("aws_iam_role")}
    for resource in target.planned(type_):
        granted[reference_name(target, resource["role"])].append(resource)
    return granted


def _pages(target, operation: str, key: str, role: str) -> list:
    """Every item of a paginated IAM listing for one role."""
    pages = target.client("iam").get_paginator(operation).paginate(RoleName=role)
    return [item for page in pages for item in page[key]]


@pytest.mark.controls("CKV_AWS_274", "CKV2_AWS_56")
def test_roles_attach_exactly_the_planned_managed_policies(target):
    # One more attachment (AdministratorAccess, say) widens a role without touching anything the plan names.
    expected = {
        role: sorted(attachment["policy_arn"] for attachment in attachments)
        for role, attachments in _planned_by_role(target, "aws_iam_role_policy_attachment").items()
    }
    live = {
        role: sorted(
            policy["PolicyArn"] for policy in _pages(target, "list_attached_role_policies", "AttachedPolicies", role)
        )
        for role in expected
    }
    same(live, expected, "the managed policies attached to each role")


@pytest.mark.controls("CKV_AWS_62", "CKV_AWS_63", "CKV2_AWS_40")
def test_roles_hold_exactly_the_planned_inline_policies(target):
    expected = {
        role: {target.name(policy): _resolved(target, policy["policy"]) for policy in policies}
        for role, policies in _planned_by_role(target, "aws_iam_role_policy").items()
    }
    iam = target.client("iam")
    live = {
        role: {
            name: canonical(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
            for name in _pages(target, "list_role_policies", "PolicyNames", role)
        }
        for role in expected
    }
    same(live, expected, "the inline policies of each role (name: document)")


@pytest.mark.controls("CKV_PAY_43", "CKV_AWS_62", "CKV_AWS_63")
def test_application_role_holds_each_grant_as_planned(target):
    # The application's own grants, one purpose each (the data bucket, the data key through S3, its log groups,
    # Session Manager's), compared whole: a statement added under a new Sid, under a planned one or under none
    # widens the role as surely as a planned grant widened. Grouped by Sid, so a failure says which grant.
    (role,) = target.planned("aws_iam_role", under="compute/app-role")
    (policy,) = [p for p in target.planned("aws_iam_role_policy") if p["role"] == f"${{{role.address}.id}}"]
    name, role_name = target.name(policy), target.name(role)
    live = _by_sid(
        canonical(target.client("iam").get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"])
    )
    planned = _by_sid(_resolved(target, policy["policy"]))
    for sid in sorted(live.keys() | planned.keys()):
        same(live.get(sid, []), planned.get(sid, []), f"the application role's grant {sid}")


def _by_sid(document: dict) -> dict[str, list[dict]]:
    """A canonical document's statements by Sid: every statement, each Sid with all the statements it names."""
    grouped: dict[str, list[dict]] = {}
    for statement in _statements(document):
        grouped.setdefault(statement.get("Sid", "without a Sid"), []).append(statement)
    return grouped


def _statements(document: dict) -> list[dict]:
    found = document.get("Statement", [])
    return found if isinstance(found, list) else [found]


@pytest.mark.controls("CKV_AWS_60", "CKV_AWS_61")
def test_roles_trust_exactly_the_planned_principals(target):
    # Whoever may assume a role holds every permission checked above: a trust widened (to any AWS principal,
    # another account, or without the confused-deputy condition) hands them over without touching a policy.
    iam = target.client("iam")
    for role in target.planned("aws_iam_role"):
        name = target.name(role)
        same(
            canonical(iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]),
            _resolved(target, role["assume_role_policy"]),
            f"the trust policy of role {name} (who may assume it)",
        )


def _resolved(target, document: str) -> dict:
    """A planned policy document with the references it makes read from the account."""
    return canonical(REFERENCE.sub(lambda match: _live_value(target, match[1]), target.live(document)))


def _live_value(target, reference: str) -> str:
    # Only what the roles' policies refer to today; another reference needs its own reading here.
    address, _, attribute = reference.rpartition(".")
    kind = address.rpartition(".")[0]
    if (kind, attribute) == ("data.aws_caller_identity", "account_id"):
        return target.identity["account"]
    if (kind, attribute) == ("aws_cloudwatch_log_group", "arn"):
        return _log_group_arn(target, target.name(target.plan.resource(address)))
    if (kind, attribute) == ("aws_s3_bucket", "arn"):
        return f"arn:aws:s3:::{target.name(target.plan.resource(address), 'bucket')}"
    if (kind, attribute) == ("aws_kms_key", "arn"):
        return key_arn(target, target.plan.resource(address))
    pytest.fail(f"a role's planned policy refers to ${{{reference}}}, which the live suite cannot read yet")


def _log_group_arn(target, group: str) -> str:
    found = target.client("logs").describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    return next((g["logGroupArn"] for g in found if g["logGroupName"] == group), f"(log group {group} missing)")
