"""Scan plans with checkov: our policies and its built-in checks, one process per shard.

checkov 3.3.30 pins boto3==1.35.49 and packaging<24, which would hold back the project's
own boto3 and break pytest 9, so it lives in a virtualenv of its own (`make setup` builds
`.venv-checkov`; `$TAP_CHECKOV_PYTHON` points elsewhere). `tap/checkov_worker.py` runs
there and drives checkov's runner in-process: one import, then every plan it was given.
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from stack.contract import PROJECT_ROOT
from tap.errors import UsageError

POLICIES = PROJECT_ROOT / "policies"
WORKER = Path(__file__).with_name("checkov_worker.py")
CHECKOV_PYTHON_VARIABLE = "TAP_CHECKOV_PYTHON"
DEFAULT_CHECKOV_PYTHON = PROJECT_ROOT / ".venv-checkov" / "bin" / "python"


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one resource, named `<type>.<name>` whatever checkov said."""

    check_id: str
    check_name: str
    result: str  # PASSED or FAILED, as checkov decided; waivers are applied later
    address: str
    evaluated_keys: tuple[str, ...]
    guideline: str | None = None
    lines: tuple[int, int] = (0, 0)  # where the resource sits in the plan file

    @property
    def key(self) -> tuple[str, str]:
        """What a waiver or a not-applicable declaration names: the check and the resource."""
        return self.check_id, self.address


@dataclass(frozen=True)
class Scan:
    checkov_version: str
    checks: dict[str, str]  # every check checkov knows (built-in and ours): id -> name
    findings: dict[Path, list[Finding]]


def checkov_python() -> Path:
    python = Path(os.environ.get(CHECKOV_PYTHON_VARIABLE) or DEFAULT_CHECKOV_PYTHON)
    if not python.exists():
        raise UsageError(
            f"checkov's Python {python} does not exist: run `make setup` (or set ${CHECKOV_PYTHON_VARIABLE})"
        )
    return python


def scan(plans: list[Path], shards: int = 1) -> Scan:
    """Findings for every plan; `shards` > 1 splits the plans over that many processes."""
    plans = [Path(plan).resolve() for plan in plans]
    groups = [plans[index::shards] for index in range(max(1, min(shards, len(plans))))]
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        replies = list(pool.map(_run_worker, groups))
    findings = {
        Path(plan): [Finding(**_tuples(item)) for item in items]
        for reply in replies
        for plan, items in reply["findings"].items()
    }
    return Scan(replies[0]["checkov_version"], replies[0]["checks"], findings)


def _tuples(item: dict) -> dict:
    return {**item, "evaluated_keys": tuple(item["evaluated_keys"]), "lines": tuple(item["lines"])}


def _run_worker(plans: list[Path]) -> dict:
    request = json.dumps({"policies": str(POLICIES), "plans": [str(plan) for plan in plans]})
    result = subprocess.run(
        [str(checkov_python()), str(WORKER)], input=request, capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageError(f"checkov could not scan {', '.join(plan.name for plan in plans)}: {detail}")
    return json.loads(result.stdout)
