"""CloudWatch log groups: KMS-encrypted and kept at least a year."""

from __future__ import annotations

from tap.plan import Match
from tests.unit.helpers import KMS_ARN_REFERENCE


def test_log_groups_are_encrypted_and_kept_a_year(plan, config):
    plan.resources("aws_cloudwatch_log_group").assert_all(
        {"kms_key_id": KMS_ARN_REFERENCE, "retention_in_days": Match.at_least(365)}
    )
    assert config.log_retention_days >= 365


def test_log_groups_outlive_a_destroy_in_prod_only(plan, config):
    # skip_destroy is Terraform's alone (no AWS API holds it): asserted here, not live.
    plan.resources("aws_cloudwatch_log_group").assert_all({"skip_destroy": config.profile == "prod"})


def test_the_application_writes_into_a_declared_group(plan):
    # Without it the agent creates the group itself: unencrypted and kept for ever.
    plan.resources("aws_cloudwatch_log_group", under="logs/app-logs").only()
