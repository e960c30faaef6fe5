"""No secret in the plan passes the audit, and none reaches what it writes: found by value, redacted everywhere."""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest
import yaml

from stack import hosts
from stack.config import Config
from tap.audit.leaks import find_leaks
from tap.audit.live_results import LiveResult
from tap.audit.mapping import Mapping
from tap.audit.redaction import Redactor
from tap.audit.reports import to_json
from tap.audit.scan import CheckInfo, Finding, Scan
from tap.audit.verdict import evaluate
from tap.audit.waivers import Declared
from tap.cli import main
from tap.plan import Plan
from tests.policies.conftest import TODAY

PLANTED = "PlantedPw666"
SCRIPT = f"#!/bin/bash\nexport DB_PASSWORD={PLANTED}\nsystemctl start app\n"
AWS_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM\n-----END RSA PRIVATE KEY-----\n"


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def gzipped(text: str) -> str:
    return b64(gzip.compress(text.encode()))


# A boot script with the secret past the scanner's decompression limit (1 MiB): comment lines, then the secret.
PADDED = gzipped("#!/bin/bash\n" + "# padding\n" * 120_000 + SCRIPT)


def cloud_init_archive(*parts: str) -> str:
    """User data of several parts, as cloud-init takes it: a MIME multi-part archive, each part base64."""
    archive = MIMEMultipart()
    for part in parts:
        archive.attach(MIMEText(part, "x-shellscript", "utf-8"))
    return archive.as_string()


def on_instance(**body) -> dict:
    return {"resource": {"aws_instance": {"app": body}}}


# (document, block address, attribute path, kind of secret) for each way a secret sits in a plan.
SECRETS = {
    "assignment in user_data": (on_instance(user_data=SCRIPT), "aws_instance.app", "user_data", "Secret Keyword"),
    "assignment in base64 user_data": (
        on_instance(user_data=b64(SCRIPT)),
        "aws_instance.app",
        "user_data (decoded from base64)",
        "Secret Keyword",
    ),
    "assignment in a part of a cloud-init archive": (
        on_instance(user_data=b64(cloud_init_archive("#!/bin/bash\necho first\n", SCRIPT))),
        "aws_instance.app",
        "user_data (decoded from base64)",
        "Secret Keyword",
    ),
    "assignment in gzipped base64 user_data": (
        on_instance(user_data_base64=b64(gzip.compress(SCRIPT.encode()))),
        "aws_instance.app",
        "user_data_base64 (decoded from base64)",
        "Secret Keyword",
    ),
    "assignment marked allowlisted inline": (
        on_instance(user_data=f"export DB_PASSWORD={PLANTED}  # pragma: allowlist secret\n"),
        "aws_instance.app",
        "user_data",
        "Secret Keyword",
    ),
    "yaml password in user_data": (
        on_instance(user_data="#cloud-config\npassword: hunter2xyz\n"),
        "aws_instance.app",
        "user_data",
        "Secret Keyword",
    ),
    "AWS secret key in user_data": (
        on_instance(user_data=f"export AWS_SECRET_ACCESS_KEY={AWS_SECRET_KEY}\n"),
        "aws_instance.app",
        "user_data",
        "Secret Keyword",
    ),
    "private key in user_data": (on_instance(user_data=PRIVATE_KEY), "aws_instance.app", "user_data", "Private Key"),
    "password attribute": (on_instance(password="hunter2xyz"), "aws_instance.app", "password", "Secret Keyword"),
    "tag named like a password": (
        on_instance(tags={"DB_PASSWORD": PLANTED}),
        "aws_instance.app",
        "tags.DB_PASSWORD",
        "Secret Keyword",
    ),
    "AWS secret key as a tag value": (
        on_instance(tags={"Note": AWS_SECRET_KEY}),
        "aws_instance.app",
        "tags.Note",
        "Base64 High Entropy String",
    ),
    "AWS access key id as a tag value": (
        on_instance(tags={"Note": "AKIAIOSFODNN7EXAMPLE"}),
        "aws_instance.app",
        "tags.Note",
        "AWS Access Key",
    ),
    "parameter named like a password": (
        {"resource": {"aws_db_parameter_group": {"pg": {"parameter": [{"name": "db_password", "value": PLANTED}]}}}},
        "aws_db_parameter_group.pg",
        "parameter[0].value",
        "Secret Keyword",
    ),
    "password in a policy document": (
        {"resource": {"aws_iam_policy": {"p": {"policy": json.dumps({"Statement": [{"Sid": f"pwd={PLANTED}"}]})}}}},
        "aws_iam_policy.p",
        "policy.Statement[0].Sid",
        "Secret Keyword",
    ),
    "credentials in a URL": (
        on_instance(tags={"Db": "postgres://app:hunter2xyz@db.example.com/payments"}),
        "aws_instance.app",
        "tags.Db",
        "Basic Auth Credentials",
    ),
    "password in a data source": (
        {"data": {"aws_ssm_parameter": {"p": {"name": f"DB_PASSWORD={PLANTED}"}}}},
        "data.aws_ssm_parameter.p",
        "name",
        "Secret Keyword",
    ),
    "password in provider default tags": (
        {"provider": {"aws": [{"default_tags": [{"tags": {"DB_PASSWORD": PLANTED}}]}]}},
        "provider.aws",
        "[0].default_tags[0].tags.DB_PASSWORD",
        "Secret Keyword",
    ),
    "password as a variable's default": (
        {"variable": {"db_password": {"default": "hunter2xyz"}}},
        "variable.db_password",
        "default",
        "Secret Keyword",
    ),
    "password as a local value": ({"locals": {"db_password": "hunter2xyz"}}, "locals", "db_password", "Secret Keyword"),
    "AWS secret key in the provider": (
        {"provider": {"aws": [{"secret_key": AWS_SECRET_KEY}]}},
        "provider.aws",
        "[0].secret_key",
        "Secret Keyword",
    ),
    "password in an output": (
        {"output": {"db": {"value": f"DB_PASSWORD={PLANTED}"}}},
        "output.db",
        "value",
        "Secret Keyword",
    ),
}


@pytest.mark.parametrize(("document", "address", "attribute", "kind"), SECRETS.values(), ids=SECRETS)
def test_secret_is_found_and_named_without_its_value(document, address, attribute, kind):
    (leak,) = find_leaks(document)
    assert (leak.address, leak.attribute) == (address, attribute)
    assert kind in leak.kinds
    assert kind in leak.describe() and address in leak.describe()
    assert not [text for text in leak.texts if text in leak.describe()]


def nested_base64(text: str, times: int) -> str:
    for _ in range(times):
        text = b64(text)
    return text


GZIPPED_SCRIPT = gzip.compress(SCRIPT.encode())
# Values the scanner cannot read whole (so a secret in them cannot be ruled out) -> why, as the problem says.
UNREADABLE = {
    "a part of a cloud-init archive that does not decode": (
        on_instance(user_data=b64(cloud_init_archive(SCRIPT).replace("=\n\n--", "\n\n--", 1))),
        "a MIME part that does not decode",
    ),
    "secret padded past the decompression limit": (
        on_instance(user_data_base64=PADDED),
        "over 1 MiB once decompressed",
    ),
    "gzip bomb": (on_instance(user_data=b64(gzip.compress(bytes(16 << 20)))), "over 1 MiB once decompressed"),
    "bomb in a tag": (on_instance(tags={"Note": b64(gzip.compress(bytes(2 << 20)))}), "over 1 MiB once decompressed"),
    "truncated gzip": (on_instance(user_data=b64(GZIPPED_SCRIPT[:-6])), "truncated or corrupt gzip"),
    "gzip with a wrong checksum": (
        on_instance(user_data=b64(GZIPPED_SCRIPT[:-8] + bytes(4) + GZIPPED_SCRIPT[-4:])),
        "truncated or corrupt gzip",
    ),
    "gzip of gzip": (on_instance(user_data=b64(gzip.compress(GZIPPED_SCRIPT))), "base64 of bytes that are not text"),
    "user_data in UTF-16": (on_instance(user_data=b64(SCRIPT.encode("utf-16"))), "base64 of bytes that are not text"),
    "user_data_base64 cut short": (on_instance(user_data_base64=b64(SCRIPT)[:-1]), "base64 that does not decode"),
    "base64 nested past the scanner's depth": (
        on_instance(tags={"Note": nested_base64(SCRIPT, 5)}),
        "more than 4 encodings deep",
    ),
    "JSON nested past the parser's depth": (
        {"resource": {"aws_iam_policy": {"app": {"policy": "[" * 100_000 + "]" * 100_000}}}},
        "JSON nested too deep to parse",
    ),
}


@pytest.mark.parametrize(("document", "why"), UNREADABLE.values(), ids=UNREADABLE)
def test_value_the_scanner_cannot_read_whole_is_a_leak_named_with_why(document, why):
    ((kind, resources),) = document["resource"].items()
    ((name, body),) = resources.items()
    ((attribute, value),) = body.items()
    (leak,) = find_leaks(document)
    assert leak.describe().startswith(f"{kind}.{name} {attribute}") and why in leak.describe()
    assert PLANTED not in leak.describe()
    assert leak.texts == {value.get("Note") if isinstance(value, dict) else value}


def test_secret_under_four_encodings_is_found():
    (leak,) = find_leaks(on_instance(tags={"Note": nested_base64(SCRIPT, 4)}))
    assert leak.kinds == ("Secret Keyword",)


# Values that name or point at secrets, and the stack's own kinds of values: none is a secret.
NOT_SECRETS = {
    "interpolations": on_instance(
        password="${random_password.db.result}",
        kms_key_id="${aws_kms_key.encryption_data-key_5FB0C2D1.arn}",
        master_user_secret_kms_key_id="${aws_kms_key.data.arn}",
    ),
    "placeholder certificate ARN": on_instance(certificate_arn=Config(environment_suffix="dev").certificate_arn),
    "Secrets Manager policy": {
        "resource": {
            "aws_iam_policy": {
                "read": {
                    "policy": json.dumps(
                        {
                            "Statement": [
                                {
                                    "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                                    "Resource": "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:db-AbCdEf",
                                    "Condition": {"StringEquals": {"secretsmanager:ResourceTag/env": "prod"}},
                                }
                            ]
                        }
                    )
                }
            }
        }
    },
    "names and addresses": on_instance(
        bucket="payment-data-dev-1a2b3c4d",
        name="payment-app-lt-dev-${random_id.deployment.hex}",
        cidr_blocks=["0.0.0.0/0", "203.0.113.5/32"],
    ),
    "base64 user_data without a secret": on_instance(user_data=b64("#!/bin/bash\nsystemctl start app\n")),
    "a cloud-init archive without a secret": on_instance(
        user_data=gzipped(
            cloud_init_archive("#!/bin/bash\nsystemctl start app\n", "#cloud-config\npackages: [nginx]\n")
        )
    ),
    "gzipped base64 user_data without a secret": on_instance(
        user_data_base64=gzipped("#!/bin/bash\nsystemctl start app\n")
    ),
    "plain and empty user_data": {
        "resource": {"aws_instance": {"a": {"user_data": "#!/bin/bash\nsystemctl start app\n"}, "b": {"user_data": ""}}}
    },
    "words that are base64 of bytes": on_instance(engine="postgres", ebs_optimized="true", protocol="HTTP"),
}


@pytest.mark.parametrize("document", NOT_SECRETS.values(), ids=NOT_SECRETS)
def test_references_and_names_are_not_secrets(document):
    assert find_leaks(document) == []


def test_real_plans_hold_no_secret(plans):
    assert {profile: find_leaks(plan.document) for profile, plan in plans.items()} == {"dev": [], "prod": []}


# How a planted secret sits in the launch template's user_data -> what the audit's problem says of it.
PLANTINGS = {
    "plain": (SCRIPT, "(Secret Keyword)"),
    "base64": (b64(SCRIPT), "(Secret Keyword)"),
    "gzipped past the scanner's limit": (PADDED, "cannot be scanned for secrets whole (over 1 MiB once decompressed"),
}


@pytest.mark.parametrize(("user_data", "problem"), PLANTINGS.values(), ids=PLANTINGS)
def test_planted_secret_fails_the_audit_and_reaches_no_output(user_data, problem, plans, tmp_path, capsys):
    document = copy.deepcopy(plans["dev"].document)
    ((name, template),) = document["resource"]["aws_launch_template"].items()
    template["user_data"] = user_data
    plan = tmp_path / "plan" / "cdk.tf.json"
    plan.parent.mkdir()
    plan.write_text(json.dumps(document, indent=2))

    assert main(["audit", "--plan", str(plan), "--out", str(tmp_path / "reports"), "--as-of", "2026-11-29"]) == 1
    printed = capsys.readouterr()
    assert f"PROBLEM aws_launch_template.{name} user_data" in printed.out and problem in printed.out
    written = sorted(path for path in tmp_path.rglob("*") if path.is_file() and path != plan)
    # The manifest and the folder's mark, but no copy of the plan: it holds the secret.
    assert [path.name for path in written] == [
        ".tap-output",
        "compliance.html",
        "compliance.json",
        "compliance.junit.xml",
        "compliance.sarif",
        "manifest.json",
    ]
    for text in (printed.out, printed.err, *(path.read_text() for path in written)):
        assert PLANTED not in text and template["user_data"] not in text


def test_a_leaked_value_is_redacted_in_every_message(policy_run):
    mutant = policy_run.mutants["CKV_PAY_18"]  # a literal master password in the plan
    plan = Plan.load(mutant.path)
    (password,) = [body["password"] for body in plan.document["resource"]["aws_db_instance"].values()]
    drift = LiveResult("test_database_password", "failed", ("CKV_PAY_18",), f"drift: the password is {password}")
    audit = evaluate(plan, mutant.path, policy_run.scan, Declared(), Mapping.load(), TODAY, [drift])
    report = json.dumps(to_json(audit))
    assert password not in report
    assert "drift: the password is <redacted>" in report
    assert any("password holds what looks like a secret (Secret Keyword)" in problem for problem in audit.problems)


def test_a_secret_followed_by_more_text_is_redacted_alone_too():
    redactor = Redactor(find_leaks(on_instance(user_data=f"export DB_PASSWORD={PLANTED} && systemctl start app")))
    assert redactor.apply(f"drift: the password is {PLANTED}") == "drift: the password is <redacted>"


def test_user_data_is_shown_only_as_its_digest(plans, tmp_path):
    script = "#!/bin/bash\nsystemctl start app\n"
    document = copy.deepcopy(plans["dev"].document)
    ((name, template),) = document["resource"]["aws_launch_template"].items()
    template["user_data"] = script
    path = tmp_path / "cdk.tf.json"
    path.write_text(json.dumps(document))
    finding = Finding("CKV_AWS_46", "No secrets in user data", "PASSED", f"aws_launch_template.{name}", ("user_data",))
    scan = Scan(
        "test",
        {"CKV_AWS_46": CheckInfo(finding.check_name, "resource", ("aws_launch_template",))},
        {Path(path).resolve(): [finding]},
    )

    audit = evaluate(Plan.load(path), path, scan, Declared(), Mapping.load(), TODAY)
    assert audit.evidence[0].attributes == {"user_data": f"sha256:{hashlib.sha256(script.encode()).hexdigest()}"}


def test_text_that_is_no_base64_is_scanned_as_it_is_whatever_its_characters():
    # b64decode refuses non-ASCII text with a ValueError: a tag like "café" once stopped the audit.
    document = {"resource": {"aws_s3_bucket": {"b": {"tags": {"Note": "café", "Zero": "a\u200bb"}}}}}
    assert find_leaks(document) == []


@pytest.mark.parametrize("where", ["a command", "the agent's configuration"])
def test_a_secret_in_the_stacks_own_user_data_is_found(where, plans):
    """The launch template's cloud-config, as the stack writes it: a secret added to it is a leak."""
    document = copy.deepcopy(plans["dev"].document)
    ((name, template),) = document["resource"]["aws_launch_template"].items()
    cloud_config = yaml.safe_load(base64.b64decode(template["user_data"]))
    if where == "a command":
        cloud_config["runcmd"].append(["sh", "-c", f"export DB_PASSWORD={PLANTED}"])
    else:
        agent = cloud_config["write_files"][0]
        agent["content"] = agent["content"].replace('"logs": {', f'"db_password": "{PLANTED}", "logs": {{', 1)
    template["user_data"] = b64(hosts.cloud_config(cloud_config["write_files"], cloud_config["runcmd"]))
    (leak,) = find_leaks(document)
    assert (leak.address, leak.attribute) == (f"aws_launch_template.{name}", "user_data (decoded from base64)")
