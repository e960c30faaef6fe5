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
# Log group -> the file on the instances the CloudWatch agent ships into it. rsyslog writes the two
# operating system logs (Amazon Linux 2023 keeps only the journal unless it is installed); the
# application (or the placeholder service) writes its log under /var/log/payment.
HOST_LOG_SOURCES = {
    "auth-logs": "/var/log/secure",
    "system-logs": "/var/log/messages",
    "app-logs": "/var/log/payment/*.log",
}


class Logs(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: Config, names: Names, key: aws.kms_key.KmsKey):
        super().__init__(scope, id_)
        self._config = config
        self._names = names
        self._key = key
        self.flow_logs = self._group("flow-logs")
        self.app_logs = self._group("app-logs")
        self.waf_logs = self._group("waf-logs")
        # What happens on the hosts: the CloudWatch agent ships the operating system's authentication
        # and system logs (and the application's, into app-logs); Session Manager writes each session.
        self.host_logs = {
            resource: self.app_logs if resource == "app-logs" else self._group(resource)
            for resource in HOST_LOG_SOURCES
        }
        self.session_logs = self._group("session-logs")
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
