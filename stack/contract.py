"""What the stack and the tools around it agree on, defined once.

The stack name and its prefix, where the state lives, the deployment-suffix token,
every output key, the waiver metadata key and the engine record beside a plan. The stack writes them; the live suite,
the drift catalogue, the rehearsal, preflight and the audit read them. Plain Python on
purpose: no cdktf import, so every tool reads it for free.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

STACK_PREFIX = "TapStack"

# The deployment suffix is the hex of this `random_id`, kept in Terraform state (see stack/naming.py).
DEPLOYMENT_SUFFIX_RESOURCE = "deployment"
DEPLOYMENT_SUFFIX = f"${{random_id.{DEPLOYMENT_SUFFIX_RESOURCE}.hex}}"

# Where waivers and not-applicable declarations live in a resource's "//" metadata
# (stack/waivers.py writes, tap/audit reads).
WAIVER_METADATA_KEY = "waivers"
NOT_APPLICABLE_METADATA_KEY = "not_applicable"
# Where a network ACL rule, which AWS keeps no description for, carries its justification
# (stack/network_acls.py writes, tap/audit/network.py reads).
JUSTIFICATION_METADATA_KEY = "justification"

# How a policy marks a resource it has nothing to judge on (policies/support.py writes it into
# checkov's details, tap audit reads it as a verdict of NOT APPLICABLE with the reason that follows).
OUT_OF_SCOPE_MARK = "out of scope: "

# Beside each plan, which engine wrote it and the versions it ran (stack/app.py writes, tap audit reads).
ENGINE_RECORD = "engine.json"

# The local backend's path is relative to the stack's folder, cdktf.out/stacks/<stack>: three up is the project.
_STACK_FOLDER_TO_PROJECT = "../../.."


def stack_name(environment_suffix: str) -> str:
    return f"{STACK_PREFIX}{environment_suffix}"


def stack_folder(outdir: str | Path, stack: str) -> Path:
    """Where a synth writes a stack's plan (cdk.tf.json) under its output folder."""
    return Path(outdir) / "stacks" / stack


def state_file_name(stack: str) -> str:
    return f"terraform.{stack}.tfstate"


def backend_path(stack: str) -> str:
    """The local backend's path as the plan states it (relative, so the plan does not depend on the checkout)."""
    return f"{_STACK_FOLDER_TO_PROJECT}/{state_file_name(stack)}"


def state_path(stack: str) -> Path:
    """Where the local backend keeps the stack's state: the project root."""
    return PROJECT_ROOT / state_file_name(stack)


def below_project(path: Path) -> Path | None:
    """`path` relative to the project root when it lies inside the project, else None."""
    resolved = Path(path).resolve()
    return resolved.relative_to(PROJECT_ROOT) if resolved.is_relative_to(PROJECT_ROOT) else None


class Output(StrEnum):
    """Every output the stack declares. `cdktf deploy --outputs-file` nests them under the stack name."""

    # What the deployment is: the live suite rebuilds the expected plan from these alone.
    ENVIRONMENT_SUFFIX = "environment_suffix"
    PROFILE = "profile"
    REGION = "region"
    CERTIFICATE_ARN = "certificate_arn"
    INTERNET_EGRESS_CIDRS = "internet_egress_cidrs"  # an empty list when none is declared
    ALARM_EMAILS = "alarm_emails"
    KEY_ADMINISTRATOR_ROLE = "key_administrator_role"
    APP_IMAGE = "app_image"
    DEPLOYMENT_SUFFIX = "deployment_suffix"
    # Network and firewall.
    VPC_ID = "vpc_id"
    PUBLIC_SUBNET_IDS = "public_subnet_ids"
    APP_SUBNET_IDS = "app_subnet_ids"
    DB_SUBNET_IDS = "db_subnet_ids"
    NAT_GATEWAY_IDS = "nat_gateway_ids"  # an empty list when no internet destination is declared
    ROUTE_TABLE_IDS = "route_table_ids"
    ALB_SECURITY_GROUP_ID = "alb_security_group_id"
    APP_SECURITY_GROUP_ID = "app_security_group_id"
    DB_SECURITY_GROUP_ID = "db_security_group_id"
    ENDPOINTS_SECURITY_GROUP_ID = "endpoints_security_group_id"
    S3_ENDPOINT_ID = "s3_endpoint_id"
    INTERFACE_ENDPOINT_IDS = "interface_endpoint_ids"
    # Edge.
    ALB_ARN = "alb_arn"
    ALB_DNS_NAME = "alb_dns_name"
    WEB_ACL_ARN = "web_acl_arn"
    HTTPS_LISTENER_ARN = "https_listener_arn"
    HTTP_LISTENER_ARN = "http_listener_arn"
    TARGET_GROUP_ARN = "target_group_arn"
    # Compute.
    AUTOSCALING_GROUP_NAME = "autoscaling_group_name"
    LAUNCH_TEMPLATE_ID = "launch_template_id"
    # Database: the secret's ARN only; the live suite checks it exists, never reads it.
    DB_IDENTIFIER = "db_identifier"
    DB_ENDPOINT = "db_endpoint"
    DB_SECRET_ARN = "db_secret_arn"
    # Storage.
    DATA_BUCKET = "data_bucket"
    ALB_LOGS_BUCKET = "alb_logs_bucket"
    ACCESS_LOGS_BUCKET = "access_logs_bucket"
    # Keys, logs, alarms.
    DATA_KEY_ARN = "data_key_arn"
    LOGS_KEY_ARN = "logs_key_arn"
    EBS_KEY_ARN = "ebs_key_arn"
    SESSION_KEY_ARN = "session_key_arn"
    FLOW_LOG_GROUP = "flow_log_group"
    APP_LOG_GROUP = "app_log_group"
    WAF_LOG_GROUP = "waf_log_group"
    DB_LOG_GROUPS = "db_log_groups"
    DNS_QUERY_LOG_GROUP = "dns_query_log_group"
    HOST_LOG_GROUPS = "host_log_groups"
    ALARM_TOPIC_ARN = "alarm_topic_arn"
    ALARM_NAMES = "alarm_names"
    EVENT_RULE_NAMES = "event_rule_names"
    # The Session Manager preferences document, which a tamper rule names (the live suite reads it back).
    SESSION_DOCUMENT_NAME = "session_document_name"


# The outputs that say which deployment an outputs file describes.
IDENTITY_OUTPUTS = (
    Output.ENVIRONMENT_SUFFIX,
    Output.PROFILE,
    Output.REGION,
    Output.CERTIFICATE_ARN,
    Output.INTERNET_EGRESS_CIDRS,
    Output.ALARM_EMAILS,
    Output.KEY_ADMINISTRATOR_ROLE,
    Output.APP_IMAGE,
)
# Outputs that are empty lists by design in some deployments: no declared internet destination, no NAT.
EMPTY_WHEN_NO_EGRESS = (Output.INTERNET_EGRESS_CIDRS, Output.NAT_GATEWAY_IDS)


@dataclass(frozen=True)
class CompensatingControl:
    """The compensating-control worksheet, when a waiver rests on one: the stack writes it into
    the plan, the audit reads and shows it. Every field optional; one left out is shown as absent."""

    constraint: str | None = None
    objective: str | None = None
    identified_risk: str | None = None
    validation: str | None = None
    maintenance: str | None = None
