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
        # Every DNS query of the VPC, answered or blocked by the DNS firewall (stack/dns_firewall.py).
        self.dns_query_logs = self._group("dns-query-logs")
        # Created before the database, so RDS exports into these instead of making
        # unencrypted groups that never expire.
        self.db_logs = {export: self._group(export) for export in DB_LOG_EXPORTS}

    def _group(self, resource: str) -> aws.cloudwatch_log_group.CloudwatchLogGroup:
        return aws.cloudwatch_log_group.CloudwatchLogGroup(
            self,
            resource,
            name=self._names[resource],
            retention_in_days=self._config.log_retention_days,
            kms_key_id=self._key.arn,
            skip_destroy=self._config.settings.protect_logs,
        )
