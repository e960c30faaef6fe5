"""The cache's lock and staging, with a synth slow enough that every caller overlaps it.

In the full suite only: it sleeps, and the pre-commit suite must not.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tap.synth.cache
from stack.config import Config
from stack.engines import select_engine
from tap.synth.cache import cached_plan, cached_plans_of
from tap.synth.runner import plan_path

PLAN = '{"//": {"metadata": {"stackName": "%s"}}, "resource": {}}'


def write_entry(config: Config, outdir: Path) -> Path:
    """What a synth of `config` writes: a plan naming its stack, and the engine's record beside it."""
    plan = plan_path(outdir, config)
    plan.parent.mkdir(parents=True)
    plan.write_text(PLAN % config.stack_name)
    select_engine().write_record(plan.parent, config.to_env())
    return plan


def test_concurrent_callers_wait_for_one_synth(tmp_path, monkeypatch):
    """Eight callers at once: one synthesizes, the rest read its plan, none sees half of it."""
    monkeypatch.setenv("TAP_CACHE_DIR", str(tmp_path))
    synths = []

    def slow_synth(deployments, engine, source_root, written):
        time.sleep(0.2)  # long enough for every other caller to arrive while it runs
        for config, outdir in deployments:
            synths.append(config.stack_name)
            write_entry(config, outdir)

    monkeypatch.setattr(tap.synth.cache, "synthesize_all", slow_synth)
    with ThreadPoolExecutor(max_workers=8) as pool:
        paths = set(pool.map(lambda _: cached_plan(Config()), range(8)))
    assert synths == ["TapStackdev"]
    (path,) = paths
    assert json.loads(path.read_text())["//"]["metadata"]["stackName"] == "TapStackdev"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_each_plan_is_ready_in_the_cache_as_soon_as_it_is_written(tmp_path, monkeypatch):
    """A cached plan is ready at once; a new one as its synth writes it, moved into the cache before the next."""
    monkeypatch.setenv("TAP_CACHE_DIR", str(tmp_path))
    first, second, third = Config(), Config(environment_suffix="qa"), Config(environment_suffix="uat")
    events = []

    def synth_one_by_one(deployments, engine, source_root, written):
        for config, outdir in deployments:
            write_entry(config, outdir)
            events.append(("written", config.stack_name))
            written(config, outdir)

    def ready(plan):  # in its cache entry, not a staging folder, and there
        in_entry = not plan.relative_to(tmp_path).parts[0].startswith(".")
        events.append(("ready", plan.parent.name, in_entry and plan.is_file()))

    monkeypatch.setattr(tap.synth.cache, "synthesize_all", synth_one_by_one)
    cached_plan(first)
    events.clear()
    paths = cached_plans_of([first, second, third], ready=ready, processes=1)
    assert events == [
        ("ready", first.stack_name, True),
        *(
            event
            for config in (second, third)
            for event in (("written", config.stack_name), ("ready", config.stack_name, True))
        ),
    ]
    assert [plan.parent.name for plan in paths] == [config.stack_name for config in (first, second, third)]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind
