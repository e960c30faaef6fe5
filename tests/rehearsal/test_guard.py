"""The read-only guard: refused calls never leave the process; allowed ones do, and what they answer
reaches the suite without its secrets."""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tap.live.emulator import moto_server
from tap.live.guard import ALLOWED, REDACTED, REDACTED_FIELDS, ReadOnlyViolation, open_account, read_only_session
from tap.live.rehearsal import EMULATOR_CREDENTIALS


class Recorder(BaseHTTPRequestHandler):
    """An endpoint that notes every request that reaches it and answers nothing useful."""

    seen: list[str] = []

    def _record(self) -> None:
        Recorder.seen.append(f"{self.command} {self.path} {self.headers.get('X-Amz-Target', '')}")
        self.send_response(500)
        self.end_headers()

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _record

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Recorder.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def session():
    return read_only_session(region_name="ap-southeast-1", aws_access_key_id="x", aws_secret_access_key="y")


def client(session, service, endpoint, validate=True):
    # One attempt: an allowed call should reach the endpoint exactly once.
    config = Config(retries={"total_max_attempts": 1}, parameter_validation=validate)
    return session.client(service, endpoint_url=endpoint, config=config)


@pytest.mark.parametrize(
    ("service", "operation", "arguments"),
    [
        ("s3", "put_object", {"Bucket": "b", "Key": "k", "Body": b"x"}),
        ("s3", "delete_bucket_encryption", {"Bucket": "b"}),
        ("secretsmanager", "get_secret_value", {"SecretId": "rds!db"}),
        ("rds", "modify_db_instance", {"DBInstanceIdentifier": "db", "PubliclyAccessible": True}),
        ("ec2", "authorize_security_group_ingress", {"GroupId": "sg-1"}),
        ("kms", "disable_key_rotation", {"KeyId": "k"}),
        ("kms", "decrypt", {"CiphertextBlob": b"x"}),
        # Near the inventory's and the exposure checks' reads: an instance's user data, the writes that share.
        ("ec2", "describe_instance_attribute", {"InstanceId": "i-1", "Attribute": "userData"}),
        ("ec2", "run_instances", {"ImageId": "ami-1", "MinCount": 1, "MaxCount": 1}),
        ("rds", "modify_db_snapshot_attribute", {"DBSnapshotIdentifier": "s", "AttributeName": "restore"}),
        ("kms", "create_grant", {"KeyId": "k", "GranteePrincipal": "p", "Operations": ["Decrypt"]}),
        ("s3", "put_bucket_acl", {"Bucket": "b", "ACL": "public-read"}),
        ("s3", "list_objects_v2", {"Bucket": "b"}),
    ],
)
def test_refused_call_never_reaches_the_endpoint(session, endpoint, service, operation, arguments):
    with pytest.raises(ReadOnlyViolation, match="read-only guard refused"):
        getattr(client(session, service, endpoint), operation)(**arguments)
    assert Recorder.seen == []


@pytest.mark.parametrize(
    ("service", "operation", "arguments"),
    [
        ("sts", "get_caller_identity", {}),
        # What the VPC's inventory and the exposure checks read.
        ("ec2", "describe_instances", {}),
        ("ec2", "describe_network_interfaces", {}),
        ("ec2", "describe_vpc_peering_connections", {}),
        ("ec2", "describe_transit_gateway_vpc_attachments", {}),
        ("ec2", "describe_vpn_gateways", {}),
        ("elb", "describe_load_balancers", {}),
        ("rds", "describe_db_snapshot_attributes", {"DBSnapshotIdentifier": "s"}),
        ("kms", "list_grants", {"KeyId": "k"}),
        ("s3", "get_bucket_acl", {"Bucket": "b"}),
    ],
)
def test_allowed_call_reaches_the_endpoint(session, endpoint, service, operation, arguments):
    with pytest.raises(ClientError):  # the recorder's 500 fails the call, after sending it
        getattr(client(session, service, endpoint), operation)(**arguments)
    assert len(Recorder.seen) == 1


def _placeholders(shape) -> dict:
    """A value for every required parameter, so the request gets built (and reaches the guard)."""
    values = {"string": "x", "integer": 1, "long": 1, "boolean": False, "blob": b"x", "list": [], "structure": {}}
    if shape is None:
        return {}
    return {name: values.get(shape.members[name].type_name, "x") for name in shape.required_members}


def test_every_client_of_the_session_is_guarded(session, endpoint):
    for service in ALLOWED:
        model = boto3.Session().client(service, region_name="ap-southeast-1").meta.service_model
        refused = [name for name in model.operation_names if name not in ALLOWED[service]]
        unvalidated = client(session, service, endpoint, validate=False)
        python_name = next(py for py, api in unvalidated.meta.method_to_api_mapping.items() if api == refused[0])
        with pytest.raises(ReadOnlyViolation):
            getattr(unvalidated, python_name)(**_placeholders(model.operation_model(refused[0]).input_shape))
    assert Recorder.seen == []


def test_allow_list_names_only_real_read_operations():
    for service, operations in ALLOWED.items():
        model = boto3.Session().client(service, region_name="ap-southeast-1").meta.service_model
        assert operations <= set(model.operation_names), f"{service}: {sorted(operations - set(model.operation_names))}"
        assert all(name.startswith(("Describe", "Get", "List", "Head")) for name in operations), service


# Reads that answer a secret under a name that does not say so (a parameter's Value, a console's Output, a
# report's Content): the check of member names below cannot see them, so they are refused by name.
SECRET_READS = {
    "secretsmanager": {"GetSecretValue", "BatchGetSecretValue"},
    "ssm": {"GetParameter", "GetParameters", "GetParametersByPath", "GetParameterHistory"},
    "ec2": {"GetConsoleOutput", "GetConsoleScreenshot", "GetPasswordData", "DescribeInstanceAttribute"},
    "iam": {"GetCredentialReport"},
    "kms": {"Decrypt"},
}


def test_no_operation_that_answers_a_secret_is_allowed():
    assert {service: operations & ALLOWED.get(service, set()) for service, operations in SECRET_READS.items()} == {
        service: set() for service in SECRET_READS
    }


# Response members whose names say they may hold a secret (a boot script, a password, a key, a token, a payload).
SECRET_LOOKING = re.compile(
    r"UserData|Password|Passphrase|Secret|PrivateKey|Token|Credential|Environment|Variables|Plaintext"
    r"|^Input$|InputTemplate|HeaderParameters|QueryStringParameters|PathParameterValues|^Sqls?$",
    re.IGNORECASE,
)
# Such members of the allowed operations that hold none (an ARN, ending in Arn or ARN, names one and holds none).
NOT_SECRETS = {
    "NextToken": "where the next page starts",
    "nextToken": "where the next page starts",
    "LockToken": "WAF's version stamp for an update",
    "HttpTokens": "whether IMDSv2 is required",
    "TokenEndpoint": "an OIDC provider's URL",
    "TokenDomains": "the domains WAF accepts its tokens for",
    "MasterUserSecret": "RDS's managed secret: its ARN, status and key, never its value",
    "PasswordField": "where a login request carries its password, for WAF to inspect",
    "ClientToken": "the idempotency key an instance's launch request carried, no credential",
    "uploadSequenceToken": "the position of a log stream's next write (Logs ignores it now), no credential",
}


def response_members(
    shape, path: str = "", names: tuple[str, ...] = (), seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str, tuple[str, ...], bool]]:
    """(path as REDACTED_FIELDS writes it, the member names along it, whether it holds text) of every member
    of a response shape; list items and map values go by their member's name. Recursive shapes: walked once."""
    if shape.type_name == "structure" and shape.name not in seen:
        for name, member in shape.members.items():
            yield from _member(member, f"{path}.{name}" if path else name, (*names, name), seen | {shape.name})


def _member(
    shape, path: str, names: tuple[str, ...], seen: frozenset[str]
) -> Iterator[tuple[str, tuple[str, ...], bool]]:
    yield path, names, shape.type_name in ("string", "blob")
    if shape.type_name == "list":
        yield from _member(shape.member, f"{path}[]", names, seen)
    elif shape.type_name == "map":
        yield from _member(shape.value, f"{path}.*", names, seen)
    else:
        yield from response_members(shape, path, names, seen)


def secret_looking(names: tuple[str, ...]) -> bool:
    """Whether a member or one it sits in (`UserData.Value`) is named like a secret and not known to hold none."""
    named = [name for name in names if SECRET_LOOKING.search(name) and not name.endswith(("Arn", "ARN"))]
    return bool(named) and not any(name in NOT_SECRETS for name in names)


def allowed_outputs() -> Iterator[tuple[str, str, object]]:
    models = botocore.session.get_session()
    for service, operations in ALLOWED.items():
        for operation in sorted(operations):
            yield service, operation, models.get_service_model(service).operation_model(operation).output_shape


def test_every_secret_looking_member_an_allowed_operation_answers_is_redacted():
    uncovered = [
        f"{service}:{operation} {path}"
        for service, operation, output in allowed_outputs()
        if output is not None
        for path, names, text in response_members(output)
        if text and secret_looking(names)
        if not any(
            path == field or path.startswith((f"{field}.", f"{field}[]"))
            for field in REDACTED_FIELDS.get((service, operation), ())
        )
    ]
    assert uncovered == [], (
        "add them to REDACTED_FIELDS in tap/live/guard.py (or, if they hold no secret, to NOT_SECRETS)"
    )


def test_every_redacted_field_is_in_its_operations_answer():
    outputs = {(service, operation): output for service, operation, output in allowed_outputs()}
    for (service, operation), fields in REDACTED_FIELDS.items():
        assert (service, operation) in outputs, f"{service}:{operation} is not an allowed operation"
        members = {path for path, _, _ in response_members(outputs[service, operation])}
        assert set(fields) <= members, f"{service}:{operation}: {sorted(set(fields) - members)}"


REGION = "ap-southeast-1"
PLANTED = "PlantedPw666"


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    with moto_server() as url:
        yield url


def unguarded(service: str, emulator: str):
    return boto3.Session(region_name=REGION, **EMULATOR_CREDENTIALS).client(service, endpoint_url=emulator)


def test_launch_template_user_data_reaches_a_guarded_session_redacted(emulator):
    script = f"#!/bin/bash\nexport DB_PASSWORD={PLANTED}\n"
    user_data = base64.b64encode(script.encode()).decode()
    template = unguarded("ec2", emulator).create_launch_template(
        LaunchTemplateName=f"other-team-{uuid.uuid4().hex[:8]}",
        LaunchTemplateData={"ImageId": "ami-12345678", "UserData": user_data},
    )["LaunchTemplate"]["LaunchTemplateId"]
    read = {"LaunchTemplateId": template, "Versions": ["$Default"]}
    assert (
        unguarded("ec2", emulator).describe_launch_template_versions(**read)["LaunchTemplateVersions"][0][
            "LaunchTemplateData"
        ]["UserData"]
        == user_data
    )  # the emulator answers it: the guard is what takes it out

    ec2 = open_account(REGION, emulator, **EMULATOR_CREDENTIALS)("ec2")
    answers = [
        ec2.describe_launch_template_versions(**read),
        *ec2.get_paginator("describe_launch_template_versions").paginate(**read),
    ]
    for answer in answers:
        (data,) = [version["LaunchTemplateData"] for version in answer["LaunchTemplateVersions"]]
        assert (data["UserData"], data["ImageId"]) == (REDACTED, "ami-12345678")
        assert PLANTED not in repr(answer) and user_data not in repr(answer)


def test_event_target_payload_and_headers_reach_a_guarded_session_redacted(emulator):
    rule, topic = f"rule-{uuid.uuid4().hex[:8]}", "arn:aws:sns:ap-southeast-1:123456789012:alarms"
    unguarded("events", emulator).put_rule(Name=rule, ScheduleExpression="rate(5 minutes)")
    unguarded("events", emulator).put_targets(
        Rule=rule,
        Targets=[
            {
                "Id": "alarms",
                "Arn": topic,
                "Input": json.dumps({"db_password": PLANTED}),
                "HttpParameters": {"HeaderParameters": {"Authorization": f"Bearer {PLANTED}"}},
            }
        ],
    )
    answer = open_account(REGION, emulator, **EMULATOR_CREDENTIALS)("events").list_targets_by_rule(Rule=rule)
    (found,) = answer["Targets"]
    assert (found["Arn"], found["Input"]) == (topic, REDACTED)
    assert found["HttpParameters"]["HeaderParameters"] == {"Authorization": REDACTED}
    assert PLANTED not in repr(answer)


def test_subscription_url_credentials_reach_a_guarded_session_redacted(emulator):
    sns = unguarded("sns", emulator)
    topic = sns.create_topic(Name=f"alarms-{uuid.uuid4().hex[:8]}")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=f"https://alarm:{PLANTED}@127.0.0.1:9/hook")
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@rehearsal.example")
    answer = open_account(REGION, emulator, **EMULATOR_CREDENTIALS)("sns").list_subscriptions_by_topic(TopicArn=topic)
    assert sorted(item["Endpoint"] for item in answer["Subscriptions"]) == [
        f"https://{REDACTED}@127.0.0.1:9/hook",
        "oncall@rehearsal.example",
    ]
    assert PLANTED not in repr(answer)
