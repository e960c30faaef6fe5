"""Fixes to moto 5.2.5's CloudWatch Logs: `logs-data-protection-policy`."""

from __future__ import annotations

import json
from typing import Any

from tap.live.moto_fixes import fix


@fix(
    "logs-data-protection-policy",
    "logs: PutDataProtectionPolicy, GetDataProtectionPolicy and DeleteDataProtectionPolicy are not implemented "
    "(HTTP 500); AWS keeps one policy document per log group (named or by ARN), returns it with the group and "
    "deletes it with the group.",
)
def _logs_keeps_data_protection_policies() -> None:
    from moto.logs.exceptions import ResourceNotFoundException
    from moto.logs.responses import LogsResponse

    def policies(response: Any) -> dict[str, str]:
        backend = response.logs_backend
        if not hasattr(backend, "data_protection_policies"):
            backend.data_protection_policies = {}
        return backend.data_protection_policies

    def group(response: Any) -> str:
        """The log group's name, given its name or its ARN; an unknown group is AWS's ResourceNotFoundException."""
        identifier = response._get_param("logGroupIdentifier")
        name = identifier.split(":log-group:", 1)[-1].removesuffix(":*")
        if name not in response.logs_backend.groups:
            raise ResourceNotFoundException("The specified log group does not exist.")
        return name

    def put_data_protection_policy(self: Any) -> str:
        name = group(self)
        policies(self)[name] = self._get_param("policyDocument")
        return json.dumps({"logGroupIdentifier": name, "policyDocument": policies(self)[name]})

    def get_data_protection_policy(self: Any) -> str:
        name = group(self)
        kept = policies(self).get(name)
        return json.dumps({"logGroupIdentifier": name, **({"policyDocument": kept} if kept else {})})

    def delete_data_protection_policy(self: Any) -> str:
        policies(self).pop(group(self), None)
        return ""

    deleting_the_group = LogsResponse.delete_log_group

    def delete_log_group(self: Any) -> str:
        """A group deleted takes its policy along: one made again under its name has none."""
        policies(self).pop(self._get_param("logGroupName"), None)
        return deleting_the_group(self)

    LogsResponse.put_data_protection_policy = put_data_protection_policy
    LogsResponse.get_data_protection_policy = get_data_protection_policy
    LogsResponse.delete_data_protection_policy = delete_data_protection_policy
    LogsResponse.delete_log_group = delete_log_group
