"""What the stack watches for tampering: the one list its event rules, policy CKV_PAY_70 and the README's table
serve from.

Each watch is one EventBridge rule on the CloudTrail events of one AWS service: the API calls that switch off
or weaken a security control of one resource family. Where the request names the resource in a field whose
shape AWS documents, the rule matches only this stack's resources; KMS takes a key id or a key ARN, so both
are listed. Where it does not (WAF's requests, EC2's nested DeleteFlowLogs request), the rule watches the
whole region: it may notify for a resource of another stack, it never misses one of ours; its description
names the stack's resources it protects. So are the watches whose calls name the resource in
ways one field cannot hold: a network ACL's association (replaced by an id of the association, which the
plan never holds, or of the attacker's ACL), endpoints (EC2's nested requests), the DNS firewall (each call
names a different part: a rule group, a domain list, an association, the resolver's configuration), a
State Manager association (deleted by its id, or by document and instance), and the alarm path itself
(EventBridge, CloudWatch and SNS name rules, alarms, topics and subscriptions in different fields).

Several watches may share a service (EC2 watches flow logs, ACLs and endpoints): a rule serves the watches
of its service whose calls it names. Each watch names its resources by `named_by` in its description:
an ARN where the resource has one and a few fit the 512 characters EventBridge allows a description.

The RDS instance event categories that notify are here too (RDS sends those events to EventBridge itself).
Plain Python on purpose: the checkov environment, which has no cdktf, imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

CLOUDTRAIL_API_CALL = "AWS API Call via CloudTrail"
RDS_INSTANCE_EVENT = "RDS DB Instance Event"
EVENT_RULE = "aws_cloudwatch_event_rule"


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
    named_by: str = "arn"  # the attribute its description names a region-wide watch's resources by
    endpoint: str = ""  # CloudTrail's eventSource host where it is not the service's name (CloudWatch: monitoring)

    @property
    def source(self) -> str:
        return f"aws.{self.service}"

    @property
    def event_source(self) -> str:
        return f"{self.endpoint or self.service}.amazonaws.com"

    @property
    def parameters(self) -> set[str]:
        """The request parameters its pattern may name: none for a watch on the whole region."""
        return {scope.parameter for scope in self.scopes}


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
        "log-data-protection-tampering",
        "log data protection",
        "logs",
        ("DeleteDataProtectionPolicy", "PutDataProtectionPolicy"),
        "A log group's card data masking was removed or replaced (any in the region)",
        "aws_cloudwatch_log_data_protection_policy",
        # logGroupIdentifier takes a name or an ARN, with or without ARN's `:*`: any spelling must notify.
        named_by="log_group_name",
    ),
    TamperWatch(
        "alb-tampering",
        "load balancer",
        "elasticloadbalancing",
        ("ModifyLoadBalancerAttributes", "DeleteLoadBalancer"),
        "The load balancer's attributes changed (access logging, deletion protection, header handling) or it "
        "was deleted",
        "aws_lb",
        (Scope("loadBalancerArn", "arn"),),
    ),
    TamperWatch(
        "listener-tampering",
        "load balancer listeners",
        "elasticloadbalancing",
        ("ModifyListener", "DeleteListener"),
        "A listener of the load balancer was changed (its TLS policy, certificate, redirect) or deleted",
        "aws_lb_listener",
        (Scope("listenerArn", "arn"),),
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
    TamperWatch(
        "network-acl-tampering",
        "network ACLs",
        "ec2",
        (
            "CreateNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
            "DeleteNetworkAcl",
        ),
        "A network ACL's rules changed, a subnet moved to another ACL, or an ACL was deleted (any in the region)",
        "aws_network_acl",
        named_by="id",
    ),
    TamperWatch(
        "endpoint-tampering",
        "VPC endpoints",
        "ec2",
        ("ModifyVpcEndpoint", "DeleteVpcEndpoints"),
        "A VPC endpoint's policy, routes or network changed, or it was deleted (any in the region)",
        "aws_vpc_endpoint",
        named_by="id",
    ),
    TamperWatch(
        "dns-firewall-tampering",
        "DNS firewall",
        "route53resolver",
        (
            "DisassociateFirewallRuleGroup",
            "UpdateFirewallRule",
            "DeleteFirewallRule",
            "UpdateFirewallDomains",
            "UpdateFirewallConfig",
            "UpdateFirewallRuleGroupAssociation",
        ),
        "The DNS firewall was detached from a VPC, its rules, domains or association changed, or a VPC's "
        "fail-open setting changed (any in the region)",
        "aws_route53_resolver_firewall_rule_group",
    ),
    TamperWatch(
        "dns-query-log-tampering",
        "DNS query logging",
        "route53resolver",
        ("DisassociateResolverQueryLogConfig", "DeleteResolverQueryLogConfig"),
        "DNS query logging was detached from a VPC or deleted (any in the region)",
        "aws_route53_resolver_query_log_config",
    ),
    TamperWatch(
        "session-document-tampering",
        "Session Manager preferences",
        "ssm",
        ("UpdateDocument", "UpdateDocumentDefaultVersion", "DeleteDocument"),
        "The Session Manager preferences document (session encryption and logging) was changed or deleted",
        "aws_ssm_document",
        (Scope("name", "name"),),
    ),
    TamperWatch(
        "patching-tampering",
        "patch association",
        "ssm",
        ("UpdateAssociation", "DeleteAssociation"),
        "A State Manager association (the hosts' patching) was changed or deleted (any in the region)",
        "aws_ssm_association",
    ),
    TamperWatch(
        "event-rule-tampering",
        "event rules",
        "events",
        ("DisableRule", "DeleteRule", "RemoveTargets", "PutRule"),
        "An event rule was disabled, deleted, rewritten or lost its targets (any in the region)",
        EVENT_RULE,
        named_by="name",
    ),
    TamperWatch(
        "alarm-tampering",
        "alarms",
        "cloudwatch",
        ("DeleteAlarms", "DisableAlarmActions", "PutMetricAlarm"),
        "An alarm was deleted, silenced or rewritten (any in the region)",
        "aws_cloudwatch_metric_alarm",
        named_by="alarm_name",
        endpoint="monitoring",
    ),
    TamperWatch(
        "topic-tampering",
        "alarm topic",
        "sns",
        ("DeleteTopic", "SetTopicAttributes", "Unsubscribe"),
        "A topic was deleted, its policy or encryption changed, or someone unsubscribed (any in the region)",
        "aws_sns_topic",
    ),
)

# The rules that carry these watches are event rules themselves: the event rule watch's description cannot
# name them by reference (a rule naming itself is a cycle Terraform refuses), so it names them by the
# pattern of their names, and CKV2_PAY_70, which ties a resource to its rule by reference, cannot check them.
NAMED_IN_A_RULE = tuple(sorted({watch.resource_type for watch in TAMPER_WATCHES} - {EVENT_RULE}))

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


def watches_of(source: str) -> list[TamperWatch]:
    """The watches of an event source (`aws.ec2`: flow logs, ACLs, endpoints); none if the stack does not watch it."""
    return [watch for watch in TAMPER_WATCHES if watch.source == source]


def readme_table() -> str:
    """The README's table of what is watched: one row per family, rendered from TAMPER_WATCHES."""
    rows = ["| Resources | Which | API calls that notify |", "|---|---|---|"]
    for watch in TAMPER_WATCHES:
        which = "the stack's" if watch.scopes else "any in the region"
        rows.append(f"| {watch.family} | {which} | {', '.join(f'`{api}`' for api in watch.apis)} |")
    return "\n".join(rows)
