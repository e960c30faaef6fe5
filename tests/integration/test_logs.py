"""CloudWatch log groups: retention and the logs key, as the plan declares them."""

from __future__ import annotations

import pytest

from stack.contract import Output
from tests.integration.conftest import same


@pytest.mark.controls("CKV_PAY_16", "CKV_PAY_3", "CKV_AWS_338", "CKV_AWS_158")
def test_log_groups_keep_events_and_use_the_logs_key(target):
    logs = target.client("logs")
    reported = [
        target.outputs[key]
        for key in (Output.FLOW_LOG_GROUP, Output.APP_LOG_GROUP, Output.WAF_LOG_GROUP, Output.DNS_QUERY_LOG_GROUP)
    ]
    same(
        sorted([*reported, *target.outputs[Output.DB_LOG_GROUPS]]),
        sorted(target.name(planned) for planned in target.planned("aws_cloudwatch_log_group")),
        "the log groups the deployment reports",
    )
    for planned in target.planned("aws_cloudwatch_log_group"):
        name = target.name(planned)
        found = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
        assert found, f"drift: log group {name} does not exist"
        same(
            (found[0].get("retentionInDays"), found[0].get("kmsKeyId")),
            (planned["retention_in_days"], target.outputs[Output.LOGS_KEY_ARN]),
            f"the retention and key of log group {name}",
        )
