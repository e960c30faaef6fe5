"""Shared test set-up: each suite's marker comes from its folder; plans synthesize once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from stack.config import Config
from tap.plan import Plan
from tap.synth import synthesize

SUITE_MARKERS = {"unit": "unit", "tap": "unit", "property": "property", "policies": "policy", "integration": "integration"}
TESTS = Path(__file__).parent / "tests"

# The deployments the synth-time suites assert on: one per profile.
PROFILE_CONFIGS = {
    "dev": Config(environment_suffix="dev", profile="dev"),
    "prod": Config(environment_suffix="prod", profile="prod"),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        suite = Path(item.path).relative_to(TESTS).parts[0] if TESTS in Path(item.path).parents else None
        if suite in SUITE_MARKERS:
            item.add_marker(SUITE_MARKERS[suite])


@pytest.fixture(scope="session")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Plan]:
    """Both profiles' plans, synthesized side by side."""
    outdir = tmp_path_factory.mktemp("cdktf.out")
    with ThreadPoolExecutor(max_workers=len(PROFILE_CONFIGS)) as pool:
        paths = dict(zip(PROFILE_CONFIGS, pool.map(lambda c: synthesize(c, outdir), PROFILE_CONFIGS.values())))
    return {profile: Plan.load(path) for profile, path in paths.items()}


@pytest.fixture(params=list(PROFILE_CONFIGS))
def profile(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def config(profile: str) -> Config:
    return PROFILE_CONFIGS[profile]


@pytest.fixture
def plan(plans: dict[str, Plan], profile: str) -> Plan:
    return plans[profile]
