"""Shared test set-up: each suite's marker comes from its folder; plans come from the cache.

`pytest -m unit` runs in pre-commit, so it collects only the folders whose marker the
expression selects: the other suites' imports (hypothesis, boto3, checkov) are never paid.
$TAP_PLANS_DIR makes the synth-time suites assert on plans made elsewhere (another
engine's, a CI artifact) instead of the cache's: DIR/<profile>/stacks/<stack>/cdk.tf.json,
as `tap synth --profile P --env E --outdir DIR/P` writes them. (An environment variable,
not an option: pytest would take the DIR of `--plans DIR` for a test path and move its
rootdir there before any plugin could declare the option.)
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from stack.config import Config
from tap.plan import Plan
from tap.pytest_lean import selected_markers
from tap.synth.deployments import EGRESS_CONFIGS, PROFILE_CONFIGS, TEST_DEPLOYMENTS, cached_plans
from tap.synth.runner import plan_path

TESTS = Path(__file__).parent / "tests"
# Folder under tests/ -> the marker of every test in it. Folders not listed carry none.
SUITE_MARKERS = {
    "unit": "unit",
    "tap": "tool",
    "gate": "gate",
    "property": "property",
    "policies": "policy",
    "integration": "integration",
    "rehearsal": "rehearsal",
    "preflight": "preflight",
    "cli": "cli",
    "mutation": "mutation",
}

PLANS_VARIABLE = "TAP_PLANS_DIR"


def given_plans() -> dict[str, Path] | None:
    """The plans in $TAP_PLANS_DIR by deployment, or None when it is unset; a missing one stops the run."""
    if not os.environ.get(PLANS_VARIABLE):
        return None
    folder = Path(os.environ[PLANS_VARIABLE])
    paths = {name: plan_path(folder / name, deployment) for name, deployment in TEST_DEPLOYMENTS.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise pytest.UsageError(
            f"{PLANS_VARIABLE}={folder}: no plan at {', '.join(missing)}; write them with `python -m tests.write_plans`"
        )
    return paths


def pytest_configure(config: pytest.Config) -> None:
    given_plans()  # a missing plan stops the run before any test, not in the middle of it


def _suite(path: Path) -> str | None:
    try:
        return path.relative_to(TESTS).parts[0]
    except (ValueError, IndexError):
        return None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With `-m unit` (or `-m 'unit or policy'`), skip whole folders of other suites (and their imports)."""
    selected = selected_markers(config.getoption("markexpr", ""))
    if selected is None or collection_path.parent != TESTS:
        return None
    return True if SUITE_MARKERS.get(collection_path.name) not in selected else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = SUITE_MARKERS.get(_suite(Path(item.path)))
        if marker:
            item.add_marker(marker)


@functools.cache
def _plan_paths() -> dict[str, Path]:
    """Every test deployment's plan file: from $TAP_PLANS_DIR, else cached, or synthesized side by side once."""
    return given_plans() or cached_plans()


@functools.cache
def _test_plans() -> dict[str, Plan]:
    return {name: Plan.load(path) for name, path in _plan_paths().items()}


@pytest.fixture(scope="session")
def plan_paths() -> dict[str, Path]:
    """Every test deployment's plan file, by deployment (dev, prod and their egress variants)."""
    return _plan_paths()


@pytest.fixture(scope="session")
def plans() -> dict[str, Plan]:
    """Both profiles' plans as configured by default (no internet destination declared)."""
    return {profile: _test_plans()[profile] for profile in PROFILE_CONFIGS}


@pytest.fixture(scope="session")
def egress_plans() -> dict[str, Plan]:
    """Both profiles' plans with an internet destination declared: NAT gateways and their routes."""
    return {profile: _test_plans()[f"{profile}-egress"] for profile in EGRESS_CONFIGS}


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
