"""The fast synth path changes nothing, and the cache synthesizes once per run whatever -n is.

These run in the full suite (`make test`), not in pre-commit: they synthesize for real.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import EGRESS_CONFIGS, PROFILE_CONFIGS
from stack.contract import PROJECT_ROOT
from stack.runtime import EAGER_IMPORT_VARIABLE
from tap.synth.runner import SYNTH_LOG_VARIABLE, synthesize, synthesize_all


@pytest.mark.parametrize("profile", list(PROFILE_CONFIGS))
def test_fast_import_writes_the_same_plan_as_eager_import(profile, tmp_path):
    config = PROFILE_CONFIGS[profile]
    with ThreadPoolExecutor(max_workers=2) as pool:
        fast = pool.submit(synthesize, config, tmp_path / "fast")
        eager = pool.submit(synthesize, config, tmp_path / "eager", {EAGER_IMPORT_VARIABLE: "1"})
        assert fast.result().read_bytes() == eager.result().read_bytes()


def test_parallel_unit_run_synthesizes_each_plan_once(tmp_path):
    log = tmp_path / "synths.log"
    env = {**os.environ, "TAP_CACHE_DIR": str(tmp_path / "cache"), SYNTH_LOG_VARIABLE: str(log)}
    for _ in range(2):  # cold, then warm: the second run must not synthesize at all
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-n", "2", "-m", "unit", "-p", "no:cacheprovider"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout[-2000:]
    stacks = sorted(line.split()[1] for line in log.read_text().splitlines())
    # Each test deployment once: both profiles, as configured and with an internet destination declared.
    deployments = [*PROFILE_CONFIGS.values(), *EGRESS_CONFIGS.values()]
    assert stacks == sorted(config.stack_name for config in deployments)


def test_one_batch_writes_the_same_plans_and_records_as_one_synth_each(tmp_path):
    """The cache synthesizes every missing plan in one process: no app may leak into the next."""
    deployments = [*PROFILE_CONFIGS.values(), *EGRESS_CONFIGS.values()]
    batch = synthesize_all([(config, tmp_path / "batch" / config.stack_name) for config in deployments])
    with ThreadPoolExecutor(max_workers=2) as pool:
        alone = list(pool.map(lambda config: synthesize(config, tmp_path / "alone" / config.stack_name), deployments))
    for together, single in zip(batch, alone, strict=True):
        assert together.read_bytes() == single.read_bytes(), together.parent.name
        assert (together.parent / "engine.json").read_text() == (single.parent / "engine.json").read_text()
