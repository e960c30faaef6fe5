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
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from stack.config import Config
from tap.plan import Plan
from tap.pytest_lean import PRE_COMMIT, selected_markers
from tap.synth.cache import is_cached
from tap.synth.deployments import EGRESS_CONFIGS, PROFILE_CONFIGS, TEST_DEPLOYMENTS, cached_plans
from tap.synth.runner import plan_path

if TYPE_CHECKING:
    from tap.audit.scan import Scanner

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
    "fuzz": "fuzz",
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


# A pre-commit run that must synthesize starts at once, beside collection. Where the gate may run,
# checkov processes start too: each plan is handed to them as it is written and judged as soon as its
# findings are in, so the gate test (last) finds its verdicts cached.
_early_scan: Scanner | None = None
_plans_ahead: Future | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _early_scan, _plans_ahead
    given_plans()  # a missing plan stops the run before any test, not in the middle of it
    if config.getoption("numprocesses", None) or os.environ.get("PYTEST_XDIST_WORKER"):
        return  # each worker takes the plans when a test asks for them
    selected = selected_markers(config.getoption("markexpr", ""))
    if selected is None or "gate" in selected:
        from tap.audit.gate import early_scan  # not imported by `pytest -m unit`

        _early_scan = early_scan()
    if given_plans() is None and not all(map(is_cached, TEST_DEPLOYMENTS.values())):
        if _early_scan:
            _early_scan.start()  # checkov's import runs beside the synth
        if selected and selected <= PRE_COMMIT:
            _plans_ahead = ThreadPoolExecutor(max_workers=1).submit(_plans_now)


def pytest_collection_finish(session: pytest.Session) -> None:
    if not any(item.get_closest_marker("gate") for item in session.items):
        _stop_early_scan()


def pytest_unconfigure(config: pytest.Config) -> None:
    _stop_early_scan()


def _stop_early_scan() -> None:
    global _early_scan
    if _early_scan:
        _early_scan.close()
    _early_scan = None


def _scan_early(plan: Path) -> None:
    if _early_scan:
        _early_scan.submit(plan)


def _suite(path: Path) -> str | None:
    try:
        return path.relative_to(TESTS).parts[0]
    except (ValueError, IndexError):
        return None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With `-m unit` (or `-m 'unit or policy'`), skip whole folders of other suites (and their imports).

    A marker that is no folder's (`-m engine`) may be on tests of any folder: nothing is skipped for it."""
    selected = selected_markers(config.getoption("markexpr", ""))
    if selected is None or collection_path.parent != TESTS or not selected <= set(SUITE_MARKERS.values()):
        return None
    return True if SUITE_MARKERS.get(collection_path.name) not in selected else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = SUITE_MARKERS.get(_suite(Path(item.path)))
        if marker:
            item.add_marker(marker)
    # The gate last: the plans' scans run beside the other tests.
    items.sort(key=lambda item: item.get_closest_marker("gate") is not None)


def _plan_paths() -> dict[str, Path]:
    return _plans_ahead.result() if _plans_ahead else _plans_now()


@functools.cache
def _plans_now() -> dict[str, Path]:
    """Every test deployment's plan file: from $TAP_PLANS_DIR, else cached, or synthesized together once;
    each handed to the early scan as soon as it is there."""
    given = given_plans()
    if given is None:
        # One synth process when checkov runs beside it: the other core is the scan's.
        return cached_plans(ready=_scan_early, processes=1) if _early_scan else cached_plans()
    for path in given.values():
        _scan_early(path)
    return given


@functools.cache
def _test_plans() -> dict[str, Plan]:
    return {name: Plan.load(path) for name, path in _plan_paths().items()}


@pytest.fixture(scope="session")
def plan_paths() -> dict[str, Path]:
    """Every test deployment's plan file, by deployment (dev, prod and their egress variants)."""
    return _plan_paths()


@pytest.fixture(scope="session")
def scanned_plan_paths(plan_paths: dict[str, Path]) -> dict[str, Path]:
    """Every test deployment's plan file, with the early scan of them finished: their findings are cached."""
    if _early_scan:
        _early_scan.finish()
    return plan_paths


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
