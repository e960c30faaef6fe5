"""Every AWS name of the stack, built in one place.

A name is `{service}-{resource}-{env}-{suffix}` (log groups and KMS aliases add the
prefix their service requires). `suffix` is the deployment suffix: the hex of a
`random_id` held in Terraform state, so it is

* unique per deployment: a destroy drops the state, and the next deployment of the
  same environment draws a new suffix, so it never meets its predecessor's retained
  buckets, KMS aliases pending deletion or final snapshots;
* stable within a deployment: re-synth and re-deploy read the same suffix back from
  state, so nothing is renamed (and so replaced). A `uuid4()` drawn at synth time
  would rename the database on every deploy.

The suffix is unknown at synth time, but its length and alphabet are fixed, so every
name is checked against its AWS rule with a stand-in suffix of the same shape.
Plain Python on purpose: no cdktf import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from stack.tamper import TAMPER_WATCHES

SERVICE = "payment"


class Deployment(Protocol):
    """What naming needs to know of a deployment (stack/config.py's Config provides it)."""

    @property
    def environment_suffix(self) -> str: ...

    @property
    def availability_zones(self) -> tuple[str, ...]: ...

    @property
    def nat_gateway_count(self) -> int: ...

    @property
    def app_route_table_count(self) -> int: ...

    @property
    def interface_endpoint_services(self) -> tuple[str, ...]: ...

    @property
    def scheduled_action_names(self) -> tuple[str, ...]: ...

    @property
    def fleet_always_on(self) -> bool: ...

    @property
    def keeps_final_snapshot(self) -> bool: ...


SUFFIX_BYTES = 4
SUFFIX_LENGTH = 2 * SUFFIX_BYTES  # random_id.hex: two lowercase hex digits per byte
# The stand-in used to check lengths and characters at synth time: the longest and
# a representative shape of every suffix `random_id` can draw.
SAMPLE_SUFFIX = "f" * SUFFIX_LENGTH


@dataclass(frozen=True)
class NameRule:
    """What AWS accepts for one kind of name, and where AWS documents it."""

    kind: str
    min_length: int
    max_length: int
    pattern: str
    doc: str
    template: str = "{service}-{resource}-{env}-{suffix}"
    forbidden_prefixes: tuple[str, ...] = ()
    forbidden_suffixes: tuple[str, ...] = ()
    no_double_hyphen: bool = False

    def violations(self, name: str) -> list[str]:
        """Each rule the name breaks, as a phrase; empty when AWS accepts it."""
        problems = []
        if not self.min_length <= len(name) <= self.max_length:
            problems.append(f"is {len(name)} characters, outside {self.min_length}-{self.max_length}")
        if not re.fullmatch(self.pattern, name):
            problems.append(f"does not match {self.pattern}")
        if self.no_double_hyphen and "--" in name:
            problems.append("holds a double hyphen")
        problems += [f"starts with reserved {p!r}" for p in self.forbidden_prefixes if name.startswith(p)]
        problems += [f"ends with reserved {s!r}" for s in self.forbidden_suffixes if name.endswith(s)]
        return problems


_AWS = "https://docs.aws.amazon.com"
_ELB = dict(
    min_length=1,
    max_length=32,
    pattern=r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?",
    forbidden_prefixes=("internal-",),
)
_RDS = dict(min_length=1, max_length=63, pattern=r"[a-z][a-z0-9-]*[a-z0-9]", no_double_hyphen=True)

# The one table of AWS naming rules, each citing the page it comes from.
RULES: Mapping[str, NameRule] = {
    rule.kind: rule
    for rule in (
        NameRule(
            "s3_bucket",
            3,
            63,
            r"[a-z0-9][a-z0-9.-]*[a-z0-9]",
            f"{_AWS}/AmazonS3/latest/userguide/bucketnamingrules.html",
            forbidden_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
            forbidden_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
            no_double_hyphen=False,
        ),
        NameRule("db_instance", doc=f"{_AWS}/AmazonRDS/latest/APIReference/API_CreateDBInstance.html", **_RDS),
        NameRule("db_snapshot", doc=f"{_AWS}/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html", **_RDS),
        NameRule(
            "db_parameter_group", doc=f"{_AWS}/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html", **_RDS
        ),
        NameRule(
            "db_subnet_group",
            1,
            255,
            r"[a-z0-9 ._-]+",
            f"{_AWS}/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html",
            forbidden_prefixes=("default",),
        ),
        NameRule(
            "load_balancer", doc=f"{_AWS}/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html", **_ELB
        ),
        NameRule(
            "target_group", doc=f"{_AWS}/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html", **_ELB
        ),
        NameRule(
            "kms_alias",
            7,
            256,
            r"alias/[a-zA-Z0-9/_-]+",
            f"{_AWS}/kms/latest/APIReference/API_CreateAlias.html",
            template="alias/{service}-{resource}-{env}-{suffix}",
            forbidden_prefixes=("alias/aws/",),
        ),
        NameRule(
            "log_group",
            1,
            512,
            r"[.\-_/#A-Za-z0-9]+",
            f"{_AWS}/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
            template="/{service}/{resource}-{env}-{suffix}",
        ),
        # RDS writes exported logs to a group whose name it dictates; the stack creates
        # that group first so it is KMS-encrypted and kept, not left to RDS's defaults.
        NameRule(
            "rds_log_group",
            1,
            512,
            r"[.\-_/#A-Za-z0-9]+",
            f"{_AWS}/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html",
            template="/aws/rds/instance/{service}-db-{env}-{suffix}/{resource}",
        ),
        # WAF delivers logs only to log groups whose name starts with `aws-waf-logs-`.
        NameRule(
            "waf_log_group",
            1,
            512,
            r"aws-waf-logs-[.\-_/#A-Za-z0-9]+",
            f"{_AWS}/waf/latest/developerguide/logging-cw-logs.html",
            template="aws-waf-logs-{service}-{resource}-{env}-{suffix}",
        ),
        NameRule("web_acl", 1, 128, r"[\w-]+", f"{_AWS}/waf/latest/APIReference/API_CreateWebACL.html"),
        NameRule(
            "sns_topic",
            1,
            256,
            r"[A-Za-z0-9_-]+",
            f"{_AWS}/sns/latest/api/API_CreateTopic.html",
        ),
        NameRule("iam_role", 1, 64, r"[\w+=,.@-]+", f"{_AWS}/IAM/latest/APIReference/API_CreateRole.html"),
        NameRule("iam_policy", 1, 128, r"[\w+=,.@-]+", f"{_AWS}/IAM/latest/APIReference/API_CreatePolicy.html"),
        NameRule(
            "iam_instance_profile",
            1,
            128,
            r"[\w+=,.@-]+",
            f"{_AWS}/IAM/latest/APIReference/API_CreateInstanceProfile.html",
        ),
        NameRule(
            "security_group",
            1,
            255,
            r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+",
            f"{_AWS}/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
            forbidden_prefixes=("sg-",),
        ),
        NameRule(
            "launch_template",
            3,
            128,
            r"[a-zA-Z0-9().\-/_]+",
            f"{_AWS}/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html",
        ),
        NameRule(
            "autoscaling_group",
            1,
            255,
            r"[^:]+",
            f"{_AWS}/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html",
        ),
        NameRule(
            "scheduled_action",
            1,
            255,
            r"[^:]+",
            f"{_AWS}/autoscaling/ec2/APIReference/API_PutScheduledUpdateGroupAction.html",
        ),
        NameRule(
            "alarm",
            1,
            255,
            r"[^\x00-\x1f]+",
            f"{_AWS}/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
        ),
        NameRule(
            "event_rule",
            1,
            64,
            r"[.\-_A-Za-z0-9]+",
            f"{_AWS}/eventbridge/latest/APIReference/API_PutRule.html",
        ),
        # Route 53 Resolver: firewall domain lists, rule groups, rules, associations and query log configs.
        NameRule(
            "resolver_name",
            1,
            64,
            r"[a-zA-Z0-9 _-]+",
            f"{_AWS}/Route53/latest/APIReference/API_route53resolver_CreateFirewallRuleGroup.html",
        ),
        # Document and association names: letters, digits, _ - . only; AWS reserves the aws, amazon and
        # amzn prefixes for its own documents.
        NameRule(
            "ssm_document",
            3,
            128,
            r"[a-zA-Z0-9_.-]+",
            f"{_AWS}/systems-manager/latest/APIReference/API_CreateDocument.html",
            forbidden_prefixes=("aws", "amazon", "amzn"),
        ),
        NameRule(
            "ssm_association",
            3,
            128,
            r"[a-zA-Z0-9_.-]+",
            f"{_AWS}/systems-manager/latest/APIReference/API_CreateAssociation.html",
        ),
        NameRule(
            "tag_name",
            0,
            256,
            r"[\w .:/=+\-@]*",
            f"{_AWS}/AWSEC2/latest/UserGuide/Using_Tags.html",
        ),
    )
}


def catalogue(config: Deployment) -> dict[str, str]:
    """Every name the stack uses: key (the `resource` part) -> kind of name.

    A key appears once, so two resources can never share a name.
    """
    letters = [zone[-1] for zone in config.availability_zones]
    names = {
        "data": "s3_bucket",
        "alb-logs": "s3_bucket",
        "access-logs": "s3_bucket",
        "data-key": "kms_alias",
        "logs-key": "kms_alias",
        "ebs-key": "kms_alias",
        "db": "db_instance",
        "db-params": "db_parameter_group",
        "db-subnets": "db_subnet_group",
        "alb": "load_balancer",
        "tg": "target_group",
        "flow-logs": "log_group",
        "app-logs": "log_group",
        "waf-logs": "waf_log_group",
        "auth-logs": "log_group",
        "system-logs": "log_group",
        "session-logs": "log_group",
        "session-key": "kms_alias",
        "session-preferences": "ssm_document",
        "patching": "ssm_association",
        "app-policy": "iam_policy",
        "waf": "web_acl",
        "postgresql": "rds_log_group",
        "upgrade": "rds_log_group",
        "alarms": "sns_topic",
        "flow-logs-role": "iam_role",
        "db-monitoring-role": "iam_role",
        "flow-logs-policy": "iam_policy",
        "app-role": "iam_role",
        "app-profile": "iam_instance_profile",
        "alb-sg": "security_group",
        "app-sg": "security_group",
        "db-sg": "security_group",
        "endpoints-sg": "security_group",
        "app-lt": "launch_template",
        "app-asg": "autoscaling_group",
        "alb-5xx": "alarm",
        "unhealthy-hosts": "alarm",
        "db-cpu": "alarm",
        "db-storage": "alarm",
        "flow-logs-quiet": "alarm",
        "waf-logs-quiet": "alarm",
        "postgresql-quiet": "alarm",
        "db-failures": "event_rule",
        "vpc": "tag_name",
        "igw": "tag_name",
        "public-rt": "tag_name",
        "db-rt": "tag_name",
        "s3-endpoint": "tag_name",
        "flow-log": "tag_name",
        "default-sg": "tag_name",
        "app-instance": "tag_name",
        "app-volume": "tag_name",
        "default-acl": "tag_name",
        "public-acl": "tag_name",
        "app-acl": "tag_name",
        "db-acl": "tag_name",
        "dns-query-logs": "log_group",
        "dns-allowed": "resolver_name",
        "dns-everything-else": "resolver_name",
        "dns-firewall": "resolver_name",
        "dns-allow": "resolver_name",
        "dns-block": "resolver_name",
        "dns-firewall-vpc": "resolver_name",
        "dns-query-log": "resolver_name",
    }
    for watch in TAMPER_WATCHES:
        names[watch.rule] = "event_rule"
    for letter in letters:
        for tier in ("public", "app", "db"):
            names[f"{tier}-{letter}"] = "tag_name"
    for index in range(config.nat_gateway_count):
        names[f"nat-eip-{letters[index]}"] = "tag_name"
        names[f"nat-{letters[index]}"] = "tag_name"
    for index in range(config.app_route_table_count):
        names[f"app-rt-{letters[index]}"] = "tag_name"
    for service in config.interface_endpoint_services:
        names[f"{service}-endpoint"] = "tag_name"
    for name in config.scheduled_action_names:
        names[name] = "scheduled_action"
    if config.fleet_always_on:
        names["no-healthy-hosts"] = "alarm"
    if config.keeps_final_snapshot:
        names["db-final"] = "db_snapshot"
    return names


def format_name(kind: str, resource: str, env: str, suffix: str) -> str:
    return RULES[kind].template.format(service=SERVICE, resource=resource, env=env, suffix=suffix)


class Names:
    """The names of one deployment: `names["data"]` is the data bucket's name.

    `suffix` is the deployment suffix as the stack holds it: at synth time the token
    of `random_id.hex`, in tests any string of the suffix's shape.
    """

    def __init__(self, config: Deployment, suffix: str):
        self._env = config.environment_suffix
        self._suffix = suffix
        self._kinds = catalogue(config)

    def __getitem__(self, resource: str) -> str:
        if resource not in self._kinds:
            raise KeyError(f"{resource!r} is not in the naming catalogue; add it to stack/naming.py")
        return format_name(self._kinds[resource], resource, self._env, self._suffix)

    def kind(self, resource: str) -> str:
        return self._kinds[resource]

    def pattern(self, kind: str) -> str:
        """What every name of a kind in this deployment looks like: `payment-*-dev-<suffix>`."""
        return format_name(kind, "*", self._env, self._suffix)

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def all(self) -> dict[str, str]:
        return {resource: self[resource] for resource in self}


def violations(config: Deployment, suffix: str = SAMPLE_SUFFIX) -> dict[str, list[str]]:
    """Every name that AWS would refuse, with the rules it breaks."""
    names = Names(config, suffix)
    found = {}
    for resource, name in names.all().items():
        problems = RULES[names.kind(resource)].violations(name)
        if problems:
            found[name] = problems
    return found
