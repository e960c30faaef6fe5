"""What runs on the application instances (user data), what their role may touch, Session Manager's
preferences and the patch run: stack/hosts.py as the plan carries it."""

from __future__ import annotations

import base64
import json
import threading
import types
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import yaml

from stack import hosts
from stack.agent_setup import SUFFIX_MARK, configured
from stack.agent_setup import main as complete_agent_configuration
from stack.config import DEFAULT_APP_IMAGE, Config
from tap.plan import Match
from tests.unit.helpers import SUFFIX_REFERENCE


def _user_data(plan) -> dict:
    """The launch template's cloud-config, decoded from the base64 the plan holds as it is."""
    text = base64.b64decode(plan.resources("aws_launch_template").only()["user_data"], validate=True).decode()
    assert text.startswith("#cloud-config\n"), text[:80]
    return yaml.safe_load(text)


def _file(cloud_config: dict, path: str) -> str:
    (found,) = [item["content"] for item in cloud_config["write_files"] if item["path"] == path]
    return found


def _log_group(plan, resource: str):
    return plan.resources("aws_cloudwatch_log_group", under=f"logs/{resource}").only()


# ---- 1. it runs: a placeholder answers the health check on the application port -----------------


def test_user_data_starts_the_placeholder_on_the_app_port_for_the_health_path(plan, config):
    cloud_config = _user_data(plan)
    health = plan.resources("aws_lb_target_group").only()
    unit = _file(cloud_config, f"/etc/systemd/system/{hosts.PLACEHOLDER_UNIT}")
    command = f"ExecStart=/usr/bin/python3 {hosts.PLACEHOLDER_PATH} {health['port']} {health['health_check']['path']}"
    assert command in unit.splitlines()
    assert health["port"] == config.app_port
    assert _file(cloud_config, hosts.PLACEHOLDER_PATH) == hosts.PLACEHOLDER_SCRIPT.read_text()
    assert ["systemctl", "enable", "--now", hosts.PLACEHOLDER_UNIT] in cloud_config["runcmd"]


@pytest.fixture(scope="module")
def placeholder(plans):
    """The placeholder script the dev plan installs, serving on a free loopback port: its base URL."""
    script = types.ModuleType("placeholder")
    exec(_file(_user_data(plans["dev"]), hosts.PLACEHOLDER_PATH), script.__dict__)
    health = plans["dev"].resources("aws_lb_target_group").only()["health_check"]
    handler = script.handler(health["path"])
    handler.log_message = lambda *args: None  # the test's output stays the test's
    server = HTTPServer(("127.0.0.1", 0), handler)
    # shutdown() waits out serve_forever's poll (half a second by default): the pre-commit suite is instant.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", health
    server.shutdown()
    server.server_close()


def _status(url: str, method: str = "GET") -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_placeholder_answers_the_health_check_and_nothing_else(placeholder):
    base, health = placeholder
    assert _status(base + health["path"]) == int(health["matcher"])
    assert _status(base + health["path"], "HEAD") == int(health["matcher"])
    assert [_status(base + path) for path in ("/", "/health/", "/health?x=1", "/payments")] == [404] * 4
    assert _status(base + health["path"], "POST") == 501


def test_an_application_image_starts_no_placeholder_but_still_ships_its_logs():
    assert Config().runs_placeholder and Config().app_image == DEFAULT_APP_IMAGE
    assert not Config(app_image="ami-0123456789abcdef0").runs_placeholder
    text = hosts.user_data(
        port=8080, health_path="/health", log_files={"/var/log/secure": "g"}, profile_prefix="p-", placeholder=False
    )
    cloud_config = yaml.safe_load(text)
    assert [item["path"] for item in cloud_config["write_files"]] == [hosts.AGENT_TEMPLATE_PATH, hosts.AGENT_SETUP_PATH]
    assert not any(hosts.PLACEHOLDER_UNIT in command for command in cloud_config["runcmd"])


@pytest.mark.parametrize(
    ("image", "parameter"),
    [(DEFAULT_APP_IMAGE, DEFAULT_APP_IMAGE), ("/payments/images/app", "/payments/images/app"), ("ami-0a1b2c3d", None)],
)
def test_an_image_parameter_is_resolved_at_launch_and_an_ami_id_used_as_it_is(image, parameter):
    assert Config(app_image=image).image_parameter == parameter


# ---- 3. evidence of what happens on the hosts: the agent ships OS and application logs ----------


def _agent_template(plan) -> dict[str, str]:
    agent = json.loads(_file(_user_data(plan), hosts.AGENT_TEMPLATE_PATH))
    return {
        item["file_path"]: item["log_group_name"] for item in agent["logs"]["logs_collected"]["files"]["collect_list"]
    }


def test_agent_ships_authentication_system_and_application_logs_to_the_stacks_groups(plan):
    # The suffix left for the instance to fill in is the deployment suffix the planned groups end in.
    shipped = {path: name.replace(SUFFIX_MARK, SUFFIX_REFERENCE) for path, name in _agent_template(plan).items()}
    assert shipped == {path: _log_group(plan, key)["name"] for key, path in hosts.HOST_LOG_SOURCES.items()}
    assert set(hosts.HOST_LOG_SOURCES.values()) >= {"/var/log/secure", "/var/log/messages"}
    # Amazon Linux 2023 writes neither file unless rsyslog runs; the agent reads what the setup completed.
    commands = _user_data(plan)["runcmd"]
    profile = plan.resources("aws_iam_instance_profile").only()["name"]
    setup = ["python3", hosts.AGENT_SETUP_PATH, profile.replace(SUFFIX_REFERENCE, ""), hosts.AGENT_TEMPLATE_PATH]
    assert [*setup, hosts.AGENT_CONFIG_PATH] in commands
    assert _file(_user_data(plan), hosts.AGENT_SETUP_PATH) == hosts.AGENT_SETUP_SCRIPT.read_text()
    assert commands.index(["systemctl", "enable", "--now", "rsyslog"]) > commands.index(
        ["dnf", "install", "-y", "rsyslog", "amazon-cloudwatch-agent"]
    )
    assert commands[-1] == [
        hosts.AGENT_CONTROL,
        "-a",
        "fetch-config",
        "-m",
        "ec2",
        "-s",
        "-c",
        f"file:{hosts.AGENT_CONFIG_PATH}",
    ]


class _Metadata(BaseHTTPRequestHandler):
    """The instance metadata service as IMDSv2 answers: a token for a PUT, the profile only with that token."""

    profile_arn = ""

    def do_PUT(self):
        self._answer(b"token-1" if self.path == "/latest/api/token" else None)

    def do_GET(self):
        known = self.path == "/latest/meta-data/iam/info" and self.headers["X-aws-ec2-metadata-token"] == "token-1"
        self._answer(
            json.dumps({"Code": "Success", "InstanceProfileArn": self.profile_arn}).encode() if known else None
        )

    def _answer(self, body):
        self.send_response(200 if body else 401)
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


def test_agent_setup_completes_the_group_names_from_the_instance_profile(plan, tmp_path):
    """The script the instances run, on the template they get, against a stand-in metadata service."""
    profile = plan.resources("aws_iam_instance_profile").only()["name"].replace(SUFFIX_REFERENCE, "0a1b2c3d")
    _Metadata.profile_arn = f"arn:aws:iam::111122223333:instance-profile/{profile}"
    server = HTTPServer(("127.0.0.1", 0), _Metadata)
    # shutdown() waits out serve_forever's poll (half a second by default): the pre-commit suite is instant.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    template, config = tmp_path / "template.json", tmp_path / "config.json"
    template.write_text(_file(_user_data(plan), hosts.AGENT_TEMPLATE_PATH))
    command = next(c for c in _user_data(plan)["runcmd"] if c[:2] == ["python3", hosts.AGENT_SETUP_PATH])
    try:
        complete_agent_configuration(
            [command[1], command[2], str(template), str(config)],
            metadata=f"http://127.0.0.1:{server.server_port}/latest",
        )
    finally:
        server.shutdown()
        server.server_close()
    written = json.loads(config.read_text())["logs"]["logs_collected"]["files"]["collect_list"]
    assert {item["log_group_name"] for item in written} == {
        _log_group(plan, key)["name"].replace(SUFFIX_REFERENCE, "0a1b2c3d") for key in hosts.HOST_LOG_SOURCES
    }


@pytest.mark.parametrize("profile", ["payment-app-profile-prod-0a1b2c3d", "other-0a1b2c3d", "payment-app-profile-dev-"])
def test_agent_setup_refuses_a_profile_that_is_not_the_deployments(profile):
    with pytest.raises(ValueError, match="is not payment-app-profile-dev-<deployment suffix>"):
        configured(f"/payment/auth-logs-dev-{SUFFIX_MARK}", profile, "payment-app-profile-dev-")


def _app_policy(plan) -> dict[str, dict]:
    role = plan.resources("aws_iam_role", under="compute/app-role").only()
    policy = plan.resources("aws_iam_role_policy").where({"role": Match.reference_to(role.address, "id")}).only()
    return {statement["Sid"]: statement for statement in json.loads(policy["policy"])["Statement"]}


def test_instance_role_writes_only_its_own_log_groups(plan):
    grants = _app_policy(plan)
    host = [f"${{{_log_group(plan, key).address}.arn}}:*" for key in hosts.HOST_LOG_SOURCES]
    assert grants["ShipHostLogs"] == {
        "Sid": "ShipHostLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        "Resource": host,
    }
    assert grants["SessionLogs"]["Resource"] == f"${{{_log_group(plan, 'session-logs').address}.arn}}:*"
    assert "logs:DescribeLogGroups" not in grants["SessionLogs"]["Action"]


def test_session_agent_may_look_the_session_group_up_as_aws_authorises_it(plan, config):
    """DescribeLogGroups is authorised on a wildcard of the account's groups, never on one group's ARN:
    granted on the session group alone, the agent cannot see the group is encrypted and refuses every session."""
    lookup = _app_policy(plan)["SessionLogGroupLookup"]
    account = plan.data_sources("aws_caller_identity").only()
    assert lookup == {
        "Sid": "SessionLogGroupLookup",
        "Effect": "Allow",
        "Action": "logs:DescribeLogGroups",
        "Resource": f"arn:aws:logs:{config.region}:${{data.aws_caller_identity.{account.name}.account_id}}:log-group:*",
    }


# ---- 2. the data bucket's objects and its key, for the application's role ----------------------


def test_application_role_reads_and_writes_data_objects_and_uses_the_data_key_through_s3_only(plan, config):
    grants = _app_policy(plan)
    bucket = plan.resources("aws_s3_bucket", under="storage/data/").only()
    key = plan.resources("aws_kms_key", under="encryption/data-key").only()
    bucket_arn = f"${{{bucket.address}.arn}}"
    assert grants["DataBucketObjects"]["Action"] == ["s3:GetObject", "s3:PutObject"]
    assert grants["DataBucketObjects"]["Resource"] == f"{bucket_arn}/*"
    assert grants["DataKeyThroughS3"] == {
        "Sid": "DataKeyThroughS3",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": f"${{{key.address}.arn}}",
        "Condition": {
            "StringEquals": {
                "kms:ViaService": f"s3.{config.region}.amazonaws.com",
                "kms:EncryptionContext:aws:s3:arn": bucket_arn,
            }
        },
    }


# The one grant on more than a named resource: a read-only lookup AWS authorises only on a wildcard.
ACCOUNT_WIDE_LOOKUPS = {"SessionLogGroupLookup": ["logs:DescribeLogGroups"]}


def test_instance_role_grants_named_actions_on_named_resources_only(plan):
    for sid, statement in _app_policy(plan).items():
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        named = all(r.startswith("${aws_") for r in resources)
        assert statement["Effect"] == "Allow" and (named or ACCOUNT_WIDE_LOOKUPS.get(sid) == actions), sid
        assert not any("*" in action for action in actions), sid


# ---- 4. Session Manager: encrypted, logged, idle sessions closed --------------------------------


def _session_document(plan):
    return plan.resources("aws_ssm_document").where({"document_type": "Session"}).only()


def test_session_preferences_encrypt_log_and_close_idle_sessions(plan):
    document = _session_document(plan)
    inputs = json.loads(document["content"])["inputs"]
    key = plan.resources("aws_kms_key", under="encryption/session-key").only()
    assert inputs["kmsKeyId"] == f"${{{key.address}.arn}}"
    assert inputs["cloudWatchLogGroupName"] == f"${{{_log_group(plan, 'session-logs').address}.name}}"
    assert inputs["cloudWatchEncryptionEnabled"] is True and inputs["cloudWatchStreamingEnabled"] is True
    assert 1 <= int(inputs["idleSessionTimeout"]) <= 15
    assert inputs["runAsEnabled"] is False
    assert document["name"].startswith("payment-session-preferences-")


def test_instance_role_uses_the_session_key_to_decrypt_only(plan):
    key = plan.resources("aws_kms_key", under="encryption/session-key").only()
    assert _app_policy(plan)["SessionEncryption"] == {
        "Sid": "SessionEncryption",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": f"${{{key.address}.arn}}",
    }
    assert key["enable_key_rotation"] is True


# ---- 5. patching: weekly Patch Manager installs, every instance replaced within 30 days ---------


WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


def test_patch_baseline_installs_on_the_fleet_at_least_weekly(plan, config):
    association = plan.resources("aws_ssm_association").only()
    group = plan.resources("aws_autoscaling_group").only()
    assert association["name"] == "AWS-RunPatchBaseline"
    assert association["parameters"]["Operation"] == "Install"
    assert association["targets"] == [
        {"key": "tag:aws:autoscaling:groupName", "values": [f"${{{group.address}.name}}"]}
    ]
    schedule = association["schedule_expression"]
    assert schedule == config.settings.patch_schedule
    # cron(minutes hours day-of-month month day-of-week year): a named weekday or every day, every week.
    minutes, hours, day_of_month, month, day_of_week, year = schedule.removeprefix("cron(").removesuffix(")").split()
    assert (day_of_month, month, year) == ("?", "*", "*") and day_of_week in (
        ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN", "*"]
    )
