"""CDK Terrain writes the same plan as CDKTF: both engines, both profiles, block by block.

Two differences are expected and named here: the provider pins each engine's prebuilt
providers carry (terraform.required_providers) and the engine's own version stamped in
the plan (//.metadata.version). Any other difference fails. In the full suite only: it
synthesizes with .venv-cdktn, which `make test` sets up.
"""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata

import pytest

from conftest import PROFILE_CONFIGS
from stack.contract import PROJECT_ROOT
from stack.engines import ENGINES
from tap.plan import Plan
from tap.synth.cache import cached_plan
from tap.synth.engine_diff import differences
from tap.synth.runner import engine_versions

CDKTF, CDKTN = ENGINES["cdktf"], ENGINES["cdktn"]
# The named difference: cdktf's AWS provider is 6.25.0 under the source `aws`, CDK Terrain's 6.69.1.
PROVIDER_PINS = {
    "cdktf": {
        "aws": {"source": "aws", "version": "6.25.0"},
        "random": {"source": "hashicorp/random", "version": "3.7.2"},
    },
    "cdktn": {
        "aws": {"source": "hashicorp/aws", "version": "6.69.1"},
        "random": {"source": "hashicorp/random", "version": "3.9.1"},
    },
}


@pytest.fixture(scope="module")
def engine_plans() -> dict[tuple[str, str], dict]:
    """(engine, profile) -> plan, each synthesized by its engine's own interpreter (through the cache)."""
    runs = [(engine, profile) for engine in (CDKTF, CDKTN) for profile in PROFILE_CONFIGS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        paths = pool.map(lambda run: cached_plan(PROFILE_CONFIGS[run[1]], run[0]), runs)
        return {
            (engine.name, profile): Plan.load(path).document
            for (engine, profile), path in zip(runs, paths, strict=True)
        }


def _without_expected_differences(document: dict) -> dict:
    stripped = copy.deepcopy(document)
    del stripped["terraform"]["required_providers"]
    del stripped["//"]["metadata"]["version"]
    return stripped


@pytest.mark.parametrize("profile", list(PROFILE_CONFIGS))
def test_engines_write_the_same_plan_but_for_provider_pins_and_version(engine_plans, profile):
    cdktf, cdktn = engine_plans["cdktf", profile], engine_plans["cdktn", profile]
    unexpected = [found.describe(("cdktf", "cdktn")) for found in differences(cdktf, cdktn) if not found.expected]
    assert unexpected == []
    # The whole documents too, so nothing escapes how `differences` splits a plan into blocks.
    assert _without_expected_differences(cdktf) == _without_expected_differences(cdktn)


@pytest.mark.parametrize("profile", list(PROFILE_CONFIGS))
def test_provider_pins_are_the_named_difference(engine_plans, profile):
    pins = {engine: engine_plans[engine, profile]["terraform"]["required_providers"] for engine in PROVIDER_PINS}
    assert pins == PROVIDER_PINS


@pytest.mark.parametrize("profile", list(PROFILE_CONFIGS))
def test_each_plan_carries_its_engines_version(engine_plans, profile):
    for engine in (CDKTF, CDKTN):
        assert engine_plans[engine.name, profile]["//"]["metadata"]["version"] == engine_versions(engine)[engine.name]


def test_cdktn_versions_are_read_from_its_own_virtualenv():
    """The cache key's versions of cdktn are .venv-cdktn's pins, not what .venv holds (constructs differs)."""
    pins = dict(
        line.split("==")
        for line in (PROJECT_ROOT / "requirements" / "cdktn.in").read_text().splitlines()
        if "==" in line and line[0] != "#"
    )
    versions = engine_versions(CDKTN)
    assert {name: versions[name] for name in pins} == pins
    assert versions["constructs"] != metadata.version("constructs")
