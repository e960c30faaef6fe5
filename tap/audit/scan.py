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
from tap.audit import findings_cache
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
    """Findings for every plan, from the findings cache where a plan was scanned before with the same
    policies, tool and checkov; the rest scanned, `shards` > 1 splitting them over that many processes."""
    plans = [Path(plan).resolve() for plan in plans]
    version = findings_cache.checkov_version(checkov_python())  # a missing checkov is the first thing to say
    contents = {plan: _read(plan) for plan in plans}
    inputs = findings_cache.inputs_digest(policies, version)
    keys = {plan: findings_cache.plan_key(contents[plan], inputs) for plan in plans}
    entries = {plan: entry for plan in plans if (entry := findings_cache.read(keys[plan])) is not None}
    registry = findings_cache.read(f"checks-{inputs[:40]}")
    unscanned = [plan for plan in plans if plan not in entries] or ([] if registry else plans[:1])
    if unscanned:
        registry = _scan_into(entries, unscanned, keys, shards, policies)
        findings_cache.write(f"checks-{inputs[:40]}", registry)
    documents = {plan: json.loads(contents[plan]) for plan in plans}
    findings = {plan: [judge(item, documents[plan]) for item in entries[plan]["findings"]] for plan in plans}
    checks = {
        check_id: CheckInfo(info["name"], info["section"], tuple(info["types"]))
        for check_id, info in registry["checks"].items()
    }
    errors = tuple(dict.fromkeys(error for plan in plans for error in entries[plan]["errors"]))
    return Scan(registry["checkov_version"], checks, findings, errors, policies)


def _read(plan: Path) -> bytes:
    try:
        return plan.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read the plan {plan}: {error.strerror or 'not a file'}") from None


def _scan_into(
    entries: dict[Path, dict], plans: list[Path], keys: dict[Path, str], shards: int, policies: Path
) -> dict:
    """Scan `plans` with checkov, keep each plan's findings in `entries` and the cache; return checkov's registry."""
    with tempfile.TemporaryDirectory(prefix="tap-scan-") as folder:
        scanned = _folded_copies(plans, Path(folder))
        groups = [plans[index::shards] for index in range(max(1, min(shards, len(plans))))]
        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            replies = list(pool.map(lambda group: _run_worker([scanned[plan] for plan in group], policies), groups))
    originals = {str(copy): plan for plan, copy in scanned.items()}
    for reply in replies:
        for copy, items in reply["findings"].items():
            plan = originals[copy]
            entries[plan] = {"findings": items, "errors": reply["errors"][copy]}
            findings_cache.write(keys[plan], entries[plan])
    return {"checkov_version": replies[0]["checkov_version"], "checks": replies[0]["checks"]}


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
