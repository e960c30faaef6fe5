"""A content-addressed cache of what checkov found on a plan, so an unchanged plan is never scanned twice.

The key of a plan's entry covers everything its findings depend on: the plan's bytes, every file of
the policies folder (the policies, their support module, the requirement mapping and the built-ins'
scope), the tool's own code (`tap/**/*.py`: the worker, the folding of expressions, the judgement)
and checkov's version. Waivers are not in it: they are applied to the findings on every run, as
the audit's date is (an expiry is judged as of that day). Entries are whole files written by rename;
one that does not read back whole is a miss, never a result.

Location: `.cache/findings/` in the project (or `$TAP_FINDINGS_CACHE_DIR`); delete it to clear it.
Like the plan cache, it is trusted like the tool's own code.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from stack.contract import PROJECT_ROOT
from tap.audit.redaction import Leak
from tap.errors import UsageError

CACHE_VARIABLE = "TAP_FINDINGS_CACHE_DIR"
TOOL_SOURCES = PROJECT_ROOT / "tap"


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_VARIABLE) or PROJECT_ROOT / ".cache" / "findings")


def inputs_digest(policies: Path, checkov_version: str) -> str:
    """What every plan's findings depend on besides the plan itself."""
    return hashlib.sha256(f"{checkov_version}\n{folder_digest(policies)}\n{tool_digest()}".encode()).hexdigest()


@functools.cache
def tool_digest() -> str:
    """The tool's own code: the worker, the folding of expressions, the judgement, the secret scan."""
    return folder_digest(TOOL_SOURCES)


def folder_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def leaks_of(plan_bytes: bytes, document: dict) -> list[Leak]:
    """The plan's secret-looking literals; a plan found free of them is remembered as such (a plan that
    holds one is scanned again each time: no secret is ever written to the cache)."""
    key = "leaks-" + hashlib.sha256(plan_bytes + f"{tool_digest()}{version('detect-secrets')}".encode()).hexdigest()
    if (read(key[:46]) or {}).get("leak_free") is True:
        return []
    from tap.audit.leaks import find_leaks  # detect-secrets: 80 ms to import, needed only for a plan not seen

    found = find_leaks(document)
    if not found:
        write(key[:46], {"leak_free": True})
    return found


def plan_key(plan_bytes: bytes, inputs: str) -> str:
    return hashlib.sha256(plan_bytes + inputs.encode()).hexdigest()[:40]


def read(key: str) -> dict[str, Any] | None:
    """The cached entry, or None when there is none that reads back whole."""
    try:
        entry = json.loads((cache_dir() / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    return entry if isinstance(entry, dict) and entry.get("key") == key else None


def write(key: str, entry: dict[str, Any]) -> None:
    """Store an entry whole (a temporary file renamed into place); a cache that cannot be written is skipped."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({**entry, "key": key}, handle)
        os.replace(temporary, folder / f"{key}.json")
    except OSError:
        Path(temporary).unlink(missing_ok=True)


@functools.cache
def checkov_version(python: Path) -> str:
    """checkov's version as installed beside `python`: from its distribution's metadata folder, else asked."""
    found = sorted(python.resolve().parent.parent.glob("lib/python3*/site-packages/checkov-*.dist-info"))
    if len(found) == 1:
        return found[0].name.removeprefix("checkov-").removesuffix(".dist-info")
    asked = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('checkov'))"],
        capture_output=True,
        text=True,
    )
    if asked.returncode != 0:
        raise UsageError(f"checkov is not installed for {python}: run `make setup`")
    return asked.stdout.strip()
