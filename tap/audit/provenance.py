"""Where a report's evidence came from: the plan's bytes, the engine that made it, the commit, who ran
the audit and where, the tools and their versions."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import platform
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stack.contract import ENGINE_RECORD, PROJECT_ROOT
from tap import documents
from tap.audit.bundle import PLAN_COPY
from tap.audit.live_results import LiveResult
from tap.audit.scan import Scan
from tap.documents import Kind
from tap.plan import Plan


def plan_sha256(plan_path: Path) -> str:
    return hashlib.sha256(Path(plan_path).read_bytes()).hexdigest()


def provenance(
    plan: Plan,
    plan_path: Path,
    scan: Scan,
    as_of: dt.date,
    live: list[LiveResult] = (),
    plan_copied: bool = True,
    shown_path: Path | None = None,
) -> dict[str, Any]:
    """Where the evidence came from; `plan_path` holds the bytes audited, `shown_path` the file given."""
    return {
        "stack": plan.stack_name,
        "profile": plan.default_tags.get("Profile", "unknown"),
        "environment": plan.environment,
        "plan_path": str(shown_path or plan_path),
        "plan_sha256": plan_sha256(plan_path),
        # The path above is overwritten by the next synth: the report folder keeps the bytes audited.
        "plan_copy": PLAN_COPY if plan_copied else None,
        "run": run_context(os.environ),
        # Where the live evidence was gathered: the account(s) and region(s) the live suite read.
        "live_accounts": sorted({result.account for result in live if result.account}),
        "live_regions": sorted({result.region for result in live if result.region}),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": _dirty(),
        "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "waivers_as_of": as_of.isoformat(),
        "engine": engine_record(plan_path),
        "tools": {"checkov": scan.checkov_version, "python": platform.python_version()},
    }


def run_context(environment: Mapping[str, str]) -> dict[str, Any]:
    """Who ran the audit and where: the CI's own record of the run when there is one (GitHub Actions)."""
    actor = environment.get("GITHUB_ACTOR") or _login()
    if not environment.get("GITHUB_RUN_ID"):
        return {"actor": actor, "ci": None}
    repository, run_id = environment.get("GITHUB_REPOSITORY", ""), environment["GITHUB_RUN_ID"]
    server = environment.get("GITHUB_SERVER_URL", "https://github.com")
    return {
        "actor": actor,
        "ci": {
            "system": "github-actions",
            "repository": repository,
            "workflow": environment.get("GITHUB_WORKFLOW"),
            "run_id": run_id,
            "run_attempt": environment.get("GITHUB_RUN_ATTEMPT"),
            "ref": environment.get("GITHUB_REF"),
            "sha": environment.get("GITHUB_SHA"),
            "url": f"{server}/{repository}/actions/runs/{run_id}",
        },
    }


def _login() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        return None


# A record is a few hundred bytes: its engine, versions and the deployment's settings.
ENGINE = Kind("the synthesis record", "json", "engine", max_bytes=64 * 1024, remedy=": synthesize the plan again")


def engine_record(plan_path: Path) -> dict[str, Any] | None:
    """Which engine wrote the plan, its versions and inputs, from the record beside it (None when there is
    none); a record that is there but is not one is a UsageError."""
    path = Path(plan_path).parent / ENGINE_RECORD
    return documents.read(path, ENGINE) if path.exists() else None


def git(*args: str) -> str | None:
    """A git command's output in the project, or None when git or the checkout is missing."""
    try:
        result = subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10)
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _dirty() -> bool | None:
    status = git("status", "--porcelain")
    return None if status is None else bool(status)
