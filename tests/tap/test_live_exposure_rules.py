"""Who outside the account a key policy statement or grant admits, and the interfaces AWS makes for planned owners:
the rules the live suite applies where the rehearsal cannot make the account answer (moto makes no
requester-managed interface, and no AWS service grants)."""

from __future__ import annotations

import pytest

from tap.live.exposure import grant_outsider, outsiders
from tap.live.inventory import managed_interface_owner

THIS = "123456789012"
OTHER = "111122223333"


def _allow(principal, condition=None) -> dict:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "kms:Decrypt", "Resource": "*"}
    return {**statement, "Condition": condition} if condition else statement


@pytest.mark.parametrize(
    "statement",
    [
        _allow({"AWS": f"arn:aws:iam::{THIS}:root"}),
        _allow({"AWS": [THIS, f"arn:aws:iam::{THIS}:role/app"]}),
        _allow("*", {"StringEquals": {"kms:CallerAccount": THIS}}),
        _allow({"AWS": "*"}, {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{THIS}:role/x"}}),
        _allow(
            {"Service": "logs.ap-southeast-1.amazonaws.com"},
            {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:ap-southeast-1:{THIS}:*"}},
        ),
        _allow({"Service": "events.amazonaws.com"}, {"StringEquals": {"aws:SourceAccount": THIS}}),
        {**_allow({"AWS": f"arn:aws:iam::{OTHER}:root"}), "Effect": "Deny"},
    ],
)
def test_statement_confined_to_the_account_admits_no_outsider(statement):
    assert outsiders(statement, THIS) == []


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        (_allow({"AWS": f"arn:aws:iam::{OTHER}:root"}), OTHER),
        (_allow({"AWS": [f"arn:aws:iam::{THIS}:root", OTHER]}), OTHER),
        (_allow("*"), "every principal"),
        (_allow({"AWS": "*"}, {"StringEquals": {"kms:ViaService": "s3.ap-southeast-1.amazonaws.com"}}), "every"),
        # Negated, IfExists or wildcard-account conditions bind nothing to the account.
        (_allow("*", {"StringNotEquals": {"kms:CallerAccount": OTHER}}), "every principal"),
        (_allow("*", {"StringEqualsIfExists": {"kms:CallerAccount": THIS}}), "every principal"),
        (_allow("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}}), "every principal"),
        (_allow("*", {"StringEquals": {"kms:CallerAccount": [THIS, OTHER]}}), "every principal"),
        (_allow({"Service": "logs.amazonaws.com"}), "Service logs.amazonaws.com of any account"),
        ({"Effect": "Allow", "NotPrincipal": {"AWS": OTHER}, "Action": "kms:*", "Resource": "*"}, "every"),
    ],
)
def test_statement_admitting_an_outsider_names_it(statement, named):
    assert any(named in found for found in outsiders(statement, THIS)), outsiders(statement, THIS)


@pytest.mark.parametrize(
    ("grantee", "outsider"),
    [
        (f"arn:aws:iam::{THIS}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", None),
        ("rds.ap-southeast-1.amazonaws.com", None),
        (f"arn:aws:iam::{OTHER}:root", f"arn:aws:iam::{OTHER}:root"),
        (OTHER, OTHER),
    ],
)
def test_grant_to_another_account_is_named(grantee, outsider):
    assert grant_outsider({"GranteePrincipal": grantee}, THIS) == outsider


ALB = f"arn:aws:elasticloadbalancing:ap-southeast-1:{THIS}:loadbalancer/app/payment-alb/0123abcd"
DB_GROUP = "sg-db"


@pytest.mark.parametrize(
    ("interface", "owner"),
    [
        ({"RequesterManaged": True, "Description": "ELB app/payment-alb/0123abcd"}, "load balancer"),
        (
            {"RequesterManaged": True, "Description": "RDSNetworkInterface", "Groups": [{"GroupId": DB_GROUP}]},
            "database",
        ),
        # Anyone may write a description; only AWS makes an interface requester-managed.
        ({"RequesterManaged": False, "Description": "ELB app/payment-alb/0123abcd"}, None),
        ({"RequesterManaged": True, "Description": "ELB app/other-alb/99"}, None),
        ({"RequesterManaged": True, "Description": "RDSNetworkInterface", "Groups": [{"GroupId": "sg-other"}]}, None),
        ({"RequesterManaged": True, "Description": "AWS Lambda VPC ENI-x"}, None),
    ],
)
def test_interface_aws_made_for_a_planned_owner_is_told_apart(interface, owner):
    found = managed_interface_owner(interface, ALB, DB_GROUP)
    assert (found and owner in found) if owner else found is None
