"""CloudWatch log groups: KMS-encrypted, kept for the declared retention, masking card data where it may arrive."""

from __future__ import annotations

import json

from tap.plan import Match
from tests.unit.helpers import KMS_ARN_REFERENCE

# What PutRetentionPolicy accepts: any other number fails the deploy.
CLOUDWATCH_RETENTION_DAYS = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731),
    *(1096, 1827, 2192, 2557, 2922, 3288, 3653),
)


def test_log_groups_are_encrypted_and_kept_for_the_declared_retention(plan, config):
    # The declared retention is a floor (a year of audit logs) and a ceiling: the logs carry
    # client addresses and queries, kept no longer than the retention policy says.
    plan.resources("aws_cloudwatch_log_group").assert_all(
        {"kms_key_id": KMS_ARN_REFERENCE, "retention_in_days": config.log_retention_days}
    )
    assert config.log_retention_days >= 365 and config.log_retention_days in CLOUDWATCH_RETENTION_DAYS


def test_log_groups_outlive_a_destroy_in_prod_only(plan, config):
    # skip_destroy is Terraform's alone (no AWS API holds it): asserted here, not live.
    plan.resources("aws_cloudwatch_log_group").assert_all({"skip_destroy": config.profile == "prod"})


def test_the_application_writes_into_a_declared_group(plan):
    # Without it the agent creates the group itself: unencrypted and kept for ever.
    plan.resources("aws_cloudwatch_log_group", under="logs/app-logs").only()


CARD_NUMBER = "arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"


def _protection_of(plan, group):
    """The data protection policies attached to a log group."""
    return [
        policy
        for policy in plan.resources("aws_cloudwatch_log_data_protection_policy")
        if policy["log_group_name"] == f"${{{group.address}.name}}"
    ]


def test_every_log_group_declares_whether_it_may_receive_cardholder_data(plan):
    # The declaration decides which groups must mask (CKV2_PAY_60): a group saying nothing is held to it.
    plan.resources("aws_cloudwatch_log_group").assert_all(
        {"tags": {"CardholderData": Match.that(lambda v: v in ("possible", "none"), "possible or none")}}
    )
    # pgaudit's write statements, whatever the application logs, the request URIs the WAF saw; on the hosts,
    # the journal (services' output) and what operators typed and saw in their sessions.
    may_hold = plan.resources("aws_cloudwatch_log_group").where({"tags": {"CardholderData": "possible"}})
    assert sorted(group.path.rsplit("/", 1)[1] for group in may_hold) == [
        "app-logs",
        "postgresql",
        "session-logs",
        "system-logs",
        "waf-logs",
    ]


def test_log_groups_that_may_receive_card_data_audit_and_mask_it(plan):
    for group in plan.resources("aws_cloudwatch_log_group"):
        protections = _protection_of(plan, group)
        if group["tags"]["CardholderData"] == "none":
            assert protections == [], group.path
            continue
        (protection,) = protections
        statements = json.loads(protection["policy_document"])["Statement"]
        operations = {next(iter(s["Operation"])): s for s in statements if CARD_NUMBER in s["DataIdentifier"]}
        assert operations["Audit"]["Operation"]["Audit"] == {"FindingsDestination": {}}, group.path
        assert operations["Deidentify"]["Operation"]["Deidentify"] == {"MaskConfig": {}}, group.path
