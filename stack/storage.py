"""S3 buckets, all built by one recipe: encrypted, versioned, private, TLS-only, tiered, logged.

Encryption: the data bucket uses SSE-KMS with the data key and a bucket key. The ALB
access-log bucket and the server-access-log bucket use SSE-S3 (AES256), because
Elastic Load Balancing and S3 server access logging can only deliver to buckets
encrypted with S3-managed keys.

Logs nobody rewrites: every log bucket's policy denies deleting objects and their versions to
everyone, writing objects to every principal but the AWS service that delivers its logs (so nobody
overwrites or forges a log), and changing its lifecycle or Object Lock to all but the administrators;
the previous versions of its objects are kept as long as the logs. Where the profile protects logs
(prod), the ALB log bucket also carries Object Lock in governance mode for the retention period. The
access-log bucket cannot: S3 refuses a server access logging target that has a default retention period.

The data bucket's objects are reached only by the application's role, and only through the
stack's S3 gateway endpoint; bucket configuration stays with IAM (the deploy role).
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from stack.cdk import aws
from stack.config import Config
from stack.contract import CompensatingControl
from stack.naming import Names
from stack.policy_documents import Statement, account_root, deny_insecure_transport, document, role_arn
from stack.waivers import SCOPE_REVIEW, SECURITY_REVIEW, declare_not_applicable, waive

# The two provider modules with the longest names, shortened.
sse = aws.s3_bucket_server_side_encryption_configuration
lifecycle = aws.s3_bucket_lifecycle_configuration

# Out of scope for customer-managed keys, not an exception: what requires them protects cardholder data.
# S3 server access logs record who asked for which object key, never an object's contents.
ACCESS_LOG_BUCKET_SCOPE = (
    "This bucket holds S3 server access logs of the stack's buckets (requesters and object keys, never "
    "object contents), no cardholder data; S3 server access logging delivers only to buckets encrypted "
    "with S3-managed keys (SSE-S3)."
)
# The load balancer's access logs record every request URL, where a client can put a PAN (the WAF
# redacts query strings from its own logs for that reason): the bucket may store cardholder data, so
# it is in the CDE and the customer-managed-key check applies. Elastic Load Balancing cannot deliver
# to SSE-KMS, so the failure is an accepted exception with its worksheet, not a declaration of scope.
ALB_LOG_KEY_REASON = (
    "Elastic Load Balancing delivers access logs only to buckets encrypted with S3-managed keys (SSE-S3), "
    "and its logs may hold a PAN a client put in a request URL."
)
ALB_LOG_KEY_CONTROL = CompensatingControl(
    constraint="Elastic Load Balancing writes access logs only to SSE-S3 buckets; a customer-managed key is refused.",
    objective=(
        "Cardholder data a request URL may carry is readable only by those with a need, never outside the account."
    ),
    identified_risk="Anyone granted s3:GetObject on the bucket reads the logs: SSE-S3 adds no key policy of its own.",
    validation=(
        "The bucket is private (all four public access block flags), TLS-only and denies deleting log objects to "
        "everyone: CKV2_PAY_2, CKV2_PAY_4 and CKV_PAY_30 fail the audit otherwise. Who may read it is for the "
        "assessor (10.3.1)."
    ),
    maintenance="The nightly audit re-checks those controls; the waiver is re-approved every six months.",
)
S3_LOGGING = "logging.s3.amazonaws.com"
SINGLE_REGION_REASON = (
    "The platform runs in one region by design; versioning and lifecycle retention protect objects "
    "against deletion, and cross-region copies belong to the disaster-recovery design, not this stack."
)
INTELLIGENT_TIERING_AFTER_DAYS = 30
# A data object's previous versions; a log's are kept as long as the logs (its lifecycle's expiry).
NONCURRENT_VERSIONS_KEPT_DAYS = 90
# What would rewrite history in a log bucket: no principal may do it, whatever IAM allows. (A
# destroy of dev still empties its log buckets: Terraform removes the policy before the bucket.)
LOG_DELETION = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
# What would overwrite or forge a log (CopyObject and multipart uploads are PutObject too): only the
# delivery service may.
LOG_WRITES = ["s3:PutObject"]
# What would shorten how long logs are kept: only the administrators (the deploy role) may.
LOG_RETENTION_CHANGES = ["s3:PutBucketObjectLockConfiguration", "s3:PutLifecycleConfiguration"]
# Governance mode: the administrators could shorten a lock with s3:BypassGovernanceRetention,
# but the policy's delete deny stops them deleting anything without first rewriting the policy.
OBJECT_LOCK_MODE = "GOVERNANCE"
# Reading, writing and deleting cardholder data; bucket configuration is not among them, so the
# deploy role keeps managing the bucket.
DATA_OBJECT_ACTIONS = [
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectAttributes",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
]


@dataclass
class BucketParts:
    """A bucket and the policy resource that must exist before services write to it."""

    bucket: aws.s3_bucket.S3Bucket
    policy: aws.s3_bucket_policy.S3BucketPolicy


class Storage(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: Config,
        names: Names,
        account_id: str,
        elb_account_arn: str,
        elb_account_id: str,
        data_key: aws.kms_key.KmsKey,
        s3_endpoint_id: str,
    ):
        super().__init__(scope, id_)
        self._names = names
        self._config = config
        administrators = [role_arn(account_id, config.key_administrator_role), account_root(account_id)]
        # Server access logs of the other buckets; not logged itself (it would log its own writes).
        self.access_logs = self._bucket(
            "access-logs",
            expire_days=config.log_retention_days,
            # No Object Lock: S3 refuses server access logging into a bucket with default retention.
            log_sink=LogSink(administrators, locked=False, writer=("aws:PrincipalServiceName", S3_LOGGING)),
            grants=[
                {
                    "Sid": "S3ServerAccessLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": S3_LOGGING},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{names['access-logs']}/*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        )
        self.alb_logs = self._bucket(
            "alb-logs",
            expire_days=config.log_retention_days,
            log_to=self.access_logs,
            # ELB writes from its account in the region (the principal the grant names).
            log_sink=LogSink(
                administrators, locked=config.settings.protect_logs, writer=("aws:PrincipalAccount", elb_account_id)
            ),
            grants=[
                {
                    "Sid": "ElbAccessLogs",
                    "Effect": "Allow",
                    "Principal": {"AWS": elb_account_arn},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{names['alb-logs']}/alb/AWSLogs/{account_id}/*",
                }
            ],
        )
        declare_not_applicable(self.access_logs.bucket, "CKV_AWS_145", ACCESS_LOG_BUCKET_SCOPE, SCOPE_REVIEW)
        waive(self.alb_logs.bucket, "CKV_AWS_145", ALB_LOG_KEY_REASON, SECURITY_REVIEW, control=ALB_LOG_KEY_CONTROL)
        self.data = self._bucket(
            "data",
            kms_key=data_key,
            log_to=self.access_logs,
            grants=data_confined(names["data"], role_arn(account_id, names["app-role"]), s3_endpoint_id),
        )

    def _bucket(
        self,
        resource: str,
        *,
        kms_key: aws.kms_key.KmsKey | None = None,
        log_to: BucketParts | None = None,
        expire_days: int | None = None,
        grants: list[Statement] = (),
        log_sink: LogSink | None = None,
    ) -> BucketParts:
        scope = Construct(self, resource)
        name = self._names[resource]
        protect = self._config.settings.protect_logs
        bucket = aws.s3_bucket.S3Bucket(
            scope,
            "bucket",
            bucket=name,
            # A destroy empties dev's log buckets (ELB writes a test object the moment logging is
            # on, so they are never empty); prod's buckets and the data bucket are never emptied.
            force_destroy=log_sink is not None and not protect,
            # Stated on every bucket, so each plan says whether it can carry Object Lock.
            object_lock_enabled=log_sink is not None and log_sink.locked,
        )
        if log_sink is not None:
            grants = [*grants, *log_sink.statements(bucket.arn)]
        waive(bucket, "CKV_AWS_144", SINGLE_REGION_REASON, SECURITY_REVIEW)
        default = (
            sse.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="aws:kms", kms_master_key_id=kms_key.arn
            )
            if kms_key
            else sse.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="AES256"
            )
        )
        sse.S3BucketServerSideEncryptionConfigurationA(
            scope,
            "encryption",
            bucket=bucket.id,
            rule=[
                sse.S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=default, bucket_key_enabled=kms_key is not None
                )
            ],
        )
        versioning = aws.s3_bucket_versioning.S3BucketVersioningA(
            scope,
            "versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3_bucket_versioning.S3BucketVersioningVersioningConfiguration(
                status="Enabled"
            ),
        )
        public_access = aws.s3_bucket_public_access_block.S3BucketPublicAccessBlock(
            scope,
            "public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        # ACLs off: the bucket owner owns every object, access is decided by policy alone.
        aws.s3_bucket_ownership_controls.S3BucketOwnershipControls(
            scope,
            "ownership",
            bucket=bucket.id,
            rule=aws.s3_bucket_ownership_controls.S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        policy = aws.s3_bucket_policy.S3BucketPolicy(
            scope,
            "policy",
            bucket=bucket.id,
            policy=document(deny_insecure_transport(bucket.arn), *grants),
            # A policy put before the block is in place could briefly be public.
            depends_on=[public_access],
        )
        lifecycle.S3BucketLifecycleConfiguration(
            scope, "lifecycle", bucket=bucket.id, rule=[self._lifecycle(expire_days)]
        )
        if log_sink is not None and log_sink.locked:
            self._object_lock(scope, bucket, versioning)
        if log_to is not None:
            aws.s3_bucket_logging.S3BucketLoggingA(
                scope,
                "logging",
                bucket=bucket.id,
                target_bucket=log_to.bucket.id,
                target_prefix=f"{resource}/",
                # S3 refuses (and would lose) logs until the target's policy admits its logging service.
                depends_on=[log_to.policy],
            )
        return BucketParts(bucket, policy)

    def _object_lock(
        self, scope: Construct, bucket: aws.s3_bucket.S3Bucket, versioning: aws.s3_bucket_versioning.S3BucketVersioningA
    ) -> None:
        """Every object delivered is locked in governance mode for as long as logs are kept."""
        lock = aws.s3_bucket_object_lock_configuration
        lock.S3BucketObjectLockConfigurationA(
            scope,
            "object-lock",
            bucket=bucket.id,
            object_lock_enabled="Enabled",
            rule=lock.S3BucketObjectLockConfigurationRuleA(
                default_retention=lock.S3BucketObjectLockConfigurationRuleDefaultRetentionA(
                    mode=OBJECT_LOCK_MODE, days=self._config.log_retention_days
                )
            ),
            # Object Lock needs versioning on.
            depends_on=[versioning],
        )

    @staticmethod
    def _lifecycle(expire_days: int | None) -> lifecycle.S3BucketLifecycleConfigurationRule:
        return lifecycle.S3BucketLifecycleConfigurationRule(
            id="tiering-and-retention",
            status="Enabled",
            filter=[lifecycle.S3BucketLifecycleConfigurationRuleFilter(prefix="")],
            transition=[
                lifecycle.S3BucketLifecycleConfigurationRuleTransition(
                    days=INTELLIGENT_TIERING_AFTER_DAYS, storage_class="INTELLIGENT_TIERING"
                )
            ],
            # A log's previous version is the evidence of what it said: kept as long as the log itself.
            noncurrent_version_expiration=[
                lifecycle.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                    noncurrent_days=max(expire_days or 0, NONCURRENT_VERSIONS_KEPT_DAYS)
                )
            ],
            abort_incomplete_multipart_upload=[
                lifecycle.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
            ],
            # Logs are kept for the retention period, then expire; data never expires.
            expiration=[lifecycle.S3BucketLifecycleConfigurationRuleExpiration(days=expire_days)]
            if expire_days
            else None,
        )


@dataclass(frozen=True)
class LogSink:
    """A bucket AWS delivery services write logs into: what protects those logs."""

    administrators: list[str]
    locked: bool  # Object Lock with a default retention
    # The condition key and value that name the delivery service in a request: the only writer.
    writer: tuple[str, str]

    def statements(self, arn: str) -> list[Statement]:
        """The bucket named by its ARN's reference: CKV_PAY_62 can tell the Deny is on this bucket's objects."""
        key, delivery = self.writer
        return [
            {
                "Sid": "OnlyTheDeliveryServiceWritesLogs",
                "Effect": "Deny",
                "Principal": "*",
                "Action": LOG_WRITES,
                "Resource": f"{arn}/*",
                "Condition": {"StringNotEquals": {key: delivery}},
            },
            {
                "Sid": "DenyLogDeletion",
                "Effect": "Deny",
                "Principal": "*",
                "Action": LOG_DELETION,
                "Resource": f"{arn}/*",
            },
            {
                "Sid": "OnlyAdministratorsChangeLogRetention",
                "Effect": "Deny",
                "Principal": "*",
                "Action": LOG_RETENTION_CHANGES,
                "Resource": arn,
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": self.administrators}},
            },
        ]


def data_confined(bucket: str, app_role_arn: str, s3_endpoint_id: str) -> list[Statement]:
    """Objects of the data bucket: for the application's role only, and only through the gateway endpoint.

    Two statements, because one Deny's conditions must all hold to deny: a single statement would
    deny only requests that are both from another principal and from outside the endpoint.
    """
    objects = f"arn:aws:s3:::{bucket}/*"
    return [
        {
            "Sid": "DenyObjectAccessOutsideTheEndpoint",
            "Effect": "Deny",
            "Principal": "*",
            "Action": DATA_OBJECT_ACTIONS,
            "Resource": objects,
            "Condition": {"StringNotEquals": {"aws:SourceVpce": s3_endpoint_id}},
        },
        {
            "Sid": "DenyObjectAccessToOtherPrincipals",
            "Effect": "Deny",
            "Principal": "*",
            "Action": DATA_OBJECT_ACTIONS,
            "Resource": objects,
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": app_role_arn}},
        },
    ]
