"""The plan cache's key: every input that can change a plan changes it, nothing else does."""

from __future__ import annotations

import shutil

import pytest

import tap.synth.cache
from stack.config import Config
from tap.synth.cache import cache_key


@pytest.fixture
def sources(tmp_path, monkeypatch):
    """A copy of the stack's sources that the test may edit."""
    copy = tmp_path / "stack"
    shutil.copytree(tap.synth.cache.STACK_SOURCES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(tap.synth.cache, "STACK_SOURCES", copy)
    return copy


def test_key_is_stable_for_unchanged_inputs(sources):
    assert cache_key(Config()) == cache_key(Config())


def test_key_changes_when_a_stack_file_changes(sources):
    before = cache_key(Config())
    target = sources / "database.py"
    target.write_text(target.read_text() + "\n# edited\n")
    assert cache_key(Config()) != before


def test_key_changes_when_a_stack_file_is_added(sources):
    before = cache_key(Config())
    (sources / "extra.py").write_text("X = 1\n")
    assert cache_key(Config()) != before


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
    assert cache_key(other) != cache_key(Config())


def test_key_changes_with_an_installed_version(monkeypatch):
    before = cache_key(Config())
    monkeypatch.setattr(tap.synth.cache, "version", lambda name: "0.0.0" if name == "jsii" else "1")
    assert cache_key(Config()) != before
