"""IAM roles that one AWS service assumes, with the AWS-managed policy that service needs."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from stack.policy_documents import assume_role


def service_role(
    scope: Construct, id_: str, *, name: str, service: str, account_id: str, policy_arn: str, attachment_id: str
) -> IamRole:
    """A role only `service` in this account may assume, granted exactly `policy_arn`."""
    role = IamRole(scope, id_, name=name, assume_role_policy=assume_role(service, account_id))
    IamRolePolicyAttachment(scope, attachment_id, role=role.name, policy_arn=policy_arn)
    return role
