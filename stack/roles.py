"""IAM roles that one AWS service assumes, with the AWS-managed policy that service needs."""

from __future__ import annotations

from constructs import Construct

from stack.cdk import aws
from stack.policy_documents import assume_role


def service_role(
    scope: Construct, id_: str, *, name: str, service: str, account_id: str, policy_arn: str, attachment_id: str
) -> aws.iam_role.IamRole:
    """A role only `service` in this account may assume, granted exactly `policy_arn`."""
    role = aws.iam_role.IamRole(scope, id_, name=name, assume_role_policy=assume_role(service, account_id))
    aws.iam_role_policy_attachment.IamRolePolicyAttachment(scope, attachment_id, role=role.name, policy_arn=policy_arn)
    return role
