"""Shared test set-up: each suite's marker comes from its folder; plans come from the cache.

`pytest -m unit` runs in pre-commit, so it collects only the folders whose marker the
expression selects: the other suites' imports (hypothesis, boto3, checkov) are never paid.
"""

from __future__ import annotations

import dataclasses
import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from stack.config import Config
from tap.plan import Plan
from tap.synth.cache import cached_plan

TESTS = Path(__file__).parent / "tests"
# Folder under tests/ -> the marker of every test in it. Folders not listed carry none.
SUITE_MARKERS = {
    "unit": "unit",
    "tap": "unit",
    "property": "property",
    "policies": "policy",
    "integration": "integration",
    "rehearsal": "rehearsal",
    "preflight": "preflight",
    "cli": "cli",
}

# The deployments the synth-time suites assert on: one per profile.
PROFILE_CONFIGS = {
    "dev": Config(environment_suffix="dev", profile="dev"),
    "prod": Config(environment_suffix="prod", profile="prod"),
}
# The same profiles declaring an internet destination (a documentation range): the only
# deployments with NAT gateways, so the field report's NAT lessons stay under test.
EGRESS_CONFIGS = {
    profile: dataclasses.replace(config, environment_suffix=f"{profile}-out", internet_egress_cidrs=("203.0.113.0/24",))
    for profile, config in PROFILE_CONFIGS.items()
}


def _suite(path: Path) -> str | None:
    try:
        return path.relative_to(TESTS).parts[0]
    except (ValueError, IndexError):
        return None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With `-m <one marker>`, skip whole folders of other suites (and their imports)."""
    selected = config.getoption("markexpr", "").strip()
    if not selected.isidentifier() or collection_path.parent != TESTS:
        return None
    return True if SUITE_MARKERS.get(collection_path.name) != selected else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = SUITE_MARKERS.get(_suite(Path(item.path)))
        if marker:
            item.add_marker(marker)


@functools.cache
def _synthesized() -> dict[tuple[str, bool], Path]:
    """Every test deployment's plan, (profile, declares egress) -> path: cached, or synthesized side by side once."""
    configs = {
        **{(profile, False): config for profile, config in PROFILE_CONFIGS.items()},
        **{(profile, True): config for profile, config in EGRESS_CONFIGS.items()},
    }
    with ThreadPoolExecutor(max_workers=len(configs)) as pool:
        return dict(zip(configs, pool.map(cached_plan, configs.values()), strict=True))


@pytest.fixture(scope="session")
def plans() -> dict[str, Plan]:
    """Both profiles' plans as configured by default (no internet destination declared)."""
    return {profile: Plan.load(path) for (profile, egress), path in _synthesized().items() if not egress}


@pytest.fixture(scope="session")
def egress_plans() -> dict[str, Plan]:
    """Both profiles' plans with an internet destination declared: NAT gateways and their routes."""
    return {profile: Plan.load(path) for (profile, egress), path in _synthesized().items() if egress}


@pytest.fixture(scope="session", params=list(PROFILE_CONFIGS))
def profile(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def config(profile: str) -> Config:
    return PROFILE_CONFIGS[profile]


@pytest.fixture(scope="session")
def plan(plans: dict[str, Plan], profile: str) -> Plan:
    return plans[profile]


@pytest.fixture(scope="session")
def egress_config(profile: str) -> Config:
    return EGRESS_CONFIGS[profile]


@pytest.fixture(scope="session")
def egress_plan(egress_plans: dict[str, Plan], profile: str) -> Plan:
    return egress_plans[profile]
