"""Scan plans with checkov: our policies and its built-in checks, one process per shard.

checkov 3.3.30 pins boto3==1.35.49 and packaging<24, which would hold back the project's
own boto3 and break pytest 9, so it lives in a virtualenv of its own (`make setup` builds
`.venv-checkov`; `$TAP_CHECKOV_PYTHON` points elsewhere). `checkov_worker.py` runs there
and drives checkov's runner in-process: one import, then every plan it was given.

Before the scan, each plan's constant expressions (`"${true}"`) are folded to their values,
as Terraform would, into a copy that keeps every line where it was. After it, every result
is judged (`tap/audit/judgement.py`): checkov's UNKNOWN becomes not applicable or not evaluated.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from stack.contract import PROJECT_ROOT
from tap.audit.judgement import Finding, judge
from tap.errors import UsageError
from tap.expressions import fold_json

POLICIES = PROJECT_ROOT / "policies"
WORKER = Path(__file__).with_name("checkov_worker.py")
CHECKOV_PYTHON_VARIABLE = "TAP_CHECKOV_PYTHON"
DEFAULT_CHECKOV_PYTHON = PROJECT_ROOT / ".venv-checkov" / "bin" / "python"

__all__ = ["POLICIES", "CheckInfo", "Finding", "Scan", "scan"]


@dataclass(frozen=True)
class CheckInfo:
    """A check checkov has registered: what it is called and which block types it judges."""

    name: str
    section: str  # resource, data, provider or graph
    types: tuple[str, ...]


@dataclass(frozen=True)
class Scan:
    checkov_version: str
    checks: dict[str, CheckInfo]  # every check checkov knows (built-in and ours), by id
    findings: dict[Path, list[Finding]]
    errors: tuple[str, ...] = ()  # a policy that did not load, a check that raised
    policies: Path = POLICIES  # the policies folder it ran

    def names(self) -> dict[str, str]:
        return {check_id: info.name for check_id, info in self.checks.items()}


def checkov_python() -> Path:
    python = Path(os.environ.get(CHECKOV_PYTHON_VARIABLE) or DEFAULT_CHECKOV_PYTHON)
    if not python.exists():
        raise UsageError(
            f"checkov's Python {python} does not exist: run `make setup` (or set ${CHECKOV_PYTHON_VARIABLE})"
        )
    return python


def scan(plans: list[Path], shards: int = 1, policies: Path = POLICIES) -> Scan:
    """Findings for every plan; `shards` > 1 splits the plans over that many processes."""
    plans = [Path(plan).resolve() for plan in plans]
    with tempfile.TemporaryDirectory(prefix="tap-scan-") as folder:
        scanned = _folded_copies(plans, Path(folder))
        groups = [plans[index::shards] for index in range(max(1, min(shards, len(plans))))]
        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            replies = list(pool.map(lambda group: _run_worker([scanned[plan] for plan in group], policies), groups))
    originals = {str(copy): plan for plan, copy in scanned.items()}
    documents = {plan: json.loads(plan.read_text(encoding="utf-8")) for plan in plans}
    findings = {
        originals[copy]: [judge(item, documents[originals[copy]]) for item in items]
        for reply in replies
        for copy, items in reply["findings"].items()
    }
    checks = {
        check_id: CheckInfo(info["name"], info["section"], tuple(info["types"]))
        for check_id, info in replies[0]["checks"].items()
    }
    errors = tuple(dict.fromkeys(error for reply in replies for error in reply["errors"]))
    return Scan(replies[0]["checkov_version"], checks, findings, errors, policies)


def _folded_copies(plans: list[Path], folder: Path) -> dict[Path, Path]:
    """Each plan, or its copy with constant expressions folded when it has any, by plan."""
    copies = {}
    for number, plan in enumerate(plans):
        try:
            text = plan.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            copies[plan] = plan  # checkov says what is wrong with it
            continue
        folded = fold_json(text)
        if folded == text:
            copies[plan] = plan
            continue
        # The same file name in a folder of its own: checkov reads `*.tf.json` by name.
        copy = folder / str(number) / plan.name
        copy.parent.mkdir()
        copy.write_text(folded, encoding="utf-8")
        copies[plan] = copy
    return copies


def _run_worker(plans: list[Path], policies: Path) -> dict:
    request = json.dumps({"policies": str(policies), "plans": [str(plan) for plan in plans]})
    result = subprocess.run(
        [str(checkov_python()), str(WORKER)], input=request, capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageError(f"checkov could not scan {', '.join(plan.name for plan in plans)}: {detail}")
    return json.loads(result.stdout)
