"""`tap rehearse`: loopback only, every resource type known, outputs nested as CDKTF writes them."""

from __future__ import annotations

import copy
import json
import signal
import subprocess
import sys
import time
from subprocess import PIPE

import boto3
import pytest

from stack.contract import Output
from tap.cli import main
from tap.errors import UsageError
from tap.live.emulator import moto_server, rehearsal_config
from tap.live.rehearsal import EMULATOR_CREDENTIALS, HANDLERS, Rehearsal
from tap.plan import Plan
from tap.synth.cache import cached_plan


@pytest.mark.parametrize("engine", ["translator", "terraform"])
@pytest.mark.parametrize(
    "endpoint", ["https://ec2.ap-southeast-1.amazonaws.com", "http://10.0.0.5:5000", "http://moto:5000"]
)
def test_non_loopback_endpoint_is_refused_before_anything_runs(endpoint, engine, tmp_path, capsys):
    arguments = ["rehearse", "--endpoint-url", endpoint, "--outputs-file", str(tmp_path / "o.json")]
    assert main([*arguments, "--engine", engine]) == 2
    error = capsys.readouterr().err
    assert "only into an emulator on loopback" in error and error.count("\n") == 1
    assert not (tmp_path / "o.json").exists()


def test_unknown_resource_type_is_named_before_any_call():
    plan = Plan.load(cached_plan(rehearsal_config()))
    document = copy.deepcopy(plan.document)
    document["resource"]["aws_elasticache_cluster"] = {"cache": {"cluster_id": "c"}}
    with pytest.raises(UsageError, match="cannot create aws_elasticache_cluster: add a translator"):
        Rehearsal(Plan(document), "http://127.0.0.1:9").provision()  # nothing listens on port 9


def test_every_planned_type_has_a_translator(plans):
    planned = set()
    for plan in plans.values():
        planned |= {r.type for r in plan.resources()} | {f"data.{r.type}" for r in plan.data_sources()}
    assert sorted(planned - set(HANDLERS)) == []


def test_rehearse_with_no_plan_rehearses_its_own_configuration(tmp_path, capsys, monkeypatch):
    # The placeholder ACM certificate of an ordinary synth cannot exist in an emulator: no --plan must just work.
    monkeypatch.delenv("ALB_CERTIFICATE_ARN", raising=False)
    outputs_file = tmp_path / "outputs.json"
    with moto_server() as url:
        assert main(["rehearse", "--endpoint-url", url, "--outputs-file", str(outputs_file), "--profile", "prod"]) == 0
    (stack,) = json.loads(outputs_file.read_text())
    assert stack == rehearsal_config("prod").stack_name
    assert f"{stack}: provisioned into {url}" in capsys.readouterr().out


def test_rehearse_writes_every_output_nested_under_the_stack_name(tmp_path, capsys):
    config = rehearsal_config("prod")
    plan_path = cached_plan(config)
    outputs_file = tmp_path / "outputs.json"
    with moto_server() as url:
        assert (
            main(["rehearse", "--endpoint-url", url, "--outputs-file", str(outputs_file), "--plan", str(plan_path)])
            == 0
        )
    document = json.loads(outputs_file.read_text())
    assert list(document) == [config.stack_name]
    outputs = document[config.stack_name]
    assert sorted(outputs) == sorted(Plan.load(plan_path).outputs)
    assert len(outputs[Output.NAT_GATEWAY_IDS]) == config.nat_gateway_count
    assert all("${" not in json.dumps(value) for value in outputs.values())
    assert f"{config.stack_name}: provisioned into {url}" in capsys.readouterr().out


def test_missing_plan_is_one_sentence_and_exit_2(tmp_path, capsys):
    arguments = ["--endpoint-url", "http://127.0.0.1:9", "--outputs-file", str(tmp_path / "o.json")]
    assert main(["rehearse", *arguments, "--plan", str(tmp_path / "absent.tf.json")]) == 2
    error = capsys.readouterr().err
    assert "does not exist: pass a cdk.tf.json" in error and error.count("\n") == 1


def _wait_until_provisioning_started(url: str, deadline_seconds: float = 60.0) -> None:
    """KMS keys are among the first resources the rehearsal creates: once one exists, it is mid-way."""
    kms = boto3.Session(region_name=rehearsal_config().region, **EMULATOR_CREDENTIALS).client("kms", endpoint_url=url)
    deadline = time.monotonic() + deadline_seconds
    while not kms.list_keys()["Keys"]:
        assert time.monotonic() < deadline, "the rehearsal never started provisioning"
        time.sleep(0.05)


def test_interrupted_rehearsal_is_one_line_exit_130_and_no_outputs_file(tmp_path):
    plan = cached_plan(rehearsal_config())
    outputs = tmp_path / "outputs.json"
    command = [sys.executable, "-m", "tap.cli", "rehearse", "--plan", str(plan), "--outputs-file", str(outputs)]
    with moto_server() as url:
        rehearsal = subprocess.Popen([*command, "--endpoint-url", url], stdout=PIPE, stderr=PIPE, text=True)
        _wait_until_provisioning_started(url)
        rehearsal.send_signal(signal.SIGINT)
        _, error = rehearsal.communicate(timeout=60)
    assert (rehearsal.returncode, error) == (130, "tap: interrupted\n")
    assert list(tmp_path.iterdir()) == []  # neither the outputs file nor a half-written staging file
