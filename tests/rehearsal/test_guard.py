"""The read-only guard: refused calls never leave the process; allowed ones do."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tap.live.guard import ALLOWED, ReadOnlyViolation, read_only_session


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
    ],
)
def test_refused_call_never_reaches_the_endpoint(session, endpoint, service, operation, arguments):
    with pytest.raises(ReadOnlyViolation, match="read-only guard refused"):
        getattr(client(session, service, endpoint), operation)(**arguments)
    assert Recorder.seen == []


def test_allowed_call_reaches_the_endpoint(session, endpoint):
    with pytest.raises(ClientError):  # the recorder's 500 fails the call, after sending it
        client(session, "sts", endpoint).get_caller_identity()
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
    assert "GetSecretValue" not in ALLOWED["secretsmanager"]
