"""Terraform on a synthesized plan, in a folder of its own: the plan copied unchanged, an override beside it.

Nothing reaches a registry. Terraform is given a CLI configuration (TF_CLI_CONFIG_FILE) that
installs providers from two filesystem mirrors and has no `direct` method: the machine's, which
holds hashicorp/aws (DEFAULT_MIRROR, or $TAP_TERRAFORM_MIRROR), and one laid out here for the
stand-in of hashicorp/random (`random_stand_in.py`: a real folder with an executable in it, since
Terraform does not find a symlinked provider folder). The override file, which Terraform merges
over the plan (`*_override.tf.json`), pins each provider to the version the mirrors hold. The
plan, its folder and cdktf.out are never written: Terraform's state, data directory and home are
in the workspace, which is removed afterwards.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tap.errors import UsageError
from tap.live.child_env import EMULATOR_CREDENTIALS, emulator_env
from tap.live.terraform import random_stand_in
from tap.plan_file import read_plan

MIRROR_VARIABLE = "TAP_TERRAFORM_MIRROR"
DEFAULT_MIRROR = Path("/opt/tf-plugins")
REGISTRY = "registry.terraform.io"
AWS_PROVIDER = "hashicorp/aws"
RANDOM_PROVIDER = "hashicorp/random"
PLAN_NAME = "cdk.tf.json"
OVERRIDE_NAME = "rehearsal_override.tf.json"
# Against an emulator, the state lives in the workspace, never beside the plan.
LOCAL_STATE = {"backend": {"local": {"path": "terraform.tfstate"}}}
# Every service the stack's resources and data sources call, by the AWS provider's endpoint names.
EMULATED_SERVICES = (
    "autoscaling",
    "cloudwatch",
    "cloudwatchlogs",
    "ec2",
    "elbv2",
    "events",
    "iam",
    "kms",
    "rds",
    "route53resolver",
    "s3",
    "secretsmanager",
    "sns",
    "ssm",
    "sts",
    "wafv2",
)
# The release the plan's AWS checks were made for; the mirror's is what the rehearsal can run.
TERRAFORM_RELEASE = "1.11.4"
GET_TERRAFORM = (
    f"install Terraform {TERRAFORM_RELEASE} on the PATH (HashiCorp's release zip for the platform, "
    "unpacked into /usr/local/bin)"
)


@dataclass(frozen=True)
class Toolchain:
    """The Terraform on the PATH and the AWS provider its mirror holds."""

    terraform: str
    version: str
    platform: str
    mirror: Path
    aws_version: str


def find_toolchain() -> Toolchain:
    """Terraform and the mirror's AWS provider, or one sentence naming what is missing and how to get it."""
    terraform = shutil.which("terraform")
    if terraform is None:
        raise UsageError(f"Terraform is not on the PATH: {GET_TERRAFORM}")
    about = _terraform_about(terraform)
    mirror = Path(os.environ.get(MIRROR_VARIABLE) or DEFAULT_MIRROR)
    versions = mirrored_versions(mirror, AWS_PROVIDER, about["platform"])
    if not versions:
        raise UsageError(
            f"the filesystem mirror {mirror} holds no {AWS_PROVIDER} provider for {about['platform']}: on a machine "
            f"that reaches the registry, `terraform providers mirror -platform={about['platform']} {mirror}` in a "
            f"folder whose plan requires {AWS_PROVIDER} 5.100.0 fills it (or set {MIRROR_VARIABLE} to a mirror's root)"
        )
    return Toolchain(terraform, about["terraform_version"], about["platform"], mirror, versions[-1])


def _terraform_about(terraform: str) -> dict[str, Any]:
    try:
        answer = subprocess.run(
            [terraform, "version", "-json"], capture_output=True, text=True, timeout=60, env=_quiet_env()
        )
        about = json.loads(answer.stdout)
        return {"terraform_version": about["terraform_version"], "platform": about["platform"]}
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError):
        raise UsageError(
            f"{terraform} does not run as Terraform (`terraform version -json`): {GET_TERRAFORM}"
        ) from None


def mirrored_versions(mirror: Path, provider: str, platform: str) -> list[str]:
    """The versions of `provider` an unpacked filesystem mirror holds for `platform`, oldest first."""
    name = provider.split("/")[1]
    found = [
        version.name
        for version in (mirror / REGISTRY / provider).glob("*")
        if any((version / platform).glob(f"terraform-provider-{name}_*"))
    ]
    return sorted(found, key=_version_key)


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in version.replace("-", ".").split("."))


def _quiet_env() -> dict[str, str]:
    """No version check, no prompt: Terraform asks nothing of anyone, here or on the network."""
    return emulator_env(None, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_INPUT="0")


@dataclass(frozen=True)
class Workspace:
    folder: Path
    plan: Path
    toolchain: Toolchain
    endpoint_url: str | None = None  # the emulator Terraform's AWS provider is aimed at, if any
    proxy: str | None = None  # a loopback port that refuses: where any other request would go

    @property
    def env(self) -> dict[str, str]:
        proxies = {"HTTP_PROXY": self.proxy, "HTTPS_PROXY": self.proxy, "NO_PROXY": ""} if self.proxy else {}
        return emulator_env(
            self.endpoint_url,
            CHECKPOINT_DISABLE="1",
            TF_IN_AUTOMATION="1",
            TF_INPUT="0",
            HOME=str(self.folder / "home"),
            TF_CLI_CONFIG_FILE=str(self.folder / "terraform.rc"),
            TF_DATA_DIR=str(self.folder / "data"),
            **proxies,
            # Terraform's own debug log, when asked for: it says where a stuck waiter is stuck.
            **{key: os.environ[key] for key in ("TF_LOG", "TF_LOG_PATH") if key in os.environ},
        )

    def terraform(self, *arguments: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """One Terraform command in the workspace (output kept, never shown as it comes)."""
        return subprocess.run(
            [self.toolchain.terraform, *arguments, "-no-color"],
            cwd=self.folder / "plan",
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def run(self, *arguments: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """A Terraform command that must succeed: a failure is one sentence with Terraform's own errors."""
        result = self.terraform(*arguments, timeout=timeout)
        if result.returncode != 0:
            raise UsageError(f"terraform {arguments[0]} failed on {self.plan}: {errors_of(result)}")
        return result

    def validate(self) -> None:
        self.run("init", "-backend=false")
        self.run("validate")


SNIPPET = re.compile(r"^\s*\d+: |^\s*[├└│]")  # the source lines a diagnostic quotes (a plan is one long line)
DIAGNOSTIC = re.compile(r"^(Error|Warning): ")


def errors_of(result: subprocess.CompletedProcess) -> str:
    """Terraform's errors, each its summary, where and why on one line, joined: no quoted source."""
    found, current = [], None
    for line in (result.stderr or result.stdout).splitlines():  # diagnostics go to stderr, progress to stdout
        if DIAGNOSTIC.match(line):
            current = [line.strip()] if line.startswith("Error:") else None
            if current:
                found.append(current)
        elif current is not None and line.strip() and not SNIPPET.match(line):
            current.append(line.strip())
    return "; ".join(" ".join(error) for error in found) or f"exit code {result.returncode}, and no error named"


@contextmanager
def workspace(plan: Path, endpoint_url: str | None = None) -> Iterator[Workspace]:
    """A workspace for `plan` (aimed at the emulator at `endpoint_url`, if given), removed afterwards;
    set-up problems are one sentence before anything runs."""
    toolchain = find_toolchain()
    plan = Path(plan)
    if not plan.is_file():
        raise UsageError(f"no plan at {plan}: synthesize it first (tap synth)")
    override = pins(read_plan(plan).document, toolchain)
    if endpoint_url:
        override = {**emulator_override(endpoint_url), "terraform": {**override["terraform"], **LOCAL_STATE}}
    with tempfile.TemporaryDirectory(prefix="tap-terraform-") as folder, refused_port() as port:
        root = Path(folder)
        (root / "plan").mkdir()
        (root / "home").mkdir()
        shutil.copyfile(plan, root / "plan" / PLAN_NAME)
        _write_json(root / "plan" / OVERRIDE_NAME, override)
        stand_ins = _lay_out_stand_in_mirror(root / "stand-ins", toolchain.platform)
        (root / "terraform.rc").write_text(cli_config(toolchain.mirror, stand_ins))
        proxy = f"http://127.0.0.1:{port}" if endpoint_url else None
        yield Workspace(root, plan, toolchain, endpoint_url, proxy)


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port bound (so nothing else takes it) and never listened on: a connection to it is refused.

    It is the proxy of Terraform and its providers against an emulator: Go never sends a request for a
    loopback address through a proxy, so the emulator is reached directly, and a request for any other
    host fails here instead of leaving the machine.
    """
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


def emulator_override(endpoint_url: str) -> dict[str, Any]:
    """The AWS provider aimed at the emulator: every service endpoint the stack calls (`AWS_ENDPOINT_URL` in its
    environment for any other), the emulator's dummy credentials, path-style S3, no instance metadata."""
    return {
        "provider": {
            "aws": {
                "access_key": EMULATOR_CREDENTIALS["aws_access_key_id"],
                "secret_key": EMULATOR_CREDENTIALS["aws_secret_access_key"],
                "skip_credentials_validation": True,
                "skip_metadata_api_check": True,
                "s3_use_path_style": True,
                "max_retries": 2,
                "endpoints": [{service: endpoint_url for service in EMULATED_SERVICES}],
            }
        },
    }


def pins(plan: dict[str, Any], toolchain: Toolchain) -> dict[str, Any]:
    """The override's provider pins: each provider the plan requires, at the version the mirrors hold,
    whatever the engine pinned."""
    held = {
        "aws": {"source": AWS_PROVIDER, "version": toolchain.aws_version},
        "random": {"source": RANDOM_PROVIDER, "version": random_stand_in.VERSION},
    }
    required = plan.get("terraform", {}).get("required_providers", {})
    unknown = sorted(set(required) - set(held))
    if unknown:
        raise UsageError(f"the rehearsal's mirrors hold no provider {', '.join(unknown)} (the plan requires it)")
    return {"terraform": {"required_providers": {name: held[name] for name in required}}}


def cli_config(mirror: Path, stand_ins: Path) -> str:
    """Providers from the two mirrors alone (no `direct` block: no registry), and no version check."""
    return (
        "disable_checkpoint = true\n"
        "provider_installation {\n"
        f"  filesystem_mirror {{\n    path    = {json.dumps(str(mirror))}\n"
        f'    include = ["{REGISTRY}/{AWS_PROVIDER}"]\n  }}\n'
        f"  filesystem_mirror {{\n    path    = {json.dumps(str(stand_ins))}\n"
        f'    include = ["{REGISTRY}/{RANDOM_PROVIDER}"]\n  }}\n'
        "}\n"
    )


def _lay_out_stand_in_mirror(root: Path, platform: str) -> Path:
    """hashicorp/random's place in an unpacked mirror, holding a script that runs the stand-in's file with this
    Python (by path, isolated: whichever checkout the interpreter's installation points at)."""
    version = random_stand_in.VERSION
    folder = root / REGISTRY / RANDOM_PROVIDER / version / platform
    folder.mkdir(parents=True)
    executable = folder / f"terraform-provider-random_v{version}_x5"
    command = shlex.join([sys.executable, "-I", random_stand_in.__file__])
    executable.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
    executable.chmod(0o755)
    return root


def _write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2) + "\n")
