"""`tap rehearse`: provision a synthesized plan into an AWS emulator (a moto server).

Test infrastructure for the live suite, not a deployer: it walks the plan in dependency
order, resolves `${...}` references, creates each resource with boto3 against the
emulator, and writes the outputs file in the nested format `cdktf deploy --outputs-file`
writes, so the live suite is exercised end to end before it ever meets an account. It
refuses any endpoint that is not on loopback, and a resource type it does not know.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cached_property
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from stack.config import server_certificate_name
from tap.errors import UsageError
from tap.files import check_can_create, write_atomically
from tap.live.child_env import EMULATOR_CREDENTIALS
from tap.live.endpoint import loopback_refusal
from tap.plan import Plan
from tap.plan_file import read_plan

REFERENCE = re.compile(r"\$\{([^}]+)\}")
ONLY_REFERENCE = re.compile(r"\$\{([^}]+)\}")
# Terraform-only keys of a resource body; they configure Terraform, not AWS.
META_KEYS = {"//", "depends_on", "lifecycle", "provider", "count", "for_each"}
# The account Elastic Load Balancing writes access logs from, per region (AWS's published list).
ELB_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-central-1": "054676820928",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ap-south-1": "718504428378",
}

Handler = Callable[["Rehearsal", dict[str, Any]], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def handles(type_: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[type_] = handler
        return handler

    return register


def check_loopback(endpoint_url: str) -> None:
    refusal = loopback_refusal(endpoint_url)
    if refusal:
        # ascii(): the URL shown escaped, so a newline cannot split the one line, nor a look-alike character hide.
        raise UsageError(
            f"tap rehearse provisions only into an emulator on loopback, not {ascii(endpoint_url)}: {refusal}"
        )


class Rehearsal:
    def __init__(self, plan: Plan, endpoint_url: str):
        check_loopback(endpoint_url)
        self.plan = plan
        self.region = plan.region or "us-east-1"
        self.default_tags = plan.default_tags
        self._session = boto3.Session(region_name=self.region, **EMULATOR_CREDENTIALS)
        # No host prefixes: botocore would send some operations to `<prefix>.127.0.0.1`, a DNS lookup.
        self._client_config = BotoConfig(connect_timeout=5, retries={"total_max_attempts": 2}, inject_host_prefix=False)
        self._endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}
        self.state: dict[str, dict[str, Any]] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, endpoint_url=self._endpoint_url, config=self._client_config
            )
        return self._clients[service]

    def blocks(self) -> dict[str, tuple[str, dict]]:
        """address -> (type, body) for every resource and data source."""
        found = {}
        for section, prefix in (("resource", ""), ("data", "data.")):
            for type_, resources in self.plan.document.get(section, {}).items():
                for name, body in resources.items():
                    found[f"{prefix}{type_}.{name}"] = (f"{prefix}{type_}", body)
        return found

    def provision(self) -> dict[str, Any]:
        """Create everything; return the outputs nested as `cdktf deploy --outputs-file` writes them."""
        blocks = self.blocks()
        unknown = sorted({type_ for type_, _ in blocks.values() if type_ not in HANDLERS})
        if unknown:
            raise UsageError(
                f"tap rehearse cannot create {', '.join(unknown)}: add a translator in tap/live/rehearsal/"
            )
        self.prepare_account()
        order = TopologicalSorter({address: dependencies(body) for address, (_, body) in blocks.items()})
        for address in order.static_order():
            type_, body = blocks[address]
            attributes = {key: value for key, value in body.items() if key not in META_KEYS}
            try:
                self.state[address] = HANDLERS[type_](self, self.resolve(attributes))
            except UsageError:
                raise
            except Exception as error:  # one sentence naming the resource, whatever boto3 raised
                raise UsageError(f"tap rehearse could not create {address}: {error}") from None
        outputs = {
            name: self.resolve(block.get("value")) for name, block in self.plan.document.get("output", {}).items()
        }
        return {self.plan.stack_name: outputs}

    def prepare_account(self) -> None:
        """The emulator answers as AWS, and holds what an account holds before the first deploy."""
        self._check_emulator_answers()
        self.ensure_certificates(self.blocks())

    def _check_emulator_answers(self) -> None:
        try:
            self.client("sts").get_caller_identity()
        except (BotoCoreError, ClientError) as error:
            reason = str(error).splitlines()[0]
            raise UsageError(f"the emulator at {self._endpoint_url} does not answer as AWS would ({reason})") from None

    def ensure_certificates(self, blocks: dict[str, tuple[str, dict]]) -> None:
        """The listeners' certificates exist before a deploy; upload self-signed stand-ins for IAM ones."""
        for type_, body in blocks.values():
            arn = body.get("certificate_arn") if type_ == "aws_lb_listener" else None
            if not arn:
                continue
            name = server_certificate_name(arn)
            if name is None:
                raise UsageError(
                    f"the plan's listener certificate {arn} cannot exist in an emulator: rehearse without --plan "
                    "(the rehearsal's own configuration), or synthesize with ALB_CERTIFICATE_ARN set to an IAM "
                    "server certificate ARN"
                )
            iam = self.client("iam")
            if name not in {
                c["ServerCertificateName"] for c in iam.list_server_certificates()["ServerCertificateMetadataList"]
            }:
                body_pem, key_pem = _self_signed_certificate()
                iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=body_pem, PrivateKey=key_pem)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, str):
            whole = ONLY_REFERENCE.fullmatch(value)
            if whole:
                return self.lookup(whole.group(1))
            return REFERENCE.sub(lambda match: str(self.lookup(match.group(1))), value)
        return value

    def lookup(self, expression: str) -> Any:
        parts = expression.split(".")
        width = 3 if parts[0] == "data" else 2
        address, path = ".".join(parts[:width]), parts[width:]
        value: Any = self.state[address]
        for part in path:
            key, *indexes = re.split(r"\[(\d+)\]", part)
            value = value[key]
            for index in (int(i) for i in indexes if i):
                value = value[index]
        return value

    @cached_property
    def account_id(self) -> str:
        return self.client("sts").get_caller_identity()["Account"]

    def tags(self, tags: dict[str, str] | None) -> dict[str, str]:
        return {**self.default_tags, **(tags or {})}

    def tag_list(self, tags: dict[str, str] | None, key: str = "Key", value: str = "Value") -> list[dict]:
        return [{key: k, value: v} for k, v in self.tags(tags).items()]

    def ec2_tags(self, resource_type: str, tags: dict[str, str] | None) -> list[dict]:
        return [{"ResourceType": resource_type, "Tags": self.tag_list(tags)}]


def dependencies(body: dict) -> set[str]:
    """The addresses a resource body refers to or depends on."""
    found = set(body.get("depends_on", []))
    for expression in REFERENCE.findall(json.dumps(body)):
        parts = expression.split(".")
        found.add(".".join(parts[:3] if parts[0] == "data" else parts[:2]))
    return found


def _self_signed_certificate() -> tuple[str, str]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rehearsal.payments.example")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    body = certificate.public_bytes(serialization.Encoding.PEM).decode()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return body, private.decode()


def one(block: Any) -> dict:
    """A nested block, which CDKTF writes as a dict or a one-item list."""
    if isinstance(block, list):
        return block[0] if block else {}
    return block or {}


def flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def rehearse(plan_path: Path, endpoint_url: str, outputs_file: Path) -> dict[str, Any]:
    check_can_create(outputs_file, "outputs file")  # before minutes of provisioning, not after
    outputs = Rehearsal(read_plan(plan_path), endpoint_url).provision()
    write_atomically(outputs_file, json.dumps(outputs, indent=2) + "\n", "outputs file")
    return outputs


def camel(name: str, upper: dict[str, str] | None = None) -> str:
    words = name.split("_")
    return "".join((upper or {}).get(word, word.capitalize()) for word in words)
