"""CloudWatch log groups: every one KMS-encrypted and kept for the configured period.

Where the profile protects logs (prod), `cdktf destroy` leaves the groups behind
(`skip_destroy`): the audit trail outlives the stack it describes. Their
names carry the deployment suffix, so the next deployment never collides with them.
"""

from __future__ import annotations

from constructs import Construct

from stack.cdk import aws
from stack.config import Config
from stack.naming import Names

DB_LOG_EXPORTS = ("postgresql", "upgrade")


class Logs(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: Config, names: Names, key: aws.kms_key.KmsKey):
        super().__init__(scope, id_)
        self._config = config
        self._names = names
        self._key = key
        self.flow_logs = self._group("flow-logs")
        self.app_logs = self._group("app-logs")
        self.waf_logs = self._group("waf-logs")
        # Created before the database, so RDS exports into these instead of making
        # unencrypted groups that never expire.
        self.db_logs = {export: self._group(export) for export in DB_LOG_EXPORTS}

    @property
    def groups(self) -> dict[str, aws.cloudwatch_log_group.CloudwatchLogGroup]:
        """Every group of the stack, by its naming key."""
        return {"flow-logs": self.flow_logs, "app-logs": self.app_logs, "waf-logs": self.waf_logs, **self.db_logs}

    def _group(self, resource: str) -> aws.cloudwatch_log_group.CloudwatchLogGroup:
        return aws.cloudwatch_log_group.CloudwatchLogGroup(
            self,
            resource,
            name=self._names[resource],
            retention_in_days=self._config.log_retention_days,
            kms_key_id=self._key.arn,
            skip_destroy=self._config.settings.protect_logs,
        )
