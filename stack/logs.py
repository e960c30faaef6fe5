"""CloudWatch log groups: every one KMS-encrypted and kept for the configured period.

Where the profile protects logs (prod), `cdktf destroy` leaves the groups behind
(`skip_destroy`): the audit trail outlives the stack it describes. Their
names carry the deployment suffix, so the next deployment never collides with them.

Every group says in its `CardholderData` tag whether what is written to it can carry
cardholder data; each one that can gets a data protection policy that audits and masks card
numbers (and security codes) as they arrive. `log_group()` is the one way to make a group, for
any module: a new group cannot forget the tag, nor the policy that goes with it.
"""

from __future__ import annotations

import json

from constructs import Construct

from stack.cdk import aws
from stack.config import Config
from stack.hosts import HOST_LOG_SOURCES
from stack.naming import Names

DB_LOG_EXPORTS = ("postgresql", "upgrade")
# The tag a database's group names the log RDS exports into it by: its name holds the deployment
# suffix, which checkov cannot read, so the audit log's alarm policy (CKV2_PAY_71) finds it by this.
DB_LOG_EXPORT_TAG = "DatabaseLog"
# The tag each group declares its content in; policies select the groups that must mask by it.
CARDHOLDER_DATA_TAG = "CardholderData"
MAY_HOLD_CARDHOLDER_DATA = "possible"
HOLDS_NO_CARDHOLDER_DATA = "none"
# AWS's managed data identifiers: card numbers, and the security codes that must never be kept
# after authorization. https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/protect-sensitive-log-data-types-financial.html
CARD_DATA_IDENTIFIERS = tuple(
    f"arn:aws:dataprotection::aws:data-identifier/{name}" for name in ("CreditCardNumber", "CreditCardSecurityCode")
)
# The stack's groups: key in the naming catalogue -> whether what arrives there can carry cardholder data.
GROUPS = {
    # Packet metadata (addresses, ports, bytes): never a payload.
    "flow-logs": False,
    # Whatever the application writes.
    "app-logs": True,
    # Request URIs and headers the WAF saw (it redacts the query string, not the path).
    "waf-logs": True,
    # pgaudit logs write statements; a literal in one can be a card number.
    "postgresql": True,
    # pg_upgrade's own output: no statement text.
    "upgrade": False,
    # The names the instances looked up: a query name is no place for a card number, and the firewall answers
    # only the region's AWS names.
    "dns-query-logs": False,
    # The hosts' operating system logins and privilege use (sshd is off, sudo and su): who did what, no payload.
    "auth-logs": False,
    # The journal rsyslog forwards, services' output included: the application's too.
    "system-logs": True,
    # What operators typed and saw in Session Manager sessions.
    "session-logs": True,
}


def card_data_protection(name: str) -> str:
    """A data protection policy: card data found is counted (Audit) and masked for every reader without logs:Unmask."""
    identifiers = list(CARD_DATA_IDENTIFIERS)
    return json.dumps(
        {
            "Name": name,
            "Description": "Audit and mask card numbers and security codes in log events",
            "Version": "2021-06-01",
            "Statement": [
                {
                    "Sid": "AuditCardData",
                    "DataIdentifier": identifiers,
                    "Operation": {"Audit": {"FindingsDestination": {}}},
                },
                {"Sid": "MaskCardData", "DataIdentifier": identifiers, "Operation": {"Deidentify": {"MaskConfig": {}}}},
            ],
        },
        sort_keys=True,
    )


def log_group(
    scope: Construct,
    resource: str,
    *,
    config: Config,
    names: Names,
    key: aws.kms_key.KmsKey,
    may_hold_cardholder_data: bool,
) -> aws.cloudwatch_log_group.CloudwatchLogGroup:
    """A group encrypted with the logs key, kept for the retention period, and masking card data where it may arrive."""
    group = aws.cloudwatch_log_group.CloudwatchLogGroup(
        scope,
        resource,
        name=names[resource],
        retention_in_days=config.log_retention_days,
        kms_key_id=key.arn,
        skip_destroy=config.settings.protect_logs,
        tags={
            CARDHOLDER_DATA_TAG: MAY_HOLD_CARDHOLDER_DATA if may_hold_cardholder_data else HOLDS_NO_CARDHOLDER_DATA,
            **({DB_LOG_EXPORT_TAG: resource} if resource in DB_LOG_EXPORTS else {}),
        },
    )
    if may_hold_cardholder_data:
        aws.cloudwatch_log_data_protection_policy.CloudwatchLogDataProtectionPolicy(
            scope,
            f"{resource}-card-data-protection",
            log_group_name=group.name,
            policy_document=card_data_protection(f"{resource}-card-data"),
        )
    return group


class Logs(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: Config, names: Names, key: aws.kms_key.KmsKey):
        super().__init__(scope, id_)
        groups = {
            resource: log_group(self, resource, config=config, names=names, key=key, may_hold_cardholder_data=may_hold)
            for resource, may_hold in GROUPS.items()
        }
        self.flow_logs = groups["flow-logs"]
        self.app_logs = groups["app-logs"]
        self.waf_logs = groups["waf-logs"]
        # Every DNS query of the VPC, answered or blocked by the DNS firewall (stack/dns_firewall.py).
        self.dns_query_logs = groups["dns-query-logs"]
        # What happens on the hosts: the CloudWatch agent ships the operating system's authentication
        # and system logs and the application's; Session Manager writes each session.
        self.host_logs = {resource: groups[resource] for resource in HOST_LOG_SOURCES}
        self.session_logs = groups["session-logs"]
        # Created before the database, so RDS exports into these instead of making
        # unencrypted groups that never expire.
        self.db_logs = {export: groups[export] for export in DB_LOG_EXPORTS}
        self.groups = groups  # every group of the stack, by its naming key
        # The card data masking of the groups that may receive card data (`log_group()` made it beside each).
        self.data_protection = [
            self.node.find_child(f"{resource}-card-data-protection")
            for resource, may_hold in GROUPS.items()
            if may_hold
        ]
