"""The cache's lock and staging, with a synth slow enough that every caller overlaps it.

In the full suite only: it sleeps, and the pre-commit suite must not.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import tap.synth.cache
from stack.config import Config
from tap.synth.cache import cached_plan


def test_concurrent_callers_wait_for_one_synth(tmp_path, monkeypatch):
    """Eight callers at once: one synthesizes, the rest read its plan, none sees half of it."""
    monkeypatch.setenv("TAP_CACHE_DIR", str(tmp_path))
    synths = []

    def slow_synth(deployments, engine, source_root):
        time.sleep(0.2)  # long enough for every other caller to arrive while it runs
        for config, outdir in deployments:
            synths.append(config.stack_name)
            plan = outdir / "stacks" / config.stack_name / "cdk.tf.json"
            plan.parent.mkdir(parents=True)
            plan.write_text('{"resource": {}}')

    monkeypatch.setattr(tap.synth.cache, "synthesize_all", slow_synth)
    with ThreadPoolExecutor(max_workers=8) as pool:
        paths = set(pool.map(lambda _: cached_plan(Config()), range(8)))
    assert synths == ["TapStackdev"]
    (path,) = paths
    assert path.read_text() == '{"resource": {}}'
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind
