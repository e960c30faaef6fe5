"""What the stack watches for tampering: the one list its event rules, policy CKV_PAY_70 and the README's table
serve from.

Each watch is one EventBridge rule on the CloudTrail events of one AWS service: the API calls that switch off
or weaken a security control of one resource family. Where the request names the resource in a field whose
shape AWS documents, the rule matches only this stack's resources; KMS takes a key id or a key ARN, so both
are listed. Where it does not (WAF's requests, EC2's nested DeleteFlowLogs request), the rule watches the
whole region: it may notify for a resource of another stack, it never misses one of ours; its description
names the stack's resources it protects.

The RDS instance event categories that notify are here too (RDS sends those events to EventBridge itself).
Plain Python on purpose: the checkov environment, which has no cdktf, imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

CLOUDTRAIL_API_CALL = "AWS API Call via CloudTrail"
RDS_INSTANCE_EVENT = "RDS DB Instance Event"


@dataclass(frozen=True)
class Scope:
    """A request parameter CloudTrail records (`logGroupName`) and the watched resource's attribute it holds."""

    parameter: str
    attribute: str


@dataclass(frozen=True)
class TamperWatch:
    rule: str  # the naming key of its event rule
    family: str  # the resources watched, as the README's table names them
    service: str  # the AWS service whose API calls are watched: "kms"
    apis: tuple[str, ...]
    meaning: str  # the rule's description: what the on-call engineer reads
    resource_type: str  # the plan's type of the resources it protects
    scopes: tuple[Scope, ...] = ()  # how its pattern names them; none: it matches the calls on any in the region

    @property
    def source(self) -> str:
        return f"aws.{self.service}"

    @property
    def event_source(self) -> str:
        return f"{self.service}.amazonaws.com"


TAMPER_WATCHES = (
    TamperWatch(
        "key-tampering",
        "KMS keys",
        "kms",
        ("DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy", "DisableKeyRotation"),
        "A KMS key of the stack was disabled, scheduled for deletion, given a new policy or stopped rotating",
        "aws_kms_key",
        (Scope("keyId", "key_id"), Scope("keyId", "arn")),
    ),
    TamperWatch(
        "log-group-tampering",
        "log groups",
        "logs",
        ("DeleteLogGroup", "DeleteLogStream", "DeleteRetentionPolicy", "PutRetentionPolicy", "DisassociateKmsKey"),
        "A log group of the stack, or some of its events, was deleted, its retention changed or its key removed",
        "aws_cloudwatch_log_group",
        # DisassociateKmsKey names the group by name or, as resourceIdentifier, by ARN.
        (Scope("logGroupName", "name"), Scope("resourceIdentifier", "arn")),
    ),
    TamperWatch(
        "bucket-tampering",
        "S3 buckets",
        "s3",
        (
            "PutBucketPolicy",
            "DeleteBucketPolicy",
            "PutBucketLogging",
            "PutBucketLifecycle",
            "DeleteBucketLifecycle",
            "PutBucketVersioning",
            "PutObjectLockConfiguration",
            "PutBucketEncryption",
            "DeleteBucketEncryption",
            "PutBucketPublicAccessBlock",
            "DeleteBucketPublicAccessBlock",
        ),
        "A bucket of the stack had its policy, access logging, lifecycle, versioning, Object Lock, encryption "
        "or public access block changed",
        "aws_s3_bucket",
        (Scope("bucketName", "bucket"),),
    ),
    TamperWatch(
        "alb-tampering",
        "load balancer",
        "elasticloadbalancing",
        ("ModifyLoadBalancerAttributes",),
        "The load balancer's attributes changed: access logging, deletion protection or header handling",
        "aws_lb",
        (Scope("loadBalancerArn", "arn"),),
    ),
    TamperWatch(
        "waf-tampering",
        "WAF",
        "wafv2",
        ("DisassociateWebACL", "DeleteLoggingConfiguration"),
        "A web ACL was detached from a resource, or its logging removed (any in the region)",
        "aws_wafv2_web_acl",
    ),
    TamperWatch(
        "flow-log-tampering",
        "flow logs",
        "ec2",
        ("DeleteFlowLogs",),
        "A flow log was deleted (any in the region)",
        "aws_flow_log",
    ),
)

# RDS instance events that notify (detail.EventCategories of "RDS DB Instance Event"):
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#USER_Events.Messages.instance
# Beyond failures, what changes the database under the audit trail: its configuration (a parameter group,
# storage, the master credentials), maintenance applied to it, its deletion, and security events and patches.
DB_EVENT_CATEGORIES = (
    "failure",
    "failover",
    "low storage",
    "configuration change",
    "maintenance",
    "deletion",
    "security",
    "security patching",
)


def watch_of(source: str) -> TamperWatch | None:
    """The watch of an event source (`aws.kms`), if the stack watches that service."""
    return next((watch for watch in TAMPER_WATCHES if watch.source == source), None)


def readme_table() -> str:
    """The README's table of what is watched: one row per family, rendered from TAMPER_WATCHES."""
    rows = ["| Resources | Which | API calls that notify |", "|---|---|---|"]
    for watch in TAMPER_WATCHES:
        which = "the stack's" if watch.scopes else "any in the region"
        rows.append(f"| {watch.family} | {which} | {', '.join(f'`{api}`' for api in watch.apis)} |")
    return "\n".join(rows)
