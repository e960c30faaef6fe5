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
