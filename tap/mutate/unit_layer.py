"""The unit layer's verdict on plan mutants: the synth-time suite itself, run in one pytest process.

    pytest -m unit tests/unit -p tap.mutate.unit_layer   (with $TAP_MUTANTS_IN and $TAP_MUTANTS_OUT)

Collected once; then, for every mutant, the plan the suite's fixtures hold is swapped for
the mutated copy and the tests run again, in-process, with no synth: the suite's own
`plans` fixtures (conftest.py) return the same `Plan` objects, whose document changes.
The test that killed the last mutant runs first, so a killed mutant costs a test or two.
Before any mutant, every test must pass on the plans as they are: a suite failing on its
own plan would kill every mutant and prove nothing.

$TAP_MUTANTS_IN: a pickle of [PlanMutant, ...], in order.
$TAP_MUTANTS_OUT: JSON {mutant id: the node id of the test that failed, or null}.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest
from _pytest.runner import runtestprotocol

from tap.mutate.plan_mutants import apply

MUTANTS_IN = "TAP_MUTANTS_IN"
MUTANTS_OUT = "TAP_MUTANTS_OUT"
# The conftest fixtures that hand a test each kind of deployment's plan ("" the profile's own, "egress").
PLAN_FIXTURES = {"": {"plans", "plan"}, "egress": {"egress_plans", "egress_plan"}}


def pytest_runtestloop(session: pytest.Session) -> bool | None:
    if not os.environ.get(MUTANTS_IN) or session.testsfailed or not session.items:
        return None
    plans = _suite_plans(session)
    items = list(session.items)
    unmutated = _failures(items, session)
    if unmutated:
        item, report = unmutated[0]
        raise pytest.UsageError(
            f"the unit suite fails on the plans as they are: {item.nodeid}: {report.longreprtext[-300:]}"
        )
    mutants = pickle.loads(Path(os.environ[MUTANTS_IN]).read_bytes())
    verdicts = {}
    for mutant in mutants:
        plan = plans[mutant.mutant.deployment]
        original = plan.document
        plan.document = apply(original, mutant)
        try:
            killer = _first_failing([item for item in items if _sees(item, mutant.mutant.deployment)], session)
        finally:
            plan.document = original
        verdicts[mutant.mutant.id] = killer.nodeid if killer else None
        if killer:  # the test that killed this one goes first next time
            items.remove(killer)
            items.insert(0, killer)
    Path(os.environ[MUTANTS_OUT]).write_text(json.dumps(verdicts), encoding="utf-8")
    return True


def _sees(item: pytest.Item, deployment: str) -> bool:
    """Whether a test reads the deployment's plan: through which fixture, for which profile."""
    profile, _, variant = deployment.partition("-")
    fixtures = PLAN_FIXTURES[variant]
    callspec = getattr(item, "callspec", None)
    chosen = callspec.params.get("profile", profile) if callspec else profile
    return chosen == profile and any(name in fixtures for name in item.fixturenames)


def _suite_plans(session: pytest.Session) -> dict:
    """The root conftest's plans by deployment: the very objects the fixtures hand to tests."""
    for plugin in session.config.pluginmanager.get_plugins():
        loader = getattr(plugin, "_test_plans", None)
        if loader is not None and hasattr(plugin, "TEST_DEPLOYMENTS"):
            return loader()
    raise pytest.UsageError("tap.mutate.unit_layer runs inside the project's own test suite (conftest.py)")


def _first_failing(items: list[pytest.Item], session: pytest.Session) -> pytest.Item | None:
    failures = _failures(items, session, first_only=True)
    return failures[0][0] if failures else None


def _failures(items: list[pytest.Item], session: pytest.Session, first_only: bool = False) -> list[tuple]:
    """(item, report) of each failing test phase, in order; with `first_only`, stop at the first."""
    found = []
    for index, item in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else None
        found += [(item, report) for report in runtestprotocol(item, log=False, nextitem=following) if report.failed]
        if found and first_only:
            session._setupstate.teardown_exact(None)  # the fixtures of the tests not run
            break
    return found
