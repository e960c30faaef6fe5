"""The plan cache never serves a plan its key does not describe: the synth sees nothing of the caller's
environment that its key leaves out, a broken entry is made again, and what a killed run left is pruned.

In the full suite only: some synthesize for real.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import tap.synth.cache
from stack.config import Config, ConfigError
from stack.contract import ENGINE_RECORD
from stack.engines import ENGINES, select_engine
from tap.synth.cache import cache_key, cached_plan
from tap.synth.runner import engine_versions

DEV = Config(environment_suffix="dev", profile="dev")
HOLD_LOCK = "import sys, filelock; lock = filelock.FileLock(sys.argv[1]); lock.acquire(); print(); sys.stdin.read()"


@pytest.fixture(scope="module")
def good() -> Path:
    """The dev plan, from the project's cache."""
    return cached_plan(DEV)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("TAP_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def synths(good, monkeypatch) -> list[str]:
    """Each synth writes what a real one does (the good entry's files), and is counted."""
    made = []

    def synthesize_all(deployments, engine, source_root, written):
        for config, outdir in deployments:
            made.append(config.stack_name)
            shutil.copytree(good.parents[2], outdir, dirs_exist_ok=True)
            written(config, outdir)

    monkeypatch.setattr(tap.synth.cache, "synthesize_all", synthesize_all)
    return made


def test_engine_variables_in_the_environment_do_not_change_the_plan(good, tmp_path):
    """Variables the engine (cdktf, jsii, Node) reads, set to change the plan or run code of their own."""
    ran = tmp_path / "hostile-code-ran"
    hostile = tmp_path / "hostile.js"
    hostile.write_text(f"require('fs').writeFileSync({json.dumps(str(ran))}, 'ran')\n")
    env = {
        **os.environ,
        "TAP_CACHE_DIR": str(tmp_path / "cache"),
        "SYNTH_HCL_OUTPUT": "true",
        "CDKTF_CONTEXT_JSON": json.dumps({"excludeStackIdFromLogicalIds": "true", "allowSepCharsInLogicalIds": "true"}),
        "CDKTF_OUTDIR": str(tmp_path / "elsewhere"),
        "JSII_NODE": "/bin/false",
        "NODE_OPTIONS": f"--require={hostile}",
    }
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "tap.cli", "synth", "--outdir", str(out)], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    plan = out / good.relative_to(good.parents[2])
    assert plan.read_bytes() == good.read_bytes()
    assert (plan.parent / ENGINE_RECORD).read_bytes() == (good.parent / ENGINE_RECORD).read_bytes()
    assert not ran.exists() and not (tmp_path / "elsewhere").exists()


def test_another_engines_versions_are_read_as_its_synth_runs(tmp_path, monkeypatch):
    """The key holds the versions the synth imports: a PYTHONPATH the synth never sees changes neither."""
    cdktn = ENGINES["cdktn"]
    try:
        cdktn.python()
    except ConfigError:
        pytest.skip("CDK Terrain is not installed (make setup ENGINE=cdktn)")
    expected = engine_versions.__wrapped__(cdktn)
    planted = tmp_path / "constructs-99.0.0.dist-info"
    planted.mkdir()
    (planted / "METADATA").write_text("Metadata-Version: 2.1\nName: constructs\nVersion: 99.0.0\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    assert engine_versions.__wrapped__(cdktn) == expected


def _truncated(plan: Path) -> None:
    plan.write_bytes(plan.read_bytes()[: plan.stat().st_size // 2])


def _folder_for_plan(plan: Path) -> None:
    plan.unlink()
    plan.mkdir()


def _record(**record) -> Callable[[Path], None]:
    return lambda plan: (plan.parent / ENGINE_RECORD).write_text(json.dumps(record))


def _other_stack(plan: Path) -> None:
    document = json.loads(plan.read_text())
    document["//"]["metadata"]["stackName"] = "TapStackprod"
    plan.write_text(json.dumps(document))


def _file_for_entry(plan: Path) -> None:
    entry = plan.parents[2]
    shutil.rmtree(entry)
    entry.write_text("not an entry")


BREAKAGES = {
    "truncated plan": _truncated,
    "no plan": Path.unlink,
    "a folder for the plan": _folder_for_plan,
    "no engine record": lambda plan: (plan.parent / ENGINE_RECORD).unlink(),
    "engine record of a name only": _record(name="cdktf"),
    "engine record of another deployment": _record(name=select_engine().name, versions={}, inputs={}),
    "plan of another stack": _other_stack,
    "a file for the entry": _file_for_entry,
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_broken_cache_entry_is_made_again_never_served(breakage, good, cache, synths):
    entry = cache / cache_key(DEV, select_engine())
    shutil.copytree(good.parents[2], entry)
    BREAKAGES[breakage](entry / good.relative_to(good.parents[2]))
    plan = cached_plan(DEV)
    assert synths == [DEV.stack_name]
    assert plan.read_bytes() == good.read_bytes()
    assert (plan.parent / ENGINE_RECORD).read_bytes() == (good.parent / ENGINE_RECORD).read_bytes()
    assert sorted(path.name for path in cache.iterdir()) == sorted([entry.name, f"{entry.name}.lock"])


def test_a_sound_cache_entry_is_served_without_a_synth(good, cache, synths):
    shutil.copytree(good.parents[2], cache / cache_key(DEV, select_engine()))
    assert cached_plan(DEV).read_bytes() == good.read_bytes()
    assert synths == []


def test_staging_folders_of_killed_runs_are_pruned_but_not_a_live_ones(cache, synths):
    """A staging folder is made and removed under its key's lock: found with the lock free, its run was killed."""
    cache.mkdir()
    other_key = "0" * 32
    orphans = [cache / f".{cache_key(DEV, select_engine())}-killed", cache / f".{other_key}-killed"]
    live = cache / f".{'1' * 32}-running"
    for staging in (*orphans, live):
        (staging / "stacks").mkdir(parents=True)
    holder = subprocess.Popen(  # a run of another key, still synthesizing: it holds that key's lock
        [sys.executable, "-c", HOLD_LOCK, str(cache / f"{live.name[1:33]}.lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        holder.stdout.readline()  # the lock is held
        cached_plan(DEV)
    finally:
        holder.communicate("")
    assert [staging.exists() for staging in orphans] == [False, False]
    assert live.exists()
