"""Synthesize the stack: the one path `tap synth`, the tests and `cdktf synth` share.

The synth runs `python -m stack.app` (the `app` of cdktf.json) in a child process
with the deployment's environment, so the plan the tests assert on is the plan
users deploy, and no engine import ever lands in the calling process. The child is
the engine's own interpreter: this one for the engine installed here (cdktf in
.venv), `.venv-cdktn/bin/python` for CDK Terrain (see stack/engines.py).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from stack.config import Config
from stack.contract import PROJECT_ROOT, stack_folder
from stack.engines import ENGINE_VARIABLE, Engine, select_engine
from stack.runtime import EAGER_IMPORT_VARIABLE, prepare_node
from tap.errors import UsageError

DEFAULT_OUTDIR = PROJECT_ROOT / "cdktf.out"
# When set, each synth appends a line here: how benchmarks count the synths that ran.
SYNTH_LOG_VARIABLE = "TAP_SYNTH_LOG"
# All a synth process is given of the caller's environment: where programs are, its home (jsii's
# assembly cache) and temporary folder, its language, and how to import the provider (the same plan
# either way: tests/synth).
PASSED_VARIABLES = ("PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", EAGER_IMPORT_VARIABLE)
# The synth processes running, so that an interrupted caller can stop them (stop_synths).
_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()
_PRINT_VERSIONS = "import json, sys, stack.engines as e; print(json.dumps(e.ENGINES[sys.argv[1]].versions()))"


def plan_path(outdir: Path, config: Config) -> Path:
    return stack_folder(outdir, config.stack_name) / "cdk.tf.json"


@functools.cache
def engine_versions(engine: Engine) -> dict[str, str]:
    """The engine's Python and distribution versions, as installed where it runs (asked once per process)."""
    python = engine.python()
    if python == sys.executable:
        return engine.versions()
    result = subprocess.run(  # in the synth's environment: the versions the synth imports
        [python, "-c", _PRINT_VERSIONS, engine.name],
        cwd=PROJECT_ROOT,
        env=synth_environment({}, engine),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageError(f"cannot read {engine.name}'s versions with {python}: {detail}")
    return json.loads(result.stdout)


def synthesize(
    config: Config,
    outdir: Path = DEFAULT_OUTDIR,
    extra_env: dict[str, str] | None = None,
    engine: Engine | None = None,
    source_root: Path = PROJECT_ROOT,
) -> Path:
    """Write the plan of `config` under `outdir` with `engine` (default: the selected one) and return its path.

    The synth runs in `source_root`, whose `stack` package it imports: this checkout, or another's sources.
    """
    engine = engine or select_engine()
    env = {**(extra_env or {}), **config.to_env(), "CDKTF_OUTDIR": str(outdir)}
    _run_app(env, [], None, engine, source_root, [(config, outdir)])
    return plan_path(outdir, config)


def synthesize_all(
    deployments: list[tuple[Config, Path]],
    engine: Engine | None = None,
    source_root: Path = PROJECT_ROOT,
    written: Callable[[Config, Path], None] | None = None,
) -> list[Path]:
    """Write the plans of several deployments, each under its own folder, in one process: the engine is
    imported once (the costly part), then each deployment is an app of its own. `written(config, outdir)`
    is called as each plan is written, while the rest are still being made."""
    engine = engine or select_engine()
    batch = [{"environment": config.to_env(), "outdir": str(outdir)} for config, outdir in deployments]
    by_outdir = {str(outdir): config for config, outdir in deployments}

    def report(line: str) -> None:
        # The app's line for a finished deployment; anything else the engine prints is not one.
        try:
            outdir = json.loads(line)
        except ValueError:
            return
        if written and isinstance(outdir, str) and outdir in by_outdir:
            written(by_outdir[outdir], Path(outdir))

    _run_app({}, ["--batch"], json.dumps(batch), engine, source_root, deployments, report)
    return [plan_path(outdir, config) for config, outdir in deployments]


def synth_environment(settings: dict[str, str], engine: Engine) -> dict[str, str]:
    """The synth process's whole environment: `settings` (the deployment's, the output folder), the engine,
    the Node settings stack/runtime.py makes, and of this process's only PASSED_VARIABLES. The engine
    reads many more (SYNTH_HCL_OUTPUT, CDKTF_*, JSII_*, NODE_OPTIONS, PYTHONPATH...) that would change
    the plan without changing its cache key."""
    env = {name: os.environ[name] for name in PASSED_VARIABLES if name in os.environ}
    prepare_node(env)
    return {**env, **settings, ENGINE_VARIABLE: engine.name}


def stop_synths() -> None:
    """Stop every synth process this one started: an interrupted caller must not leave one writing on."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for process in running:
        _kill(process)


def _kill(process: subprocess.Popen) -> None:
    """Kill the synth and Node, its child, which writes the plan: the synth's process group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _run_app(
    settings: dict[str, str],
    arguments: list[str],
    stdin: str | None,
    engine: Engine,
    source_root: Path,
    deployments: list[tuple[Config, Path]],
    report: Callable[[str], None] = lambda line: None,
) -> None:
    configs, outdirs = [config for config, _ in deployments], [outdir for _, outdir in deployments]
    for folder in outdirs:  # the engine makes one level of folder, not its parents
        Path(folder).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            [engine.python(), "-m", "stack.app", *arguments],
            cwd=source_root,
            env=synth_environment(settings, engine),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            process_group=0,  # with Node, which it starts: stopped together (see _kill)
        )
        with _RUNNING_LOCK:
            _RUNNING.add(process)
        try:
            with process:
                try:
                    process.stdin.write(stdin or "")
                    process.stdin.close()
                    for line in process.stdout:
                        report(line)
                except BaseException:
                    _kill(process)  # interrupted: the synth stops before its folder is removed
                    raise
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(process)
        stderr.seek(0)
        detail = (stderr.read().decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
    if process.returncode != 0:
        stacks = ", ".join(config.stack_name for config in configs)
        raise UsageError(f"synth of {stacks} with {engine.name} failed: {detail}")
    if os.environ.get(SYNTH_LOG_VARIABLE):
        with open(os.environ[SYNTH_LOG_VARIABLE], "a", encoding="utf-8") as log:
            log.writelines(f"{os.getpid()} {config.stack_name} {engine.name}\n" for config in configs)
