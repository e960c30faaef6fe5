"""Validated, frozen configuration of one deployment of the payment stack.

Plain Python on purpose (no cdktf import): the property tests, `tap synth`'s
argument checks and preflight all read it without paying for the provider.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from stack import naming
from stack.contract import PROJECT_ROOT, stack_name

PROFILES = ("dev", "prod")
DEFAULT_ENVIRONMENT_SUFFIX = "dev"
DEFAULT_REGION = "ap-southeast-1"
DEFAULT_PROFILE = "dev"
# Each long-lived environment's profile, declared once (see Config.from_env).
ENVIRONMENTS_FILE = PROJECT_ROOT / "environments.toml"

# An ACM certificate (or IAM server certificate) ARN, so a typo is caught at synth rather than at deploy.
# Matched with fullmatch: `$` would also match before a final newline ('ap-southeast-1\n').
# Every pattern is ASCII: `\d` and `\w` would also take other scripts' digits and letters ('ap-south-١').
_CERTIFICATE_ARN = re.compile(
    r"arn:aws[a-z-]*:(acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}|iam::\d{12}:server-certificate/[\w+=,.@/-]+)",
    re.ASCII,
)
_REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-\d", re.ASCII)
_SUFFIX_CHARSET = re.compile(r"[a-z0-9-]+")
# Stands in for a real certificate where none is given (synth and rehearsal need
# none); a deploy needs ALB_CERTIFICATE_ARN set.
PLACEHOLDER_ACCOUNT = "000000000000"
# Stands in for the alarm recipients where none are given: `.invalid` is reserved (RFC 2606)
# and never delivers, so synth and the rehearsal work and preflight blocks a deploy with it.
PLACEHOLDER_ALARM_EMAIL = "payment-alarms@placeholder.invalid"
# An address as HTML's email inputs take it (WHATWG), with at least one dot in the domain.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
# The role allowed to disable, delete or rewrite the policy of the stack's KMS keys (besides the
# account root): the role that deploys and destroys the stack, so it must be named when that differs.
DEFAULT_KEY_ADMINISTRATOR_ROLE = "payment-key-administrator"
# IAM role names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
_ROLE_NAME = re.compile(r"[A-Za-z0-9+=,.@_-]{1,64}")
# The image the application instances boot: an AMI id, or the SSM parameter that holds the id of
# the current one (a baked image's pipeline publishes there; AWS publishes Amazon Linux's). The
# default, stock Amazon Linux 2023, carries no application: the stack then starts a placeholder
# service answering the health check (stack/hosts.py), so a deployment without one is healthy.
APP_IMAGE_VARIABLE = "APP_IMAGE"
DEFAULT_APP_IMAGE = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
# AMI ids: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html (8 or 17 hex digits).
_AMI_ID = re.compile(r"ami-(?:[0-9a-f]{8}|[0-9a-f]{17})", re.ASCII)
# Parameter names: https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html
_SSM_PARAMETER = re.compile(r"/[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)*", re.ASCII)
_SSM_PARAMETER_MAX = 1011

# What the application instances call on AWS, each through an interface endpoint in the VPC.
# stack/compute.py makes them SSM-managed (AmazonSSMManagedInstanceCore, Session Manager
# instead of SSH); they run no CloudWatch agent and their role may call nothing else
# (no logs, KMS, Secrets Manager or STS permission), so those services get no endpoint.
# SSM needs all three: https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html
# The hosts' CloudWatch agent and Session Manager's logs write to `logs`; the SSM Agent decrypts
# session data with the session key through `kms` (stack/hosts.py).
INTERFACE_ENDPOINT_SERVICES = ("ssm", "ssmmessages", "ec2messages", "logs", "kms")
# The broadest internet destination a deployment may declare: a /20 (4,096 addresses).
# Processors publish /24s to /22s; anything broader is a provider's block, not a destination.
BROADEST_EGRESS_PREFIX = 20
INTERNET_EGRESS_VARIABLE = "INTERNET_EGRESS_CIDRS"
# Ranges that are not a destination on the internet (RFC 1918, shared, loopback, link-local
# which holds the instance metadata service, multicast, reserved).
_NOT_INTERNET = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)


class ConfigError(ValueError):
    """A configuration value that cannot be deployed; the message is one sentence."""

    def __init__(self, field_name: str, problem: str):
        self.field = field_name
        super().__init__(f"{field_name} {problem}.")


@dataclass(frozen=True)
class Schedule:
    """A recurring scaling action of the Auto Scaling group (cron in UTC)."""

    name: str
    recurrence: str
    min_size: int
    max_size: int
    desired_capacity: int


@dataclass(frozen=True)
class Profile:
    """What differs between a development and a production deployment."""

    nat_per_az: bool
    # Interface endpoints in every AZ (an AZ failure does not cut SSM), or in the first AZ only.
    endpoints_per_az: bool
    multi_az: bool
    deletion_protection: bool
    instance_type: str
    min_size: int
    max_size: int
    desired_capacity: int
    db_instance_class: str
    db_allocated_storage: int
    db_max_allocated_storage: int
    backup_retention_days: int
    # Logs outlive the stack and nobody rewrites them: Object Lock on the
    # log buckets that can carry it, log groups a destroy leaves behind, log buckets never emptied by
    # a destroy. Off where the environment is destroyed every night (dev): its log buckets are emptied
    # by the destroy and its log groups go with it.
    protect_logs: bool
    # A deleted database leaves a final snapshot (and its key outlives the stack). Off where the
    # environment is destroyed every night (dev): each night would leave a snapshot whose key the
    # same destroy schedules for deletion, unrestorable after 30 days yet billed, until the
    # manual-snapshot quota fails the destroy.
    keep_final_snapshot: bool
    # When Patch Manager installs patches on the fleet (cron, UTC): weekly at least (6.3.3), at a time the
    # fleet runs (instances launched in between are patched as they come up).
    patch_schedule: str
    schedules: tuple[Schedule, ...] = ()


PROFILE_SETTINGS: Mapping[str, Profile] = {
    # dev: one NAT, single-AZ database, instances off outside working hours.
    "dev": Profile(
        nat_per_az=False,
        endpoints_per_az=False,
        multi_az=False,
        deletion_protection=False,
        instance_type="t3.small",
        min_size=1,
        max_size=2,
        desired_capacity=1,
        db_instance_class="db.t4g.medium",
        db_allocated_storage=20,
        db_max_allocated_storage=100,
        backup_retention_days=7,
        protect_logs=False,
        keep_final_snapshot=False,
        patch_schedule="cron(0 9 ? * TUE *)",  # working hours: dev's fleet is off at night and at weekends
        schedules=(
            Schedule("scale-down", "0 20 * * MON-FRI", 0, 0, 0),
            Schedule("scale-up", "0 7 * * MON-FRI", 1, 2, 1),
        ),
    ),
    # prod: a NAT per AZ so an AZ failure does not cut egress, Multi-AZ, protected.
    "prod": Profile(
        nat_per_az=True,
        endpoints_per_az=True,
        multi_az=True,
        deletion_protection=True,
        instance_type="m6i.large",
        min_size=3,
        max_size=9,
        desired_capacity=3,
        db_instance_class="db.r6g.large",
        db_allocated_storage=100,
        db_max_allocated_storage=1000,
        backup_retention_days=30,
        protect_logs=True,
        keep_final_snapshot=True,
        patch_schedule="cron(0 3 ? * SUN *)",  # the quietest hour of the week
    ),
}


@dataclass(frozen=True)
class Config:
    environment_suffix: str = DEFAULT_ENVIRONMENT_SUFFIX
    region: str = DEFAULT_REGION
    profile: str = DEFAULT_PROFILE
    certificate_arn: str = ""
    vpc_cidr: str = "10.0.0.0/16"
    az_count: int = 3
    app_port: int = 8080
    db_engine_major: str = "15"
    log_retention_days: int = 365
    # TLS 1.3 with TLS 1.2 fallback, forward-secret AEAD suites only (ECDHE with AES-GCM on 1.2;
    # the "-2021-06" policy without "Res" also offers CBC-SHA2 suites). Suites per policy:
    # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
    tls_policy: str = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    # Hosts on the internet the application may reach on 443 (e.g. the payment processor's
    # published ranges); none by default, and then the stack has no NAT gateway at all.
    internet_egress_cidrs: tuple[str, ...] = ()
    alarm_emails: tuple[str, ...] = ()
    key_administrator_role: str = DEFAULT_KEY_ADMINISTRATOR_ROLE
    app_image: str = DEFAULT_APP_IMAGE
    settings: Profile = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_types(self)
        _check_profile(self.profile)
        _check_region(self.region)
        _check_environment_suffix(self.environment_suffix)
        _check_cidr(self.vpc_cidr, self.az_count)
        declared = self.internet_egress_cidrs
        object.__setattr__(
            self, "internet_egress_cidrs", comma_separated(declared) if isinstance(declared, str) else tuple(declared)
        )
        _check_egress_cidrs(self.internet_egress_cidrs, self.vpc_cidr)
        object.__setattr__(self, "settings", PROFILE_SETTINGS[self.profile])
        if not self.certificate_arn:
            object.__setattr__(self, "certificate_arn", _placeholder_certificate(self.region))
        _check_certificate(self.certificate_arn)
        object.__setattr__(self, "alarm_emails", tuple(self.alarm_emails) or (PLACEHOLDER_ALARM_EMAIL,))
        _check_alarm_emails(self.alarm_emails)
        _check_role_name(self.key_administrator_role)
        _check_app_image(self.app_image)
        _check_names_fit(self)

    @property
    def image_parameter(self) -> str | None:
        """The SSM parameter the image id is read from at deploy, or None when an AMI id is named."""
        return None if _AMI_ID.fullmatch(self.app_image) else self.app_image

    @property
    def runs_placeholder(self) -> bool:
        """Stock Amazon Linux serves nothing: a placeholder answers the health check until the application's image."""
        return self.app_image == DEFAULT_APP_IMAGE

    @property
    def stack_name(self) -> str:
        return stack_name(self.environment_suffix)

    @property
    def inventory_tags(self) -> dict[str, str]:
        """What every resource carries, so an inventory of in-scope components can be read from the account."""
        return {
            "Service": "payment",
            "Environment": self.environment_suffix,
            "Profile": self.profile,
            "ManagedBy": "cdktf",
            "DataClassification": "cardholder-data",
        }

    @property
    def availability_zones(self) -> tuple[str, ...]:
        return tuple(f"{self.region}{letter}" for letter in "abcdef"[: self.az_count])

    @property
    def nat_gateway_count(self) -> int:
        """NAT gateways exist only to reach declared internet destinations: AWS traffic uses endpoints."""
        if not self.internet_egress_cidrs:
            return 0
        return self.az_count if self.settings.nat_per_az else 1

    @property
    def app_route_table_count(self) -> int:
        """One application route table per NAT gateway (AZs beyond share the first), at least one."""
        return max(self.nat_gateway_count, 1)

    @property
    def endpoint_zone_count(self) -> int:
        return self.az_count if self.settings.endpoints_per_az else 1

    @property
    def interface_endpoint_services(self) -> tuple[str, ...]:
        return INTERFACE_ENDPOINT_SERVICES

    @property
    def scheduled_action_names(self) -> tuple[str, ...]:
        return tuple(schedule.name for schedule in self.settings.schedules)

    @property
    def fleet_always_on(self) -> bool:
        """No schedule scales the fleet to zero: no healthy host is then an outage, never the night."""
        return self.settings.min_size > 0 and all(schedule.min_size > 0 for schedule in self.settings.schedules)

    @property
    def keeps_final_snapshot(self) -> bool:
        return self.settings.keep_final_snapshot

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: str | None) -> Config:
        """Config from ENVIRONMENT_SUFFIX, AWS_REGION, STACK_PROFILE, ALB_CERTIFICATE_ARN, INTERNET_EGRESS_CIDRS,
        ALARM_EMAILS (comma-separated), KEY_ADMINISTRATOR_ROLE and APP_IMAGE.

        Overrides win. The profile of an environment declared in environments.toml comes from there; a
        contradicting one is refused, and an undeclared environment must name its profile.
        """
        env = os.environ if environ is None else environ
        values = {
            "environment_suffix": env.get("ENVIRONMENT_SUFFIX", DEFAULT_ENVIRONMENT_SUFFIX),
            "region": env.get("AWS_REGION", DEFAULT_REGION),
            "profile": env.get("STACK_PROFILE"),
            "certificate_arn": env.get("ALB_CERTIFICATE_ARN", ""),
            "internet_egress_cidrs": comma_separated(env.get(INTERNET_EGRESS_VARIABLE, "")),
            "alarm_emails": comma_separated(env.get("ALARM_EMAILS", "")),
            "key_administrator_role": env.get("KEY_ADMINISTRATOR_ROLE") or DEFAULT_KEY_ADMINISTRATOR_ROLE,
            "app_image": env.get(APP_IMAGE_VARIABLE) or DEFAULT_APP_IMAGE,
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        _check_environment_suffix(values["environment_suffix"])  # a bad suffix is the first thing to name
        values["profile"] = declared_profile(values["environment_suffix"], values["profile"])
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The environment variables that make `from_env` rebuild this config."""
        return {
            "ENVIRONMENT_SUFFIX": self.environment_suffix,
            "AWS_REGION": self.region,
            "STACK_PROFILE": self.profile,
            "ALB_CERTIFICATE_ARN": self.certificate_arn,
            INTERNET_EGRESS_VARIABLE: ",".join(self.internet_egress_cidrs),
            "ALARM_EMAILS": ",".join(self.alarm_emails),
            "KEY_ADMINISTRATOR_ROLE": self.key_administrator_role,
            APP_IMAGE_VARIABLE: self.app_image,
        }


def environments(path: Path = ENVIRONMENTS_FILE) -> dict[str, str]:
    """environments.toml: each declared environment -> its profile."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(path.name, f"cannot be read ({error})") from None
    declared = {}
    for name, settings in document.items():
        if not isinstance(settings, dict) or set(settings) != {"profile"} or settings["profile"] not in PROFILES:
            raise ConfigError(path.name, f"must give [{name}] exactly one key, profile = one of {', '.join(PROFILES)}")
        declared[name] = settings["profile"]
    return declared


def declared_profile(environment_suffix: str, requested: str | None) -> str:
    """The environment's profile: the declared one (a different request is refused), or the one requested."""
    declared = environments().get(environment_suffix)
    if declared and requested and requested != declared:
        raise ConfigError(
            "profile",
            f"{requested!r} contradicts {ENVIRONMENTS_FILE.name}, which declares environment "
            f"{environment_suffix!r} as {declared!r}",
        )
    if not (declared or requested):
        raise ConfigError(
            "profile",
            f"of environment {environment_suffix!r} is not declared in {ENVIRONMENTS_FILE.name}: "
            "declare it there, or name it with --profile or STACK_PROFILE",
        )
    return declared or requested


def _placeholder_certificate(region: str) -> str:
    return f"arn:aws:acm:{region}:{PLACEHOLDER_ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000"


def _check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise ConfigError("profile", f"must be one of {', '.join(PROFILES)}, not {profile!r}")


# Where a field's value comes from, as sentences name it; fields not listed are named as themselves.
FIELD_SOURCES = {
    "environment_suffix": "ENVIRONMENT_SUFFIX",
    "region": "AWS_REGION",
    "certificate_arn": "ALB_CERTIFICATE_ARN",
    "internet_egress_cidrs": INTERNET_EGRESS_VARIABLE,
    "alarm_emails": "ALARM_EMAILS",
    "key_administrator_role": "KEY_ADMINISTRATOR_ROLE",
    "app_image": APP_IMAGE_VARIABLE,
}


def _check_types(config: Config) -> None:
    """Each value of the kind its field holds (an outputs file or a record may say anything)."""
    for item in fields(config):
        if not item.init:
            continue
        value, expected = getattr(config, item.name), item.type
        if expected == "int":
            right = isinstance(value, int) and not isinstance(value, bool)
        elif expected == "str":
            right = isinstance(value, str)
        else:  # a list of texts, or one comma-separated text
            right = isinstance(value, str) or (
                isinstance(value, tuple | list) and all(isinstance(v, str) for v in value)
            )
        if not right:
            kind = (
                "a list of texts" if expected.startswith("tuple") else f"a {'number' if expected == 'int' else 'text'}"
            )
            raise ConfigError(FIELD_SOURCES.get(item.name, item.name), f"must be {kind}, not {type(value).__name__}")


def is_region(region: str) -> bool:
    """An AWS region's name ('ap-southeast-1'), whole."""
    return bool(_REGION.fullmatch(region))


def _check_region(region: str) -> None:
    if not is_region(region):
        raise ConfigError("AWS_REGION", f"must look like 'ap-southeast-1', not {region!r}")


def _check_environment_suffix(suffix: str) -> None:
    if not suffix:
        raise ConfigError("ENVIRONMENT_SUFFIX", "must not be empty")
    if not _SUFFIX_CHARSET.fullmatch(suffix):
        raise ConfigError(
            "ENVIRONMENT_SUFFIX",
            f"may hold only lowercase letters, digits and hyphens (S3 and RDS refuse the rest), not {suffix!r}",
        )
    if suffix[0] == "-" or suffix[-1] == "-" or "--" in suffix:
        raise ConfigError(
            "ENVIRONMENT_SUFFIX",
            f"must not start or end with a hyphen or hold two in a row (RDS refuses them), not {suffix!r}",
        )


def _check_cidr(cidr: str, az_count: int) -> None:
    try:
        network = ipaddress.ip_network(cidr)
    except ValueError:
        raise ConfigError("vpc_cidr", f"must be an IPv4 network such as 10.0.0.0/16, not {cidr!r}") from None
    if network.version != 4 or not 16 <= network.prefixlen <= 20:
        raise ConfigError("vpc_cidr", f"must be an IPv4 network from /16 to /20, not {cidr!r}")
    if not 2 <= az_count <= 6:
        raise ConfigError("az_count", f"must be from 2 to 6, not {az_count}")


def comma_separated(text: str) -> tuple[str, ...]:
    """`"203.0.113.0/24, 198.51.100.0/24"` -> a tuple of the items; blank entries are ignored."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _check_egress_cidrs(cidrs: tuple[str, ...], vpc_cidr: str) -> None:
    field_name = INTERNET_EGRESS_VARIABLE
    if len(set(cidrs)) != len(cidrs):
        raise ConfigError(field_name, f"must not repeat a range, not {','.join(cidrs)!r}")
    for cidr in cidrs:
        try:
            network = ipaddress.ip_network(cidr)
        except ValueError:
            raise ConfigError(
                field_name, f"must hold IPv4 networks such as 203.0.113.0/24 (no host bits set), not {cidr!r}"
            ) from None
        if network.version != 4:
            raise ConfigError(field_name, f"must hold IPv4 networks only, not {cidr!r}")
        if network.prefixlen < BROADEST_EGRESS_PREFIX:
            raise ConfigError(
                field_name,
                f"must name destinations of /{BROADEST_EGRESS_PREFIX} or narrower, not {cidr!r}"
                " (the internet is not a destination)",
            )
        if any(network.overlaps(block) for block in _NOT_INTERNET) or network.overlaps(ipaddress.ip_network(vpc_cidr)):
            raise ConfigError(field_name, f"must hold public internet ranges, not {cidr!r}")


def _check_certificate(arn: str) -> None:
    if not _CERTIFICATE_ARN.fullmatch(arn):
        raise ConfigError("ALB_CERTIFICATE_ARN", f"must be an ACM or IAM server certificate ARN, not {arn!r}")


def _check_alarm_emails(emails: tuple[str, ...]) -> None:
    bad = [email for email in emails if not _EMAIL.fullmatch(email)]
    if bad:
        raise ConfigError("ALARM_EMAILS", f"must be comma-separated email addresses, not {bad[0]!r}")


def _check_role_name(role: str) -> None:
    if not _ROLE_NAME.fullmatch(role):
        raise ConfigError(
            "KEY_ADMINISTRATOR_ROLE", f"must be an IAM role name (1-64 of letters, digits, +=,.@_-), not {role!r}"
        )


def _check_app_image(image: str) -> None:
    parameter = _SSM_PARAMETER.fullmatch(image) and len(image) <= _SSM_PARAMETER_MAX
    if not (_AMI_ID.fullmatch(image) or parameter):
        raise ConfigError(
            APP_IMAGE_VARIABLE,
            "must be an AMI id (ami- and 8 or 17 lowercase hex digits) or the name of the SSM parameter "
            f"holding one (such as {DEFAULT_APP_IMAGE}), not {image!r}",
        )


def _check_names_fit(config: Config) -> None:
    """Refuse an environment suffix that would make any AWS name unacceptable."""
    problems = naming.violations(config)
    if problems:
        name, broken = next(iter(problems.items()))
        raise ConfigError(
            "ENVIRONMENT_SUFFIX",
            f"{config.environment_suffix!r} cannot fit every AWS name: {name!r} {broken[0]}"
            f" ({len(problems)} name(s) affected)",
        )


def server_certificate_name(arn: str) -> str | None:
    """The name of an IAM server certificate ARN; None for an ACM certificate."""
    marker = ":server-certificate/"
    return arn.split(marker, 1)[1].rsplit("/", 1)[-1] if marker in arn else None
