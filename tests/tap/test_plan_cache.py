"""The plan cache's key: every input that can change a plan changes it, nothing else does."""

from __future__ import annotations

import shutil

import pytest

import tap.synth.cache
from stack.config import Config
from stack.engines import ENGINES
from tap.synth.cache import cache_key

CDKTF, CDKTN = ENGINES["cdktf"], ENGINES["cdktn"]


@pytest.fixture(autouse=True)
def installed(monkeypatch):
    """Each engine's versions as if both were installed (the unit suite must not need .venv-cdktn)."""
    versions = {engine: {"python": "3.11", **dict.fromkeys(engine.distributions, "1.0")} for engine in ENGINES.values()}
    monkeypatch.setattr(tap.synth.cache, "engine_versions", lambda engine: versions[engine])
    return versions


def key(config=None, engine=CDKTF):
    return cache_key(config or Config(), engine)


@pytest.fixture
def sources(tmp_path, monkeypatch):
    """A copy of the stack's sources that the test may edit."""
    copy = tmp_path / "stack"
    shutil.copytree(tap.synth.cache.STACK_SOURCES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(tap.synth.cache, "STACK_SOURCES", copy)
    return copy


def test_key_is_stable_for_unchanged_inputs(sources):
    assert key() == key()


def test_key_changes_when_a_stack_file_changes(sources):
    before = key()
    target = sources / "database.py"
    target.write_text(target.read_text() + "\n# edited\n")
    assert key() != before


def test_key_changes_when_a_stack_file_is_added(sources):
    before = key()
    (sources / "extra.py").write_text("X = 1\n")
    assert key() != before


@pytest.mark.parametrize(
    "other",
    [
        Config(environment_suffix="pr1"),
        Config(profile="prod"),
        Config(region="eu-west-1"),
        Config(internet_egress_cidrs=("203.0.113.0/24",)),
    ],
)
def test_key_changes_with_any_config_input(other):
    assert key(other) != key()


@pytest.mark.parametrize("distribution", ["python", *CDKTF.distributions])
def test_key_changes_with_an_installed_version(installed, distribution):
    before = key()
    installed[CDKTF][distribution] = "0.0.0"
    assert key() != before


def test_key_changes_with_the_engine():
    assert key(engine=CDKTN) != key(engine=CDKTF)


def test_key_reads_the_versions_where_the_engine_runs(installed):
    """cdktn's key follows .venv-cdktn's constructs, not the calling environment's."""
    before = key(engine=CDKTN)
    installed[CDKTN]["constructs"] = "10.7.1"
    assert key(engine=CDKTN) != before
