"""A content-addressed cache of synthesized plans.

The key covers everything that can change a plan: the stack's sources, the config
(suffix, profile, region, certificate), the engine (cdktf or cdktn) and, as installed
where it runs, its Python minor version and the versions of its core, provider
bindings, jsii and constructs. A run whose key is cached reads the plan and never
imports the engine; a changed key synthesizes once, under a file lock, so parallel
test workers and concurrent runs wait for that one synth instead of repeating it.
Entries are written to a staging folder and renamed into place, so no reader ever
sees half a plan.

Location: `.cache/plans/` in the project (or $TAP_CACHE_DIR). Clear it with
`make clean` or by deleting the folder; a stale entry is never read, only left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from filelock import FileLock, Timeout

from stack.config import Config
from stack.contract import ENGINE_RECORD, PROJECT_ROOT
from stack.engines import Engine, select_engine
from tap.errors import UsageError
from tap.synth.runner import engine_versions, plan_path, stop_synths, synthesize_all

CACHE_VARIABLE = "TAP_CACHE_DIR"
STACK_SOURCES = PROJECT_ROOT / "stack"
ENTRIES_KEPT = 16
# The names the cache gives its entries and their staging folders: nothing else in the folder is touched.
ENTRY_NAME = re.compile(r"[0-9a-f]{32}")
STAGING_NAME = re.compile(r"\.([0-9a-f]{32})-\w+")
# A process per core by default; a run that scans each plan as it is written keeps the other core for that.
SYNTH_PROCESSES = max(1, min(2, os.cpu_count() or 1))


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_VARIABLE, PROJECT_ROOT / ".cache" / "plans"))


def cache_key(config: Config, engine: Engine, sources: Path | None = None) -> str:
    """The plan's key: `sources` is a folder of the stack's sources (by default this checkout's)."""
    sources = sources or STACK_SOURCES
    digest = hashlib.sha256()
    for source in sorted(sources.rglob("*.py")):
        digest.update(source.relative_to(sources).as_posix().encode())
        digest.update(hashlib.sha256(source.read_bytes()).digest())
    digest.update(json.dumps(config.to_env(), sort_keys=True).encode())
    digest.update(engine.name.encode())
    digest.update(json.dumps(engine_versions(engine), sort_keys=True).encode())
    return digest.hexdigest()[:32]


def cached_plan(config: Config, engine: Engine | None = None, source_root: Path | None = None) -> Path:
    """The path of `config`'s plan by `engine` (default: the selected one), synthesized only when no run has yet.

    `source_root` is a checkout holding the stack's sources (by default this one; tap audit passes a
    commit's, to learn whether a plan is the one that commit makes).
    """
    return cached_plans_of([config], engine, source_root)[0]


def is_cached(config: Config, engine: Engine | None = None) -> bool:
    """Whether a run has synthesized the plan of `config` by `engine` (default: the selected one)."""
    engine = engine or select_engine()
    return is_sound(cache_dir() / cache_key(config, engine), config, engine)


def cached_plans_of(
    configs: list[Config],
    engine: Engine | None = None,
    source_root: Path | None = None,
    ready: Callable[[Path], None] | None = None,
    processes: int = SYNTH_PROCESSES,
) -> list[Path]:
    """The plans of several deployments: those no run has synthesized yet, shared over up to `processes`
    synth processes (each importing the engine once), under the lock of each, taken in key order (no two
    runs wait on each other). `ready(plan)` is called for each plan as soon as it is in the cache, while
    the rest are being made. An entry that is not whole and right is never served: it is made again."""
    engine = engine or select_engine()
    ready = ready or (lambda plan: None)
    root = cache_dir()
    keys = [cache_key(config, engine, source_root / "stack" if source_root else None) for config in configs]
    by_key = dict(zip(keys, configs, strict=True))
    plans = {key: plan_path(root / key, config) for key, config in by_key.items()}
    missing = {key: config for key, config in by_key.items() if not is_sound(root / key, config, engine)}
    for key in [key for key in plans if key not in missing]:
        _touch(root / key)  # the newest entries are kept: one in use is among them
        ready(plans[key])
    if missing:
        try:
            root.mkdir(parents=True, exist_ok=True)
            with contextlib.ExitStack() as held:
                for key in sorted(missing):
                    held.enter_context(FileLock(root / f"{key}.lock"))
                _prune_orphans(root, held=set(missing))
                _synthesize_missing(missing, plans, engine, source_root or PROJECT_ROOT, ready, processes)
            _prune(root)
        except OSError as error:
            raise UsageError(
                f"cannot write the plan cache {root}: {error.strerror or error}; "
                f"set {CACHE_VARIABLE} to a writable folder"
            ) from None
    return [plans[key] for key in keys]


def is_sound(entry: Path, config: Config, engine: Engine) -> bool:
    """Whether a cache entry is whole and of this deployment and engine: its plan, an object naming the
    stack, and the engine's record of it. Anything else (a half-written, hand-edited or foreign entry)
    would be served as the plan, so it is rebuilt instead."""
    plan = plan_path(entry, config)
    try:
        document = json.loads(plan.read_bytes())
        record = json.loads((plan.parent / ENGINE_RECORD).read_bytes())
    except (OSError, ValueError, RecursionError):
        return False
    return (
        isinstance(document, dict)
        and isinstance(document.get("//"), dict)
        and isinstance(document["//"].get("metadata"), dict)
        and document["//"]["metadata"].get("stackName") == config.stack_name
        and record == {"name": engine.name, "versions": engine_versions(engine), "inputs": config.to_env()}
    )


def _synthesize_missing(
    missing: dict[str, Config],
    plans: dict[str, Path],
    engine: Engine,
    source_root: Path,
    ready: Callable,
    processes: int,
) -> None:
    """Synthesize each missing plan into a staging folder, moved into the cache whole as soon as it is written.
    Called under the plans' locks; another process may have made some of them while we waited."""
    root = cache_dir()
    for key in list(missing):
        if is_sound(root / key, missing[key], engine):
            del missing[key]
            ready(plans[key])
        elif os.path.lexists(root / key):
            _remove(root, key)
    stagings = {key: _new_staging(root, key) for key in missing}
    keys = {str(staging): key for key, staging in stagings.items()}

    def place(_config: Config, staging: Path) -> None:
        key = keys[str(staging)]
        os.replace(stagings.pop(key), root / key)
        ready(plans[key])

    deployments = [(missing[key], staging) for key, staging in stagings.items()]
    shares = [share for index in range(max(1, processes)) if (share := deployments[index::processes])]
    pool = ThreadPoolExecutor(max_workers=max(1, len(shares)))
    try:
        for synthesized in [pool.submit(synthesize_all, share, engine, source_root, place) for share in shares]:
            synthesized.result()
        for key in list(stagings):  # an engine that did not say when each was written
            place(missing[key], stagings[key])
    except KeyboardInterrupt:  # and SIGTERM (tap.errors.Terminated): the process is ending
        stop_synths()  # no synth may go on writing into a staging folder removed below
        raise
    finally:
        pool.shutdown()
        for staging in stagings.values():
            shutil.rmtree(staging, ignore_errors=True)


def _new_staging(root: Path, key: str) -> Path:
    """A staging folder of `key`'s entry: made and removed under the key's lock, so one found while the
    lock is free was left by a process that was killed (see _prune_orphans)."""
    return Path(tempfile.mkdtemp(dir=root, prefix=f".{key}-"))


def _remove(root: Path, key: str) -> None:
    """Take a broken entry out of the cache: renamed aside first, so no reader meets half of it."""
    entry = root / key
    if entry.is_dir() and not entry.is_symlink():
        aside = _new_staging(root, key)
        os.replace(entry, aside)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        entry.unlink()


def _prune_orphans(root: Path, held: set[str]) -> None:
    """Remove the staging folders of killed processes: those whose key's lock is free, or held by us."""
    for staging in root.iterdir():
        named = STAGING_NAME.fullmatch(staging.name)
        if not named or not staging.is_dir() or staging.is_symlink():
            continue
        key = named.group(1)
        if key in held:
            shutil.rmtree(staging, ignore_errors=True)
            continue
        try:
            with FileLock(root / f"{key}.lock", timeout=0):
                shutil.rmtree(staging, ignore_errors=True)
        except Timeout:
            pass  # a live process is writing it


def _touch(entry: Path) -> None:
    with contextlib.suppress(OSError):  # pruned meanwhile: the plan is read below, and its absence said
        os.utime(entry)


def _prune(root: Path) -> None:
    """Keep the newest entries; edits to the stack leave one behind each."""
    entries = sorted((p for p in root.iterdir() if p.is_dir() and ENTRY_NAME.fullmatch(p.name)), key=os.path.getmtime)
    for stale in entries[:-ENTRIES_KEPT]:
        shutil.rmtree(stale, ignore_errors=True)
        (root / f"{stale.name}.lock").unlink(missing_ok=True)
