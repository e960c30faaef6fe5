"""Terraform-only resources, data sources and IAM: the account the stack is deployed into."""

from __future__ import annotations

import secrets

from tap.errors import UsageError
from tap.live.rehearsal.engine import ELB_ACCOUNTS, Rehearsal, handles


@handles("random_id")
def _random_id(r: Rehearsal, body: dict) -> dict:
    value = secrets.token_hex(body["byte_length"])
    return {"hex": value, "id": value, "dec": str(int(value, 16))}


@handles("data.aws_caller_identity")
def _caller(r: Rehearsal, body: dict) -> dict:
    identity = r.client("sts").get_caller_identity()
    return {"account_id": identity["Account"], "arn": identity["Arn"], "id": identity["Account"]}


@handles("data.aws_elb_service_account")
def _elb_account(r: Rehearsal, body: dict) -> dict:
    if r.region not in ELB_ACCOUNTS:
        raise UsageError(f"tap rehearse does not know the ELB log account of {r.region}: add it to ELB_ACCOUNTS")
    account = ELB_ACCOUNTS[r.region]
    return {"arn": f"arn:aws:iam::{account}:root", "id": account}


@handles("data.aws_ssm_parameter")
def _ssm_parameter(r: Rehearsal, body: dict) -> dict:
    parameter = r.client("ssm").get_parameter(Name=body["name"])["Parameter"]
    return {"insecure_value": parameter["Value"], "value": parameter["Value"], "arn": parameter["ARN"]}


@handles("aws_iam_role")
def _role(r: Rehearsal, body: dict) -> dict:
    role = r.client("iam").create_role(
        RoleName=body["name"], AssumeRolePolicyDocument=body["assume_role_policy"], Tags=r.tag_list(body.get("tags"))
    )["Role"]
    return {"arn": role["Arn"], "name": role["RoleName"], "id": role["RoleName"], "unique_id": role["RoleId"]}


@handles("aws_iam_role_policy")
def _role_policy(r: Rehearsal, body: dict) -> dict:
    r.client("iam").put_role_policy(RoleName=body["role"], PolicyName=body["name"], PolicyDocument=body["policy"])
    return {"id": f"{body['role']}:{body['name']}"}


@handles("aws_iam_role_policy_attachment")
def _role_attachment(r: Rehearsal, body: dict) -> dict:
    r.client("iam").attach_role_policy(RoleName=body["role"], PolicyArn=body["policy_arn"])
    return {"id": f"{body['role']}-{body['policy_arn']}"}


@handles("aws_iam_instance_profile")
def _instance_profile(r: Rehearsal, body: dict) -> dict:
    iam = r.client("iam")
    profile = iam.create_instance_profile(InstanceProfileName=body["name"])["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName=body["name"], RoleName=body["role"])
    return {"arn": profile["Arn"], "name": body["name"], "id": body["name"]}
