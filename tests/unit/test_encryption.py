"""KMS keys: every one rotates, has an alias, and a policy that separates administration from use."""

from __future__ import annotations

import json

import pytest

from stack.policy_documents import DESTRUCTION
from tap.plan import Match


def _statements(key) -> dict[str, dict]:
    return {statement["Sid"]: statement for statement in json.loads(key["policy"])["Statement"]}


def test_every_kms_key_rotates(plan):
    plan.resources("aws_kms_key").assert_all({"enable_key_rotation": True})
    plan.resources("aws_kms_alias").assert_count(len(plan.resources("aws_kms_key")))


def test_no_key_policy_allows_every_kms_action(plan):
    for key in plan.resources("aws_kms_key"):
        for statement in _statements(key).values():
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not {"*", "kms:*"} & set(actions), (key.address, statement["Sid"])
            assert "kms:CreateGrant" not in actions or "Condition" in statement, (key.address, statement["Sid"])


def test_only_the_administrators_may_disable_delete_or_rewrite_a_key(plan, config):
    for key in plan.resources("aws_kms_key"):
        deny = _statements(key)["OnlyAdministratorsDestroyTheKey"]
        assert (deny["Effect"], deny["Principal"], deny["Action"]) == ("Deny", {"AWS": "*"}, DESTRUCTION)
        exempt = deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
        assert [arn.rsplit(":", 1)[1] for arn in exempt] == [f"role/{config.key_administrator_role}", "root"]
        # The account root keeps every administrative action, so the account cannot lock itself out.
        administers = _statements(key)["AccountAdministersThroughIam"]
        assert administers["Principal"]["AWS"].endswith(":root")
        assert {"kms:Disable*", "kms:ScheduleKeyDeletion", "kms:Put*"} <= set(administers["Action"])


@pytest.mark.parametrize(("key", "services"), [("data-key", {"rds", "secretsmanager", "s3"}), ("logs-key", {"sns"})])
def test_principals_use_a_key_only_through_the_services_that_hold_its_data(plan, config, key, services):
    use = _statements(plan.resources("aws_kms_key", under=f"encryption/{key}").only())["UseThroughServices"]
    assert set(use["Condition"]["StringEquals"]["kms:ViaService"]) == {
        f"{service}.{config.region}.amazonaws.com" for service in services
    }


def test_every_service_grant_is_bound_to_this_account(plan):
    for key in plan.resources("aws_kms_key"):
        for statement in _statements(key).values():
            if "Service" in statement["Principal"]:
                keys = {key for operator in statement["Condition"].values() for key in operator}
                assert keys & {"aws:SourceAccount", "aws:SourceArn", "kms:EncryptionContext:aws:logs:arn"}, (
                    key.address,
                    statement["Sid"],
                )


def test_keys_rotate_at_least_yearly_and_wait_the_longest_before_deletion(plan):
    # 3.6.1/3.7.4: a cryptoperiod of at most a year; 30 days (AWS's maximum) to notice a deletion scheduled.
    plan.resources("aws_kms_key").assert_all(
        {
            "rotation_period_in_days": Match.that(lambda days: 90 <= days <= 365, "between 90 and 365 days"),
            "deletion_window_in_days": 30,
        }
    )


def test_every_key_says_what_it_protects(plan):
    # 3.6.1.1: the documented description of each key's purpose, kept with the key.
    plan.resources("aws_kms_key").assert_all({"description": Match.that(str.strip, "its purpose")})


def test_no_key_serves_every_principal_without_naming_it(plan):
    # 7.2.2: `Principal: "*"` of the account would let any principal use the key (and create grants)
    # without any IAM grant; a wildcard principal is bound to named ARNs, never to a pattern.
    for key in plan.resources("aws_kms_key"):
        for statement in _statements(key).values():
            if statement["Effect"] != "Allow" or statement["Principal"] not in ("*", {"AWS": "*"}):
                continue
            (named,) = statement["Condition"]["ArnEquals"].values()
            assert named and "*" not in str(named), (key.address, statement["Sid"])


def test_ebs_key_serves_only_the_auto_scaling_role_through_ec2(plan, config):
    (use,) = [
        statement
        for statement in _statements(plan.resources("aws_kms_key", under="encryption/ebs-key").only()).values()
        if statement["Effect"] == "Allow" and "kms:CreateGrant" in statement["Action"]
    ]
    assert use["Condition"]["ArnEquals"] == {
        "aws:PrincipalArn": "arn:aws:iam::${data.aws_caller_identity.account.account_id}:role/"
        "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    }
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == f"ec2.{config.region}.amazonaws.com"


def _keys_of(plan, resource, attributes) -> set[str]:
    return {
        resource[attribute].removeprefix("${").removesuffix(".arn}")
        for attribute in attributes
        if resource.get(attribute)
    }


def test_keys_of_what_outlives_the_stack_cannot_be_destroyed_and_no_other(plan, config):
    # A destroy schedules a key's deletion: 30 days later a retained log group or final snapshot it
    # encrypts is unreadable. Prod keeps both (the logs and the data key); dev keeps neither.
    outliving = set()
    for group in plan.resources("aws_cloudwatch_log_group").where({"skip_destroy": True}):
        outliving |= _keys_of(plan, group, ["kms_key_id"])
    for database in plan.resources("aws_db_instance").where({"skip_final_snapshot": False}):
        outliving |= _keys_of(plan, database, ["kms_key_id"])
    protected = {
        key.address for key in plan.resources("aws_kms_key") if key.get("lifecycle", {}).get("prevent_destroy")
    }
    assert protected == outliving
    expected = {"encryption/data-key", "encryption/logs-key"} if config.profile == "prod" else set()
    assert {plan.resource(address).path for address in protected} == expected
