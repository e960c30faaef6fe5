"""KMS keys: one per trust boundary, each with rotation, an alias and a policy that separates duties.

Four keys, because each grants a different AWS service and must not grant the others:
* data: RDS storage, Performance Insights, the DB master secret and the data bucket
  (used only through RDS, Secrets Manager and S3, by principals IAM allows);
* logs: CloudWatch log groups and the alarm topic (grants the Logs, CloudWatch and
  EventBridge services, which must never decrypt cardholder data);
* ebs: instance volumes (used through EC2 by the Auto Scaling service-linked role only);
* session: Session Manager's session data, between the operator's client and the SSM Agent
  (both call KMS themselves, so no service stands between: IAM names who may use it).

Every key policy separates administration from use:
* the account administers the key through IAM (never `kms:*`): the account root keeps
  every administrative action, so the account can never be locked out of its own key;
* using the key is granted only through the services that hold the data (`kms:ViaService`);
* disabling the key, scheduling its deletion and rewriting its policy are denied to every
  principal but the key administrator role (config) and the account root, whatever IAM allows.

A key that protects what outlives the stack (prod's retained log groups, the database's final
snapshot) carries Terraform's `prevent_destroy`: a destroy would otherwise schedule its deletion
and leave what it protects unreadable after the 30-day window.
"""

from __future__ import annotations

from constructs import Construct

from stack.cdk import aws, core
from stack.config import Config
from stack.naming import Names
from stack.policy_documents import ADMINISTRATION, DESTRUCTION, KEY_USE, Statement, account_root, document, role_arn

# The role Auto Scaling launches instances with, and so attaches their encrypted volumes through EC2.
# Named by ARN in a condition, not as the principal: KMS refuses a policy whose principal does not
# exist yet, and the service-linked role is created by the first group of the account.
AUTOSCALING_SERVICE_ROLE = "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


class Encryption(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: Config, names: Names, account_id: str):
        super().__init__(scope, id_)
        self._names = names
        self._account_id = account_id
        self._administrators = [role_arn(account_id, config.key_administrator_role), account_root(account_id)]
        region = config.region
        settings = config.settings
        self.data_key = self._key(
            "data-key",
            "Cardholder data at rest: RDS, its secret, S3 data",
            self._use_through("rds", "secretsmanager", "s3", region=region),
            outlives_stack=settings.keep_final_snapshot,
        )
        self.logs_key = self._key(
            "logs-key",
            "CloudWatch log groups and alarm notifications",
            self._use_through("sns", region=region),
            {
                "Sid": "CloudWatchLogsEncrypt",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": KEY_USE,
                "Resource": "*",
                "Condition": {
                    "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account_id}:*"}
                },
            },
            self._publishes_to_topic(
                "CloudWatchAlarmsPublish", "cloudwatch", f"arn:aws:cloudwatch:{region}:{account_id}:alarm:*"
            ),
            self._publishes_to_topic("EventBridgePublish", "events", f"arn:aws:events:{region}:{account_id}:rule/*"),
            outlives_stack=settings.protect_logs,
        )
        self.ebs_key = self._key(
            "ebs-key",
            "EBS volumes of the application instances",
            # Only the Auto Scaling service-linked role, only through EC2: no other principal of the
            # account uses the key or grants it, whatever IAM allows.
            {
                "Sid": "EbsThroughEc2ForAutoScaling",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [*KEY_USE, "kms:CreateGrant"],
                "Resource": "*",
                "Condition": {
                    "ArnEquals": {"aws:PrincipalArn": role_arn(account_id, AUTOSCALING_SERVICE_ROLE)},
                    "StringEquals": {
                        "kms:CallerAccount": account_id,
                        "kms:ViaService": f"ec2.{region}.amazonaws.com",
                    },
                },
            },
        )
        # The operator's client asks for a data key to start a session; the instance's agent decrypts it.
        self.session_key = self._key(
            "session-key",
            "Session Manager session data",
            self._use_directly("kms:GenerateDataKey", "kms:Decrypt"),
        )

    def _use_directly(self, *actions: str) -> Statement:
        """Principals of this account IAM allows may call these on the key themselves (no service between)."""
        return {
            "Sid": "UseByAccountPrincipals",
            "Effect": "Allow",
            "Principal": {"AWS": account_root(self._account_id)},
            "Action": list(actions),
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": self._account_id}},
        }

    def _use_through(self, *services: str, region: str) -> Statement:
        """Principals IAM allows may use the key, but only through these services (and grant only to them)."""
        return {
            "Sid": "UseThroughServices",
            "Effect": "Allow",
            "Principal": {"AWS": account_root(self._account_id)},
            "Action": [*KEY_USE, "kms:CreateGrant"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": self._account_id,
                    "kms:ViaService": [f"{service}.{region}.amazonaws.com" for service in services],
                }
            },
        }

    def _publishes_to_topic(self, sid: str, service: str, source_arn: str) -> Statement:
        """A service that publishes to the encrypted alarm topic, on behalf of this account's resources only."""
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": f"{service}.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": self._account_id},
                "ArnLike": {"aws:SourceArn": source_arn},
            },
        }

    def _administration(self) -> list[Statement]:
        return [
            {
                "Sid": "AccountAdministersThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": account_root(self._account_id)},
                "Action": ADMINISTRATION,
                "Resource": "*",
            },
            {
                "Sid": "OnlyAdministratorsDestroyTheKey",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": DESTRUCTION,
                "Resource": "*",
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": self._administrators}},
            },
        ]

    def _key(
        self, resource: str, description: str, *grants: Statement, outlives_stack: bool = False
    ) -> aws.kms_key.KmsKey:
        key = aws.kms_key.KmsKey(
            self,
            resource,
            description=description,
            enable_key_rotation=True,
            rotation_period_in_days=365,
            deletion_window_in_days=30,
            policy=document(*self._administration(), *grants),
            lifecycle=core.TerraformResourceLifecycle(prevent_destroy=True) if outlives_stack else None,
        )
        aws.kms_alias.KmsAlias(self, f"{resource}-alias", name=self._names[resource], target_key_id=key.key_id)
        return key
