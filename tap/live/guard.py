"""The read-only guard: a boto3 session that can only call the operations the suite needs.

A botocore `before-call` handler on the session sees every call of every client made from
it, before any request is built or sent. An operation missing from the allow-list (every
write, every delete, and reads that expose secrets such as GetSecretValue) is refused
with `ReadOnlyViolation`.

An allowed read can still carry a secret in its answer: a launch template version's
UserData (a boot script that exports a password), an OIDC client secret, a target's
HTTP headers. An `after-call` handler, run on every parsed response before the client
returns it, replaces each field that `REDACTED_FIELDS` names by `REDACTED`.

Presigning never makes a call: `generate_presigned_url`, `generate_presigned_post`, RDS's
`generate_db_auth_token` sign a request for someone else to send, so before-call never
sees them. Every one of them signs through the client's RequestSigner, which emits
`before-sign` with a presigning signature version; a handler there refuses them all,
for any operation, allowed or not, before a signature exists.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import BotoCoreError

from tap.errors import UsageError
from tap.live.endpoint import loopback_refusal, names_loopback

# service -> operations (API names). Add an operation here only if it reads, and never answers a secret
# that REDACTED_FIELDS (below) does not take out.
ALLOWED: Mapping[str, frozenset[str]] = {
    service: frozenset(operations.split())
    for service, operations in {
        "sts": "GetCallerIdentity",
        "ec2": (
            "DescribeVpcs DescribeVpcAttribute DescribeSubnets DescribeNatGateways DescribeRouteTables "
            "DescribeFlowLogs DescribeSecurityGroups DescribeSecurityGroupRules DescribeInternetGateways "
            "DescribeAddresses DescribeLaunchTemplates DescribeLaunchTemplateVersions DescribeVpcEndpoints "
            "DescribeAvailabilityZones DescribeInstanceTypeOfferings DescribeAccountAttributes "
            "DescribePrefixLists DescribeNetworkAcls "
            # The VPC's inventory: everything in it must be the plan's or AWS's on the plan's behalf.
            "DescribeInstances DescribeNetworkInterfaces DescribeVpcPeeringConnections "
            "DescribeTransitGatewayVpcAttachments DescribeVpnGateways"
        ),
        "elbv2": (
            "DescribeLoadBalancers DescribeLoadBalancerAttributes DescribeListeners DescribeRules "
            "DescribeTargetGroups DescribeTargetGroupAttributes DescribeTags DescribeSSLPolicies DescribeTargetHealth"
        ),
        # Classic load balancers: one in the VPC is not the plan's.
        "elb": "DescribeLoadBalancers",
        "autoscaling": "DescribeAutoScalingGroups DescribeScheduledActions",
        "rds": (
            "DescribeDBInstances DescribeDBParameters DescribeDBParameterGroups DescribeDBSubnetGroups "
            "DescribeDBSnapshots DescribeDBEngineVersions DescribeOrderableDBInstanceOptions ListTagsForResource "
            # Who may restore a snapshot of the database: no one outside the account.
            "DescribeDBSnapshotAttributes"
        ),
        "secretsmanager": "DescribeSecret",
        "s3": (
            "HeadBucket GetBucketEncryption GetBucketVersioning GetPublicAccessBlock GetBucketPolicy "
            "GetBucketOwnershipControls GetBucketLogging GetBucketLifecycleConfiguration GetBucketLocation "
            "GetObjectLockConfiguration GetBucketAcl"
        ),
        "kms": "DescribeKey GetKeyRotationStatus ListAliases GetKeyPolicy ListResourceTags ListGrants",
        "logs": "DescribeLogGroups GetDataProtectionPolicy DescribeLogStreams ListTagsForResource",
        # Session Manager's preferences (a Session document: settings, no secret) and the patch association.
        "ssm": "GetDocument ListAssociations DescribeAssociation",
        "cloudwatch": "DescribeAlarms",
        "events": "DescribeRule ListTargetsByRule",
        "sns": "GetTopicAttributes ListSubscriptionsByTopic",
        # A role's policies are read to prove it holds no more than the plan grants; no secret is in them.
        "iam": (
            "GetRole ListAttachedRolePolicies ListRolePolicies GetRolePolicy GetInstanceProfile GetServerCertificate"
        ),
        "acm": "DescribeCertificate",
        "wafv2": "GetWebACL GetWebACLForResource GetLoggingConfiguration ListWebACLs",
        "service-quotas": "GetServiceQuota GetAWSDefaultServiceQuota",
        "route53resolver": (
            "ListResolverQueryLogConfigAssociations GetResolverQueryLogConfig ListFirewallRuleGroupAssociations "
            "ListFirewallRules ListFirewallDomains GetFirewallConfig "
            "ListFirewallDomainLists ListFirewallRuleGroups ListResolverQueryLogConfigs"
        ),
    }.items()
}


REDACTED = "<redacted by the read-only guard>"


def _whole(value: Any) -> str:
    return REDACTED


def _url_credentials(value: Any) -> Any:
    """An endpoint with the user name and password of its URL (https://user:password@host) redacted."""
    userinfo, at, _ = urlsplit(value).netloc.rpartition("@") if isinstance(value, str) else ("", "", "")
    return value.replace(f"{userinfo}@", f"{REDACTED}@", 1) if at else value


# (service, operation) -> where in its parsed response a secret can sit -> what replaces it. A path is
# keys from the root; `[]` is each item of a list, `*` each value of a map. tests/rehearsal/test_guard.py
# walks each allowed operation's output shape and fails on a secret-looking member no path here covers.
REDACTED_FIELDS: Mapping[tuple[str, str], Mapping[str, Callable[[Any], Any]]] = {
    ("ec2", "DescribeLaunchTemplateVersions"): {"LaunchTemplateVersions[].LaunchTemplateData.UserData": _whole},
    ("elbv2", "DescribeListeners"): {"Listeners[].DefaultActions[].AuthenticateOidcConfig.ClientSecret": _whole},
    ("elbv2", "DescribeRules"): {"Rules[].Actions[].AuthenticateOidcConfig.ClientSecret": _whole},
    # AWS answers "****" there; the guard does not count on it.
    ("rds", "DescribeDBInstances"): {"DBInstances[].PendingModifiedValues.MasterUserPassword": _whole},
    # What a rule sends its targets: any payload, HTTP headers (API keys), SQL.
    ("events", "ListTargetsByRule"): {
        "Targets[].Input": _whole,
        "Targets[].InputTransformer.InputTemplate": _whole,
        "Targets[].HttpParameters.HeaderParameters.*": _whole,
        "Targets[].HttpParameters.QueryStringParameters.*": _whole,
        "Targets[].HttpParameters.PathParameterValues[]": _whole,
        "Targets[].RedshiftDataParameters.Sql": _whole,
        "Targets[].RedshiftDataParameters.Sqls[]": _whole,
        "Targets[].SageMakerPipelineParameters.PipelineParameterList[].Value": _whole,
    },
    # How an external secret is rotated (managed by a partner): settings, for whatever they hold.
    ("secretsmanager", "DescribeSecret"): {"ExternalSecretRotationMetadata[]": _whole},
    # An HTTP(S) subscription may carry basic-auth credentials in its URL; e-mail addresses stay as they are.
    ("sns", "ListSubscriptionsByTopic"): {"Subscriptions[].Endpoint": _url_credentials},
}


def _steps(path: str) -> list[str]:
    """`A[].B.*` -> ["A", "[]", "B", "*"]."""
    return [part for key in path.split(".") for part in ((key[:-2], "[]") if key.endswith("[]") else (key,))]


def _redacted(value: Any, path: Sequence[str], replace: Callable[[Any], Any]) -> Any:
    if not path:
        return replace(value)
    step, rest = path[0], path[1:]
    if step == "[]" and isinstance(value, list):
        return [_redacted(item, rest, replace) for item in value]
    if isinstance(value, dict) and (step == "*" or step in value):
        return {key: _redacted(item, rest, replace) if step in ("*", key) else item for key, item in value.items()}
    return value  # not in this answer


def redact_secrets(parsed: dict, model, **_) -> None:
    """The parsed response, before the client returns it, with every field REDACTED_FIELDS names replaced."""
    for path, replace in REDACTED_FIELDS.get((model.service_model.service_name, model.name), {}).items():
        parsed.update(_redacted(parsed, _steps(path), replace))


class ReadOnlyViolation(BotoCoreError):
    fmt = "the read-only guard refused {service}:{operation}: the suite may only read, and never a secret"


def refuse_unless_allowed(model, **_) -> None:
    service = model.service_model.service_name
    if model.name not in ALLOWED.get(service, ()):
        raise ReadOnlyViolation(service=service, operation=model.name)


class PresignRefused(ReadOnlyViolation):
    fmt = (
        "the read-only guard refused presigning {service}:{operation}: "
        "a presigned request would act outside the guard, so presigning is refused"
    )


# What RequestSigner appends to the signature version when it presigns a URL or a POST form.
PRESIGNING_SUFFIXES = ("-query", "-presign-post")


def refuse_presigning(signature_version, signing_name: str, operation_name: str, **_) -> None:
    # An unsigned client (signature_version=UNSIGNED, not a str) signs nothing to refuse.
    if isinstance(signature_version, str) and signature_version.endswith(PRESIGNING_SUFFIXES):
        raise PresignRefused(service=signing_name, operation=operation_name)


def guard(session: boto3.Session) -> boto3.Session:
    """Put the guard on a session: every client created from it afterwards is read-only."""
    session.events.register("before-call.*.*", refuse_unless_allowed)
    session.events.register("before-sign.*.*", refuse_presigning)
    session.events.register("after-call.*.*", redact_secrets)
    return session


def read_only_session(**session_args) -> boto3.Session:
    return guard(boto3.Session(**session_args))


class Account:
    """An AWS account as the live suite and preflight see it: clients of one guarded session.

    An account whose endpoint (the one given, else AWS_ENDPOINT_URL) names loopback is an
    emulator's, and each of its clients must reach that emulator directly. boto3 may resolve
    a client elsewhere (AWS_ENDPOINT_URL_<SERVICE>, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, a
    config file's endpoint_url) or send it through a proxy: such a client is refused as it is
    made, before it can send anything, so an account is never taken for an emulated one
    while some of its calls go elsewhere.
    """

    def __init__(self, session: boto3.Session, endpoint_url: str | None = None):
        self.session = session
        self._endpoint_url = endpoint_url  # None: boto3's own resolution (AWS_ENDPOINT_URL, then AWS)
        named = endpoint_url or os.environ.get("AWS_ENDPOINT_URL", "")
        self._emulator = named if names_loopback(named) else None
        self._clients: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        if service not in self._clients:
            client = self.session.client(service, endpoint_url=self._endpoint_url)
            if self._emulator:
                _check_reaches_the_emulator(client, self._emulator)
            self._clients[service] = client
        return self._clients[service]

    @property
    def emulated(self) -> bool:
        """The endpoint is an emulator on loopback (a rehearsal account), not AWS, and the client of every
        service the guard lets call reaches it directly."""
        if self._emulator is None:
            return False
        try:
            for service in ALLOWED:
                self(service)
        except UsageError:
            return False
        return True


def _check_reaches_the_emulator(client: Any, emulator: str) -> None:
    """A client of an emulated account connects to the emulator itself, or it is refused in one sentence."""
    service_id = client.meta.service_model.service_id
    resolved = client.meta.endpoint_url
    if resolved != emulator:
        variable = "AWS_ENDPOINT_URL_" + service_id.replace(" ", "_").upper()
        unset = f"{variable} and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, and the AWS config file's endpoint settings"
        why = f"connect to {ascii(resolved)}: unset {unset}"
    else:
        refusal = loopback_refusal(emulator)
        why = refusal and f"not reach it: {refusal}"
    if why:
        raise UsageError(f"the account is the emulator at {ascii(emulator)}, but its {service_id} client would {why}")


def open_account(region: str, endpoint_url: str | None = None, **credentials: str) -> Account:
    """Read-only by construction: every client comes from a session with the guard on."""
    return Account(read_only_session(region_name=region, **credentials), endpoint_url)
