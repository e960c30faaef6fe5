"""CloudWatch log groups: KMS-encrypted and kept for the declared retention, at least a year."""

from __future__ import annotations

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
