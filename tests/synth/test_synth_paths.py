"""The fast synth path changes nothing, and the cache synthesizes once per run whatever -n is.

These run in the full suite (`make test`), not in pre-commit: they synthesize for real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import EGRESS_CONFIGS, PROFILE_CONFIGS
from stack.config import Config
from stack.contract import PROJECT_ROOT
from stack.runtime import EAGER_IMPORT_VARIABLE
from tap.audit.findings_cache import CACHE_VARIABLE as FINDINGS_CACHE_VARIABLE
from tap.synth.runner import SYNTH_LOG_VARIABLE, plan_path, synthesize, synthesize_all

DEPLOYMENTS = [*PROFILE_CONFIGS.values(), *EGRESS_CONFIGS.values()]


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
    assert stacks == sorted(config.stack_name for config in DEPLOYMENTS)


def test_pre_commit_run_synthesizes_scans_and_judges_each_plan_once(tmp_path):
    """`pytest -m "unit or gate"` with nothing cached: the synth starts beside collection, each plan is
    scanned and judged as it comes, and the gate finds every verdict cached."""
    log = tmp_path / "synths.log"
    findings = tmp_path / "findings"
    env = {
        **os.environ,
        "TAP_CACHE_DIR": str(tmp_path / "cache"),
        FINDINGS_CACHE_VARIABLE: str(findings),
        SYNTH_LOG_VARIABLE: str(log),
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-m", "unit or gate", "-p", "no:cacheprovider"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert sorted(line.split()[1] for line in log.read_text().splitlines()) == sorted(c.stack_name for c in DEPLOYMENTS)
    entries = [json.loads(path.read_text()) for path in findings.glob("*.json")]
    assert len([entry for entry in entries if "findings" in entry]) == len(DEPLOYMENTS)  # one scan each
    assert len([entry for entry in entries if "failures" in entry]) == len(DEPLOYMENTS)  # one verdict each
    assert all(entry["failures"] == [] for entry in entries if "failures" in entry)


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[dict[str, Path], list[tuple[str, bool, list[str]]]]:
    """Every test deployment synthesized in one batch: each plan by stack, and what was on disk each time
    the batch said a plan was written (that plan and its record whole; which plans were not there yet)."""
    folder = tmp_path_factory.mktemp("batch")
    plans = {config.stack_name: plan_path(folder / config.stack_name, config) for config in DEPLOYMENTS}
    seen = []

    def written(config: Config, _outdir: Path) -> None:
        plan = plans[config.stack_name]
        whole = json.loads(plan.read_text()) is not None and (plan.parent / "engine.json").is_file()
        seen.append((config.stack_name, whole, [name for name, later in plans.items() if not later.exists()]))

    synthesize_all([(config, folder / config.stack_name) for config in DEPLOYMENTS], written=written)
    return plans, seen


def test_one_batch_writes_the_same_plans_and_records_as_one_synth_each(batch, tmp_path):
    """The cache synthesizes every missing plan in one process: no app may leak into the next."""
    plans, _ = batch
    with ThreadPoolExecutor(max_workers=2) as pool:
        alone = list(pool.map(lambda config: synthesize(config, tmp_path / config.stack_name), DEPLOYMENTS))
    for config, single in zip(DEPLOYMENTS, alone, strict=True):
        together = plans[config.stack_name]
        assert together.read_bytes() == single.read_bytes(), config.stack_name
        assert (together.parent / "engine.json").read_text() == (single.parent / "engine.json").read_text()


def test_a_batch_says_each_plan_is_written_before_it_makes_the_next(batch):
    plans, seen = batch
    names = list(plans)
    assert seen == [(name, True, names[index + 1 :]) for index, name in enumerate(names)]
