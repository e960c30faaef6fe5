"""Keeps the pre-commit suite (`pytest -m unit`) instant. Loaded first: addopts `-p tap.pytest_lean`.

* A run that selects only the pre-commit suites (`-m unit`, `-m "unit or gate"`) blocks the
  third-party pytest plugins they never use (hypothesis' alone costs about 0.5 s to import),
  and pytest-xdist unless it asks for workers (`-n 2`); any other run, `-m property` and the
  full suite included, loads them as usual.
* pytest rewrites the asserts of every test module on import. Where the environment
  forbids bytecode (PYTHONDONTWRITEBYTECODE), it would redo that on every run, so the
  project's test runs keep their compiled test modules in __pycache__.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shlex
import sys

import pytest

UNUSED_BY_UNIT = ("hypothesispytest", "typeguard", "platformdirs", "xdist.looponfail")
# pytest-xdist costs a sixth of a second to start: kept out too, unless the run asks for workers.
XDIST = ("xdist", "xdist.looponfail")
XDIST_OPTIONS = ("-n", "--numprocesses", "--dist", "-d", "--tx", "--max-worker-restart")
# The suites pre-commit runs: `pytest -m unit` and `pytest -m "unit or gate"`.
PRE_COMMIT = {"unit", "gate"}


def selected_markers(expression: str) -> set[str] | None:
    """The markers a `-m` expression selects when it is one marker or a disjunction of them (`unit or
    policy`); None for anything else (`not`, `and`, parentheses), which may select from every suite."""
    names = [name.strip() for name in expression.split(" or ")]
    return set(names) if all(name.isidentifier() and name not in ("not", "and") for name in names) else None


def marker_expression(args: list[str]) -> str:
    """The `-m` expression of a pytest command line (the last one wins), or ''."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-m", dest="markexpr", default="")
    known, _ = parser.parse_known_args(args)
    return known.markexpr.strip()


def invocation_args() -> list[str]:
    return shlex.split(os.environ.get("PYTEST_ADDOPTS", "")) + sys.argv[1:]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    sys.dont_write_bytecode = False
    args = invocation_args()
    if (selected_markers(marker_expression(args)) or {"all"}) <= PRE_COMMIT:
        wants_workers = any(arg.split("=")[0] in XDIST_OPTIONS or re.fullmatch(r"-n\d+", arg) for arg in args)
        for name in (*UNUSED_BY_UNIT, *(() if wants_workers else XDIST)):
            pluginmanager.set_blocked(name)
        # A run of well under a second: the collector's passes over pytest's objects are time it need not spend.
        gc.disable()
