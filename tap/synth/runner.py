"""Synthesize the stack: the one path `tap synth`, the tests and `cdktf synth` share.

The synth runs `python -m stack.app` (the `app` of cdktf.json) in a child process
with the deployment's environment, so the plan the tests assert on is the plan
users deploy, and no cdktf import ever lands in the calling process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from stack.config import Config
from stack.contract import PROJECT_ROOT
from stack.runtime import prepare_node
from tap.errors import UsageError

DEFAULT_OUTDIR = PROJECT_ROOT / "cdktf.out"
# When set, each synth appends a line here: how benchmarks count the synths that ran.
SYNTH_LOG_VARIABLE = "TAP_SYNTH_LOG"


def plan_path(outdir: Path, config: Config) -> Path:
    return Path(outdir) / "stacks" / config.stack_name / "cdk.tf.json"


def synthesize(config: Config, outdir: Path = DEFAULT_OUTDIR, extra_env: dict[str, str] | None = None) -> Path:
    """Write the plan of `config` under `outdir` and return its path."""
    env = {**os.environ, **(extra_env or {}), **config.to_env(), "CDKTF_OUTDIR": str(outdir)}
    prepare_node(env)
    result = subprocess.run(
        [sys.executable, "-m", "stack.app"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageError(f"synth of {config.stack_name} failed: {detail}")
    if os.environ.get(SYNTH_LOG_VARIABLE):
        with open(os.environ[SYNTH_LOG_VARIABLE], "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {config.stack_name}\n")
    return plan_path(outdir, config)
