"""Terraform itself validates every plan the stack makes, with the machine's providers (no registry).

Every test deployment, synthesized by each engine, is copied unchanged into a workspace with an
override file beside it that pins the mirror's AWS provider and the stand-in for hashicorp/random;
`terraform init` and `terraform validate` must pass. No Terraform or no mirror fails the run with one
sentence naming what is missing and how to get it: it is never skipped.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from stack.engines import ENGINES
from tap.errors import UsageError
from tap.live.terraform.workspace import MIRROR_VARIABLE, PLAN_NAME, find_toolchain, workspace
from tap.synth.cache import cached_plan
from tap.synth.deployments import TEST_DEPLOYMENTS


def _digest(folder) -> dict[str, str]:
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.rglob("*") if path.is_file()}


@pytest.mark.parametrize("deployment", list(TEST_DEPLOYMENTS))
@pytest.mark.parametrize("engine", list(ENGINES))
def test_terraform_validates_every_plan_leaving_its_folder_untouched(engine, deployment):
    plan = cached_plan(TEST_DEPLOYMENTS[deployment], ENGINES[engine])
    before = _digest(plan.parent)
    with workspace(plan) as terraform:
        terraform.validate()
    assert _digest(plan.parent) == before


def test_terraform_missing_from_the_path_is_named_with_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UsageError, match=r"^Terraform is not on the PATH: install Terraform 1\.11\.4"):
        find_toolchain()


def test_a_mirror_without_the_aws_provider_is_named_with_how_to_fill_it(monkeypatch, tmp_path):
    (tmp_path / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0" / "linux_amd64").mkdir(parents=True)
    monkeypatch.setenv(MIRROR_VARIABLE, str(tmp_path))
    with pytest.raises(
        UsageError, match=rf"^the filesystem mirror {tmp_path} holds no hashicorp/aws provider"
    ) as raised:
        find_toolchain()
    assert "terraform providers mirror" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_an_invalid_plan_fails_validation_naming_the_argument(tmp_path):
    bucket = {"bucket": "payment-data", "versioning_everywhere": True}
    plan = tmp_path / PLAN_NAME
    plan.write_text(
        json.dumps(
            {
                "//": {"metadata": {"stackName": "Invalid"}},
                "terraform": {"required_providers": {"aws": {"source": "aws", "version": "6.25.0"}}},
                "provider": {"aws": [{"region": "ap-southeast-1"}]},
                "resource": {"aws_s3_bucket": {"data": bucket}},
            }
        )
    )
    with workspace(plan) as terraform, pytest.raises(UsageError) as raised:
        terraform.validate()
    assert re.fullmatch(
        r"terraform validate failed on .*: Error: .* in resource\.aws_s3_bucket\.data: "
        r"No argument .* \"versioning_everywhere\"\.",
        str(raised.value),
    )
