"""What runs on the application instances, what they may touch, and how they are administered and patched.

* User data (cloud-config): on stock Amazon Linux 2023 (the default image), a placeholder service
  answering the load balancer's health check on the application port, so a deployment without the
  application is healthy; on every image, rsyslog (the image keeps only the journal) and the
  CloudWatch agent shipping the authentication, system and application logs to the stack's groups.
  It holds no secret and no value only Terraform knows: paths, the port and log group names whose
  deployment suffix the instance reads from its own profile at boot (stack/agent_setup.py), so the
  audit and its secret scan read it whole.
* The instance role's own grants: the data bucket's objects, the data key through S3 only, its log
  groups, and the session key and log group of Session Manager; nothing wider.
* Session Manager's preferences (a Session document): session data encrypted with the session key,
  every session started with the stack's document (operators' IAM must require it) logged to an
  encrypted group, idle sessions closed after 15 minutes (8.2.8).
* Patching (6.3.3): Patch Manager installs the baseline's patches on the fleet every week.
"""

from __future__ import annotations

import json
from pathlib import Path

from stack.policy_documents import Statement

PLACEHOLDER_SCRIPT = Path(__file__).with_name("placeholder_service.py")
AGENT_SETUP_SCRIPT = Path(__file__).with_name("agent_setup.py")
AGENT_SETUP_PATH = "/usr/local/libexec/payment-agent-setup.py"
PLACEHOLDER_PATH = "/usr/local/libexec/payment-placeholder.py"
PLACEHOLDER_UNIT = "payment-placeholder.service"
APP_LOG_DIRECTORY = "/var/log/payment"
AGENT_TEMPLATE_PATH = "/opt/aws/amazon-cloudwatch-agent/etc/payment-agent.template.json"
AGENT_CONFIG_PATH = "/opt/aws/amazon-cloudwatch-agent/etc/payment-agent.json"
AGENT_CONTROL = "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl"
# Both from the Amazon Linux 2023 repository, which the S3 gateway endpoint admits.
HOST_PACKAGES = ("rsyslog", "amazon-cloudwatch-agent")
# 8.2.8: a session idle for more than 15 minutes must re-authenticate; Session Manager's default is 20.
SESSION_IDLE_MINUTES = 15
SESSION_MAX_MINUTES = 60
PATCH_DOCUMENT = "AWS-RunPatchBaseline"
# Auto Scaling tags every instance it launches with its group's name.
FLEET_TAG = "tag:aws:autoscaling:groupName"
# Log group -> the file on the instances the CloudWatch agent ships into it. rsyslog writes the two
# operating system logs (Amazon Linux 2023 keeps only the journal unless it is installed); the
# application (or the placeholder service) writes its log under /var/log/payment.
HOST_LOG_SOURCES = {
    "auth-logs": "/var/log/secure",
    "system-logs": "/var/log/messages",
    "app-logs": "/var/log/payment/*.log",
}
# What the agent and Session Manager do on a log group: create their stream, write, find their stream.
LOG_WRITING = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]


def placeholder_unit(port: int, health_path: str) -> str:
    return "\n".join(
        [
            "[Unit]",
            "Description=Placeholder answering the load balancer's health check until the application's image",
            "After=network-online.target",
            "",
            "[Service]",
            f"ExecStart=/usr/bin/python3 {PLACEHOLDER_PATH} {port} {health_path}",
            "DynamicUser=yes",
            "NoNewPrivileges=yes",
            f"StandardError=append:{APP_LOG_DIRECTORY}/placeholder.log",
            "Restart=always",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
            "",
        ]
    )


def agent_configuration(log_files: dict[str, str]) -> str:
    """The CloudWatch agent's configuration: each file (glob) into its log group, a stream per instance."""
    collected = [
        {"file_path": path, "log_group_name": group, "log_stream_name": "{instance_id}"}
        for path, group in log_files.items()
    ]
    return json.dumps({"logs": {"logs_collected": {"files": {"collect_list": collected}}}}, indent=1) + "\n"


def user_data(*, port: int, health_path: str, log_files: dict[str, str], profile_prefix: str, placeholder: bool) -> str:
    """cloud-config: files first, then the commands that start what they configure.

    The same text for every deployment of an environment: `log_files` name their groups with
    agent_setup.SUFFIX_MARK where the deployment suffix goes, which the instance fills in at boot.
    """
    files = [
        {"path": AGENT_TEMPLATE_PATH, "permissions": "0644", "content": agent_configuration(log_files)},
        {"path": AGENT_SETUP_PATH, "permissions": "0755", "content": AGENT_SETUP_SCRIPT.read_text()},
    ]
    commands: list[list[str]] = []
    if placeholder:  # first, so the health check passes while packages install
        files += [
            {"path": PLACEHOLDER_PATH, "permissions": "0755", "content": PLACEHOLDER_SCRIPT.read_text()},
            {"path": f"/etc/systemd/system/{PLACEHOLDER_UNIT}", "content": placeholder_unit(port, health_path)},
            # Its log file, so the directory exists before systemd opens it for the service.
            {"path": f"{APP_LOG_DIRECTORY}/placeholder.log", "permissions": "0640", "content": ""},
        ]
        commands += [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", PLACEHOLDER_UNIT]]
    commands += [
        ["dnf", "install", "-y", *HOST_PACKAGES],
        ["systemctl", "enable", "--now", "rsyslog"],
        ["python3", AGENT_SETUP_PATH, profile_prefix, AGENT_TEMPLATE_PATH, AGENT_CONFIG_PATH],
        [AGENT_CONTROL, "-a", "fetch-config", "-m", "ec2", "-s", "-c", f"file:{AGENT_CONFIG_PATH}"],
    ]
    return cloud_config(files, commands)


def cloud_config(files: list[dict[str, str]], commands: list[list[str]]) -> str:
    """cloud-config YAML: each file's content a literal block, so its lines stay lines (to people and to the
    audit's secret scan); every other value a JSON string, which YAML reads as it is."""
    lines = ["#cloud-config", "write_files:"]
    for item in files:
        lines += [
            f"  - {key}: {json.dumps(item[key])}" if key == "path" else f"    {key}: {json.dumps(item[key])}"
            for key in ("path", "permissions")
            if key in item
        ]
        content = item["content"]
        if not content:
            lines.append('    content: ""')
            continue
        if not content.endswith("\n") or content.endswith("\n\n"):
            raise ValueError(f"{item['path']}: a literal block keeps exactly one final newline")
        lines += ["    content: |2", *(f"      {line}" if line else "" for line in content[:-1].split("\n"))]
    lines += ["runcmd:", *(f"  - {json.dumps(command)}" for command in commands)]
    return "\n".join(lines) + "\n"


def session_preferences(*, key_arn: str, log_group: str) -> str:
    """Session Manager's preferences: encrypted sessions, each logged to an encrypted group, idle ones closed."""
    return json.dumps(
        {
            "schemaVersion": "1.0",
            "description": "Payment stack sessions: encrypted, logged, closed after 15 idle minutes",
            "sessionType": "Standard_Stream",
            "inputs": {
                "kmsKeyId": key_arn,
                "cloudWatchLogGroupName": log_group,
                "cloudWatchEncryptionEnabled": True,
                "cloudWatchStreamingEnabled": True,
                "s3BucketName": "",
                "s3KeyPrefix": "",
                "s3EncryptionEnabled": True,
                "idleSessionTimeout": str(SESSION_IDLE_MINUTES),
                "maxSessionDuration": str(SESSION_MAX_MINUTES),
                "runAsEnabled": False,
                "runAsDefaultUser": "",
                "shellProfile": {"linux": "", "windows": ""},
            },
        },
        sort_keys=True,
    )


def instance_grants(
    *,
    region: str,
    account_id: str,
    data_bucket_arn: str,
    data_key_arn: str,
    host_log_group_arns: list[str],
    session_log_group_arn: str,
    session_key_arn: str,
) -> list[Statement]:
    """What the application's role may do beyond Session Manager's managed policy, each on named resources."""
    return [
        {
            "Sid": "DataBucketObjects",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": f"{data_bucket_arn}/*",
        },
        {
            # Only S3 may use the data key for the role, and only for the data bucket's objects.
            "Sid": "DataKeyThroughS3",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": data_key_arn,
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": f"s3.{region}.amazonaws.com",
                    "kms:EncryptionContext:aws:s3:arn": data_bucket_arn,
                }
            },
        },
        {
            "Sid": "ShipHostLogs",
            "Effect": "Allow",
            "Action": LOG_WRITING,
            "Resource": [f"{arn}:*" for arn in host_log_group_arns],
        },
        {
            "Sid": "SessionLogs",
            "Effect": "Allow",
            "Action": LOG_WRITING,
            "Resource": f"{session_log_group_arn}:*",
        },
        {
            # The SSM Agent checks the session group is encrypted before it streams a session into it, and it
            # refuses the session when it cannot: DescribeLogGroups is authorised on the account's groups as a
            # whole (a wildcard ARN), never on one group. It reads names and keys, nothing logged.
            "Sid": "SessionLogGroupLookup",
            "Effect": "Allow",
            "Action": "logs:DescribeLogGroups",
            "Resource": f"arn:aws:logs:{region}:{account_id}:log-group:*",
        },
        {
            "Sid": "SessionEncryption",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": session_key_arn,
        },
    ]
