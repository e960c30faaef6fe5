"""KMS keys: one per trust boundary, each with rotation and an alias.

Three keys, because each grants a different AWS service and must not grant the others:
* data: RDS storage, Performance Insights, the DB master secret and the data bucket
  (reached only through IAM in this account);
* logs: CloudWatch log groups and the alarm topic (grants the Logs and CloudWatch
  services, which must never decrypt cardholder data);
* ebs: instance volumes (used by EC2 on behalf of the Auto Scaling service role).
"""

from __future__ import annotations

from constructs import Construct

from stack.cdk import aws
from stack.config import Config
from stack.naming import Names
from stack.policy_documents import Statement, account_root_admin, document

_USE = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]


class Encryption(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: Config, names: Names, account_id: str):
        super().__init__(scope, id_)
        self._names = names
        self._account_id = account_id
        region = config.region
        self.data_key = self._key("data-key", "Cardholder data at rest: RDS, its secret, S3 data")
        self.logs_key = self._key(
            "logs-key",
            "CloudWatch log groups and alarm notifications",
            {
                "Sid": "CloudWatchLogsEncrypt",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": _USE,
                "Resource": "*",
                "Condition": {
                    "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account_id}:*"}
                },
            },
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
            },
        )
        self.ebs_key = self._key(
            "ebs-key",
            "EBS volumes of the application instances",
            # The pattern of AWS's own aws/ebs key: any principal of this account, and only
            # through EC2, so the Auto Scaling service-linked role can attach volumes
            # without the key policy naming a role that may not exist yet.
            {
                "Sid": "EbsThroughEc2",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [*_USE, "kms:CreateGrant"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:CallerAccount": account_id,
                        "kms:ViaService": f"ec2.{region}.amazonaws.com",
                    }
                },
            },
        )

    def _key(self, resource: str, description: str, *grants: Statement) -> aws.kms_key.KmsKey:
        key = aws.kms_key.KmsKey(
            self,
            resource,
            description=description,
            enable_key_rotation=True,
            rotation_period_in_days=365,
            deletion_window_in_days=30,
            policy=document(account_root_admin(self._account_id), *grants),
        )
        aws.kms_alias.KmsAlias(self, f"{resource}-alias", name=self._names[resource], target_key_id=key.key_id)
        return key
