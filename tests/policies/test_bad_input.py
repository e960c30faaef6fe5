"""`tap audit` fed bad input through the real CLI: one line on stderr, exit 2, never a traceback.

Each case runs `python -m tap.cli audit ...` in a child process, as a user would, with a
small plan that is valid but for the one thing the case breaks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.policies.junit import NIGHTLY, LiveCase, write_live_results

STACK = "TapStackdev"
WAIVER = {"reason": "A reason an auditor can read, in one sentence.", "approver": "lead", "expires": "2027-01-01"}
WAIVER |= {"reference": "SEC-1", "environments": ["dev"]}
# A complete [[waiver]] of the small plan's bucket, but for the line a case takes out.
FILE_WAIVER = (
    '[[waiver]]\ncheck = "CKV_AWS_18"\nresource = "aws_s3_bucket.logs"\napprover = "lead"\nreference = "SEC-1"\n'
    'reason = "A reason an auditor can read, in one sentence."\nenvironments = ["dev"]\nexpires = 2027-01-01\n'
)
NOT_APPLICABLE = (
    '[[not_applicable]]\ncheck = "CKV_AWS_18"\nresource = "aws_s3_bucket.logs"\napprover = "lead"\n'
    'reference = "SEC-1"\nreason = "The bucket holds access logs, never cardholder data."\n'
)


def without(text: str, line_start: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(line_start))


def small_plan(**sections) -> dict:
    """A stack plan with one bucket; `sections` replace its top-level sections."""
    return {
        "//": {"metadata": {"stackName": STACK, "version": "0.21.0", "backend": "local"}},
        "provider": {"aws": [{"region": "ap-southeast-1", "default_tags": [{"tags": {"Environment": "dev"}}]}]},
        "resource": {"aws_s3_bucket": {"logs": {"//": {"metadata": {"path": f"{STACK}/logs"}}, "bucket": "logs"}}},
        **sections,
    }


def bucket(**body) -> dict:
    """A resource section whose one bucket is `body`."""
    return {"aws_s3_bucket": {"logs": body}}


def write(path: Path, content: str | bytes | dict) -> Path:
    if isinstance(content, dict):
        content = json.dumps(content)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


# Each case: (id, arguments after `audit` given a scratch folder, what stderr must say).
Case = tuple[str, Callable[[Path], list[str]], str]


def plan_case(name: str, content: str | bytes | dict, expected: str) -> Case:
    return name, lambda tmp: ["--plan", str(write(tmp / "cdk.tf.json", content))], expected


def with_small_plan(tmp: Path) -> list[str]:
    return ["--plan", str(write(tmp / "cdk.tf.json", small_plan()))]


def _deep(levels: int) -> dict:
    """A tag map nesting `levels` lists deep."""
    value: list = []
    for _ in range(levels):
        value = [value]
    return {"deep": value}


def _beside(tmp: Path, name: str) -> list[str]:
    """A Terraform file Terraform would load with the plan, in the plan's folder."""
    write(tmp / name, {"resource": {"aws_s3_bucket": {"logs": {"acl": "public-read"}}}})
    return []


def waivers_case(name: str, content: str | bytes, expected: str) -> Case:
    return name, lambda tmp: [*with_small_plan(tmp), "--waivers", str(write(tmp / "waivers.toml", content))], expected


def out_case(name: str, prepare: Callable[[Path], Path], expected: str) -> Case:
    return name, lambda tmp: [*with_small_plan(tmp), "--out", str(prepare(tmp))], expected


def live_case(name: str, expected: str, cases: tuple[LiveCase, ...] = NIGHTLY, **identity: str | None) -> Case:
    def arguments(tmp: Path) -> list[str]:
        plan = with_small_plan(tmp)
        live = write_live_results(tmp / "live-results.xml", Path(plan[1]), cases, **identity)
        return [*plan, "--live-results", str(live)]

    return name, arguments, expected


def a_file(tmp: Path) -> Path:
    return write(tmp / "a-file", "x")


def report_name_taken_by_a_folder(tmp: Path) -> Path:
    (tmp / "reports" / "compliance.json").mkdir(parents=True)
    return tmp / "reports"


def folder_of_other_things(tmp: Path) -> Path:
    (tmp / "reports").mkdir()
    write(tmp / "reports" / "live-results.xml", "<testsuites/>")
    return tmp / "reports"


SKIPPED = tuple(LiveCase(case.classname, case.name, case.controls, "skipped") for case in NIGHTLY)

CASES: list[Case] = [
    plan_case("plan is binary", bytes(range(256)) * 4, "is not UTF-8 text"),
    plan_case("plan nests too deep", "[" * 100_000, "nests deeper than 64 levels"),
    plan_case("plan is a list", "[]", "it is a list, not an object"),
    plan_case("resource is a list", small_plan(resource=[]), "`resource` is a list, not an object"),
    plan_case("resource type is a list", small_plan(resource={"aws_s3_bucket": []}), "`resource.aws_s3_bucket` is a"),
    plan_case(
        "resource body is a string",
        small_plan(resource={"aws_s3_bucket": {"logs": "x"}}),
        "`resource.aws_s3_bucket.logs` is a string, not an object",
    ),
    plan_case("resource // is a string", small_plan(resource=bucket(**{"//": "x"})), 'the "//" of'),
    plan_case(
        "resource // metadata is a list", small_plan(resource=bucket(**{"//": {"metadata": []}})), '"//".metadata of'
    ),
    plan_case(
        "plan waivers are a list",
        small_plan(resource=bucket(**{"//": {"waivers": ["CKV_AWS_18"]}})),
        "the waivers of aws_s3_bucket.logs in the plan",
    ),
    plan_case(
        "plan waiver is a string",
        small_plan(resource=bucket(**{"//": {"waivers": {"CKV_AWS_18": "approved"}}})),
        "the waiver of CKV_AWS_18 on aws_s3_bucket.logs in the plan",
    ),
    plan_case(
        "plan waiver reason is a list",
        small_plan(resource=bucket(**{"//": {"waivers": {"CKV_AWS_18": WAIVER | {"reason": ["words"]}}}})),
        "its reason is a list, not text",
    ),
    plan_case("output is a list", small_plan(output=[]), "`output` is a list, not an object"),
    plan_case("an output is a string", small_plan(output={"bucket": "logs"}), "`output.bucket` is a string"),
    plan_case("provider is an object", small_plan(provider={"aws": {"region": "x"}}), "`provider.aws` is not a list"),
    plan_case(
        "default tags are an object",
        small_plan(provider={"aws": [{"default_tags": {"tags": {}}}]}),
        "the default_tags of `provider.aws`",
    ),
    plan_case("plan has no resource", small_plan(resource={}), "has no resource to audit"),
    out_case("out is a file", a_file, "it is a file, not a folder"),
    out_case("out is under a file", lambda tmp: a_file(tmp) / "reports", "a-file is a file, not a folder"),
    # /proc refuses new folders even to root, where permission bits would not.
    out_case("out is under /proc", lambda tmp: Path("/proc/tap-reports"), "cannot write the reports into /proc"),
    out_case("a report name is a folder", report_name_taken_by_a_folder, "holds compliance.json and no tap"),
    out_case("out holds other files", folder_of_other_things, "holds live-results.xml and no tap command made it"),
    waivers_case("waiver is a string", 'waiver = "x"\n', "is a string, not a list of [[waiver]] tables"),
    waivers_case("waiver is a list of numbers", "waiver = [1, 2]\n", "is a number, not a [[waiver]] table"),
    waivers_case("waiver is one table", '[waiver]\ncheck = "CKV_AWS_18"\n', "is an object, not a list"),
    waivers_case("waivers file is binary", bytes(range(256)) * 4, "is not UTF-8 text"),
    waivers_case("a number of 5000 digits", "x = " + "9" * 5000 + "\n", "is not TOML as every reader reads it"),
    waivers_case(
        "waiver reason is a list",
        '[[waiver]]\ncheck = "CKV_AWS_18"\nresource = "aws_s3_bucket.logs"\nreason = ["a", "list"]\n',
        "(CKV_AWS_18 on aws_s3_bucket.logs): its reason is a list, not text",
    ),
    waivers_case(
        "waiver approver is a table",
        '[[waiver]]\ncheck = "CKV_AWS_18"\nresource = "aws_s3_bucket.logs"\napprover = {name = "x"}\n',
        "its approver is an object, not text",
    ),
    waivers_case("waiver check is a number", '[[waiver]]\ncheck = 18\nresource = "x.y"\n', "its check is a number"),
    waivers_case(
        "waiver expires is a list",
        '[[waiver]]\ncheck = "CKV_AWS_18"\nresource = "aws_s3_bucket.logs"\napprover = "lead"\n'
        'reason = "A reason an auditor can read, in one sentence."\nreference = "SEC-1"\nenvironments = ["dev"]\n'
        "expires = [2027]\n",
        "its expires is a list, not a date",
    ),
    waivers_case("waiver without approver", without(FILE_WAIVER, "approver"), "lacks approver"),
    waivers_case("waiver without reference", without(FILE_WAIVER, "reference"), "lacks reference"),
    waivers_case(
        "waiver reference is no ticket",
        FILE_WAIVER.replace('"SEC-1"', '"agreed on a call"'),
        "its reference 'agreed on a call' is neither a ticket key",
    ),
    waivers_case("waiver without environments", without(FILE_WAIVER, "environments"), "lacks environments"),
    waivers_case(
        "waiver for an undeclared environment",
        FILE_WAIVER.replace('["dev"]', '["staging"]'),
        "names environment staging, which environments.toml does not declare",
    ),
    waivers_case("not applicable without reason", without(NOT_APPLICABLE, "reason"), "lacks reason"),
    waivers_case("not applicable without reference", without(NOT_APPLICABLE, "reference"), "lacks reference"),
    plan_case(
        "plan waiver without reference",
        small_plan(
            resource=bucket(
                **{"//": {"waivers": {"CKV_AWS_18": {k: v for k, v in WAIVER.items() if k != "reference"}}}}
            )
        ),
        "lacks reference",
    ),
    plan_case(
        "plan waiver without approver",
        small_plan(
            resource=bucket(**{"//": {"waivers": {"CKV_AWS_18": {k: v for k, v in WAIVER.items() if k != "approver"}}}})
        ),
        "lacks approver",
    ),
    (
        "env contradicts the plan",
        lambda tmp: [*with_small_plan(tmp), "--env", "prod"],
        "is of environment 'dev', not 'prod'",
    ),
    # A plan the audit cannot judge whole: refused before the scan, never passed on what it could read.
    plan_case(
        "plan calls a local module", small_plan(module={"legacy": {"source": "./legacy"}}), "calls module legacy"
    ),
    plan_case(
        "plan calls a registry module",
        small_plan(module={"vpc": {"source": "terraform-aws-modules/vpc/aws", "version": "5.0.0"}}),
        "calls module vpc",
    ),
    plan_case(
        "aliased provider first",
        small_plan(
            provider={
                "aws": [
                    {"alias": "other", "default_tags": [{"tags": {"Environment": "prod"}}]},
                    {"default_tags": [{"tags": {"Environment": "dev"}}]},
                ]
            }
        ),
        "configures an aliased aws provider (other)",
    ),
    plan_case("no aws provider", small_plan(provider={}), "has no default aws providers"),
    plan_case(
        "no Environment tag", small_plan(provider={"aws": [{"region": "ap-southeast-1"}]}), "names no environment"
    ),
    plan_case(
        "stack name contradicts the Environment tag",
        small_plan(provider={"aws": [{"default_tags": [{"tags": {"Environment": "prod"}}]}]}),
        "is stack TapStackdev but tagged environment 'prod'",
    ),
    plan_case(
        "NaN in the plan", json.dumps(small_plan(resource=bucket(bucket=float("nan")))), "NaN is not a JSON value"
    ),
    plan_case(
        "Infinity in the plan",
        json.dumps(small_plan(resource=bucket(bucket=float("inf")))),
        "Infinity is not a JSON value",
    ),
    plan_case(
        "an attribute set from a variable",
        small_plan(resource=bucket(bucket="${var.name}"), variable={"name": {"default": "logs"}}),
        "sets aws_s3_bucket.logs.bucket from var.name",
    ),
    plan_case(
        "a tag set from a local",
        small_plan(resource=bucket(tags={"Owner": "${upper(local.owner)}"}), locals={"owner": "x"}),
        "sets aws_s3_bucket.logs.tags/Owner from local.owner",
    ),
    plan_case(
        "an attribute from another state",
        small_plan(resource=bucket(bucket="${data.terraform_remote_state.net.outputs.name}")),
        "from data.terraform_remote_state.net",
    ),
    plan_case(
        "a dynamic block",
        small_plan(resource=bucket(dynamic={"grant": {"for_each": "${[1]}", "content": {"id": "x"}}})),
        "declares dynamic block grant in aws_s3_bucket.logs",
    ),
    plan_case(
        "a dynamic block in list form",
        small_plan(resource=bucket(dynamic=[{"grant": {"for_each": "${[1]}", "content": {"id": "x"}}}])),
        "declares dynamic block grant in aws_s3_bucket.logs",
    ),
    plan_case("count on a resource", small_plan(resource=bucket(count=0)), "sets count on aws_s3_bucket.logs"),
    plan_case(
        "for_each on a resource", small_plan(resource=bucket(for_each={})), "sets for_each on aws_s3_bucket.logs"
    ),
    plan_case("a provider chosen per resource", small_plan(resource=bucket(provider="aws.west")), "sets provider on"),
    plan_case(
        "the aws provider under another name",
        small_plan(terraform={"required_providers": {"aws2": {"source": "hashicorp/aws"}}}),
        "requires provider aws2 from registry.terraform.io/hashicorp/aws",
    ),
    plan_case(
        "aws from another source",
        small_plan(terraform={"required_providers": {"aws": {"source": "evilcorp/aws"}}}),
        "requires provider aws from registry.terraform.io/evilcorp/aws",
    ),
    plan_case("a negated variable", small_plan(resource=bucket(bucket="${-var.n}")), "from var.n"),
    plan_case("a variable read with spaces", small_plan(resource=bucket(bucket="${var . n}")), "from var.n"),
    plan_case(
        "a variable in a template directive",
        small_plan(resource=bucket(bucket="%{ if var.n }a%{ else }b%{ endif }")),
        "from var.n",
    ),
    plan_case(
        "a repeated key",
        '{"//": {"metadata": {"stackName": "TapStackdev"}}, "resource": {}, "resource": {}}',
        "the key 'resource' repeats in one object",
    ),
    plan_case(
        "nesting no plan has",
        small_plan(resource=bucket(tags={"deep": [[[[[[[[[[[[]]]]]]]]]]]] * 1} | _deep(80))),
        "nests deeper than 64",
    ),
    plan_case(
        "a lone surrogate",
        json.dumps(small_plan(resource=bucket(bucket="\ud800"))),
        "is not valid Unicode",
    ),
    plan_case(
        "a dotted type", small_plan(resource={"aws_s3_bucket.evil": {"x": {}}}), "names a block 'aws_s3_bucket.evil'"
    ),
    plan_case(
        "a name with a newline", small_plan(resource={"aws_s3_bucket": {"bad\nname": {}}}), "names a block 'bad\\nname'"
    ),
    plan_case(
        "an import block", small_plan(**{"import": [{"to": "aws_s3_bucket.logs", "id": "x"}]}), "holds import blocks"
    ),
    plan_case(
        "a moved block",
        small_plan(moved=[{"from": "aws_s3_bucket.a", "to": "aws_s3_bucket.logs"}]),
        "holds moved blocks",
    ),
    plan_case(
        "a resource of a provider no policy judges",
        small_plan(
            resource={**bucket(bucket="logs"), "awscc_ec2_security_group_ingress": {"x": {"cidr_ip": "0.0.0.0/0"}}}
        ),
        "declares awscc_ec2_security_group_ingress.x of provider awscc",
    ),
    plan_case(
        "a resource in another region",
        small_plan(resource=bucket(bucket="logs", region="us-east-1")),
        "places aws_s3_bucket.logs in region us-east-1, not the provider's ap-southeast-1",
    ),
    plan_case(
        "two blocks of one name on one line",
        json.dumps(small_plan(resource={"aws_s3_bucket": {"logs": {"bucket": "l"}}, "aws_iam_role": {"logs": {}}})),
        "on the same lines, so their findings cannot be told apart",
    ),
    plan_case("a variable as a map key", small_plan(resource=bucket(tags={"${var.k}": "x"})), "from var.k"),
    (
        "a Terraform file beside the plan",
        lambda tmp: [*with_small_plan(tmp), *_beside(tmp, "extra.tf.json")],
        "lies beside other Terraform files (extra.tf.json)",
    ),
    (
        "an override file beside the plan",
        lambda tmp: [*with_small_plan(tmp), *_beside(tmp, "cdk_override.tf.json")],
        "lies beside other Terraform files (cdk_override.tf.json)",
    ),
    live_case("live results hold no test case", "hold no JUnit test case", ()),
    live_case("live results all skipped", "executed no test", SKIPPED),
    live_case("live results lack the stack", "does not say which stack and plan", stack=None),
    live_case("live results lack the plan hash", "does not say which stack and plan", plan_sha256=None),
    live_case("live results lack the account", "in which account and region", account=None),
    live_case("live results lack the region", "in which account and region", region=None),
    live_case("live results name no account", "names no AWS account (12 digits)", account="the prod one"),
    live_case("live results name a 13-digit account", "names no AWS account", account="1234567890123"),
    live_case("live results name no region", "names no AWS account (12 digits) and region", region="mars"),
    live_case(
        "live results of another stack",
        "the live results are from TapStackrh-dev, not TapStackdev",
        stack="TapStackrh-dev",
    ),
    live_case("live results of another plan", "checked another version of the plan", plan_sha256="0" * 64),
]


@pytest.mark.parametrize(("name", "arguments", "expected"), CASES, ids=[case[0] for case in CASES])
def test_bad_audit_input_is_one_line_and_exit_2(name, arguments, expected, tmp_path):
    given = arguments(tmp_path)
    out = [] if "--out" in given else ["--out", str(tmp_path / "out")]
    result = subprocess.run(
        [sys.executable, "-m", "tap.cli", "audit", *given, *out], capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("tap: ") and result.stderr.count("\n") == 1, result.stderr
    assert expected in result.stderr, result.stderr
