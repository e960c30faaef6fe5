"""Which engine synthesizes, what the audit says made a plan, and `tap engines diff` on doctored plans.

No second engine is needed here: the cdktn side of `tap engines diff` is a doctored copy
of the real plan (tests/synth compares two real synths in the full suite).
"""

from __future__ import annotations

import copy
import json
import sys

import pytest

import stack.engines
import tap.synth.engine_diff
from stack.app import main as app_main
from stack.config import ConfigError
from stack.contract import ENGINE_RECORD
from stack.engines import ENGINE_VARIABLE, ENGINES, Engine, select_engine
from tap.audit.provenance import engine_record
from tap.cli import main
from tap.synth.runner import engine_versions

CDKTF, CDKTN = ENGINES["cdktf"], ENGINES["cdktn"]


def test_explicit_engine_wins_over_the_installed_one():
    assert CDKTF.installed_here()
    assert select_engine({ENGINE_VARIABLE: "cdktn"}) is CDKTN


def test_default_engine_is_cdktf():
    assert select_engine({}) is CDKTF


def test_without_a_setting_the_installed_engine_is_selected(monkeypatch):
    """What `.venv-cdktn/bin/python -m stack.app` sees: only CDK Terrain is installed there."""
    monkeypatch.setattr(Engine, "installed_here", lambda engine: engine is CDKTN)
    assert select_engine({}) is CDKTN


def test_with_no_engine_installed_the_default_is_cdktf(monkeypatch):
    monkeypatch.setattr(Engine, "installed_here", lambda engine: False)
    assert select_engine({}) is CDKTF


def test_unknown_engine_is_refused_in_one_sentence():
    with pytest.raises(ConfigError, match=r"^TAP_ENGINE must be one of cdktf, cdktn, not 'cdk'\.$"):
        select_engine({ENGINE_VARIABLE: "cdk"})


@pytest.mark.parametrize("entry", [lambda: main(["synth"]), app_main], ids=["tap synth", "stack.app"])
def test_unknown_engine_exits_2_with_one_line(entry, monkeypatch, capsys):
    monkeypatch.setenv(ENGINE_VARIABLE, "terraform")
    assert entry() == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "TAP_ENGINE must be one of cdktf, cdktn, not 'terraform'." in err


def test_engine_not_installed_names_the_setup_command(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(stack.engines, "PROJECT_ROOT", tmp_path)  # no .venv-cdktn there
    engine_versions.cache_clear()
    assert main(["engines", "diff"]) == 2
    assert capsys.readouterr().err == "tap: engine cdktn is not installed: run `make setup ENGINE=cdktn`.\n"


def test_engine_record_is_read_from_beside_the_plan(tmp_path):
    record = {"name": "cdktn", "versions": {"python": "3.11", "cdktn": "0.24.0"}, "inputs": {"STACK_PROFILE": "dev"}}
    (tmp_path / ENGINE_RECORD).write_text(json.dumps(record))
    assert engine_record(tmp_path / "cdk.tf.json") == record


def test_plan_without_engine_record_has_none(tmp_path):
    assert engine_record(tmp_path / "cdk.tf.json") is None


# The doctored plan's engine and AWS provider versions: unlike any real plan's, whichever engine made it.
OTHER_VERSION = "9.9.9"


def _as_other_engine(document: dict) -> dict:
    """The real plan with only the expected differences: another AWS provider pin and engine version."""
    doctored = copy.deepcopy(document)
    doctored["terraform"]["required_providers"]["aws"]["version"] = OTHER_VERSION
    doctored["//"]["metadata"]["version"] = OTHER_VERSION
    return doctored


@pytest.fixture
def diff(plans, tmp_path, monkeypatch, capsys):
    """Run `tap engines diff` with cdktn's plan replaced by a doctoring of the real dev plan."""
    monkeypatch.setattr(Engine, "python", lambda engine: sys.executable)

    def run(doctor) -> tuple[int, str]:
        doctored = tmp_path / "cdk.tf.json"
        doctored.write_text(json.dumps(doctor(_as_other_engine(plans["dev"].document))))
        paths = {CDKTF: plans["dev"].source, CDKTN: doctored}
        monkeypatch.setattr(tap.synth.engine_diff, "cached_plan", lambda config, engine: paths[engine])
        code = main(["engines", "diff", "--profile", "dev", "--env", "dev"])
        return code, capsys.readouterr().out

    return run


def test_engines_diff_with_only_provider_versions_exits_0_naming_them(diff, plans):
    code, out = diff(lambda document: document)
    aws_version = plans["dev"].document["terraform"]["required_providers"]["aws"]["version"]
    engine_version = plans["dev"].document["//"]["metadata"]["version"]
    assert code == 0
    assert f'terraform.required_providers.aws: version "{aws_version}" -> "{OTHER_VERSION}"' in out
    assert f'//.metadata.version: "{engine_version}" -> "{OTHER_VERSION}"' in out
    assert "no other difference" in out


def test_engines_diff_with_a_changed_resource_exits_1_naming_it(diff):
    changed = []

    def rotation_off(document):
        name, key = next(iter(document["resource"]["aws_kms_key"].items()))
        key["enable_key_rotation"] = False
        changed.append(name)
        return document

    code, out = diff(rotation_off)
    assert code == 1
    assert f"resource.aws_kms_key.{changed[0]}: enable_key_rotation true -> false" in out


def test_engines_diff_with_a_missing_output_exits_1_naming_it(diff):
    def no_vpc_output(document):
        del document["output"]["vpc_id"]
        return document

    code, out = diff(no_vpc_output)
    assert code == 1
    assert "output.vpc_id: only in cdktf's plan" in out
