"""The read-only guard: a boto3 session that can only call the operations the suite needs.

A botocore `before-call` handler on the session sees every call of every client made from
it, before any request is built or sent. An operation missing from the allow-list (every
write, every delete, and reads that expose secrets such as GetSecretValue) is refused
with `ReadOnlyViolation`.
"""

from __future__ import annotations

from collections.abc import Mapping

import boto3
from botocore.exceptions import BotoCoreError

# service -> operations (API names). Add an operation here only if it reads and reveals no secret.
ALLOWED: Mapping[str, frozenset[str]] = {
    service: frozenset(operations.split())
    for service, operations in {
        "sts": "GetCallerIdentity",
        "ec2": (
            "DescribeVpcs DescribeVpcAttribute DescribeSubnets DescribeNatGateways DescribeRouteTables "
            "DescribeFlowLogs DescribeSecurityGroups DescribeSecurityGroupRules DescribeInternetGateways "
            "DescribeAddresses DescribeLaunchTemplates DescribeLaunchTemplateVersions DescribeVpcEndpoints "
            "DescribeAvailabilityZones DescribeInstanceTypeOfferings DescribeAccountAttributes"
        ),
        "elbv2": (
            "DescribeLoadBalancers DescribeLoadBalancerAttributes DescribeListeners DescribeRules "
            "DescribeTargetGroups DescribeTargetGroupAttributes DescribeTags DescribeSSLPolicies"
        ),
        "autoscaling": "DescribeAutoScalingGroups DescribeScheduledActions",
        "rds": (
            "DescribeDBInstances DescribeDBParameters DescribeDBParameterGroups DescribeDBSubnetGroups "
            "DescribeDBSnapshots DescribeDBEngineVersions DescribeOrderableDBInstanceOptions"
        ),
        "secretsmanager": "DescribeSecret",
        "s3": (
            "HeadBucket GetBucketEncryption GetBucketVersioning GetPublicAccessBlock GetBucketPolicy "
            "GetBucketOwnershipControls GetBucketLogging GetBucketLifecycleConfiguration GetBucketLocation"
        ),
        "kms": "DescribeKey GetKeyRotationStatus ListAliases GetKeyPolicy",
        "logs": "DescribeLogGroups",
        "cloudwatch": "DescribeAlarms",
        "sns": "GetTopicAttributes",
        "iam": "GetRole ListAttachedRolePolicies GetInstanceProfile GetServerCertificate",
        "acm": "DescribeCertificate",
        "wafv2": "GetWebACL GetWebACLForResource GetLoggingConfiguration",
        "service-quotas": "GetServiceQuota GetAWSDefaultServiceQuota",
    }.items()
}


class ReadOnlyViolation(BotoCoreError):
    fmt = "the read-only guard refused {service}:{operation}: the suite may only read, and never a secret"


def refuse_unless_allowed(model, **_) -> None:
    service = model.service_model.service_name
    if model.name not in ALLOWED.get(service, ()):
        raise ReadOnlyViolation(service=service, operation=model.name)


def guard(session: boto3.Session) -> boto3.Session:
    """Put the guard on a session: every client created from it afterwards is read-only."""
    session.events.register("before-call.*.*", refuse_unless_allowed)
    return session


def read_only_session(**session_args) -> boto3.Session:
    return guard(boto3.Session(**session_args))
