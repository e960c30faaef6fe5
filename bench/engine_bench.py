"""Side-by-side timings of the two engines: CDKTF (cdktf) and CDK Terrain (cdktn).

    python -m bench.engine_bench [--repeat N]        (make bench-engines)

For each engine, in its own interpreter (.venv, .venv-cdktn):
- importing its two provider packages, and importing what a synth imports (the stack,
  hence the engine's core and the ~60 resource modules the stack builds), each the
  ordinary way (TAP_EAGER_IMPORT=1) and with stack/runtime.py's lazy provider load
  (forced here on either engine, whether or not the synth uses it on that engine);
- a cold synth: `python -m stack.app`, one stack, as the runner starts it;
- a warm `pytest -m unit` (plans in the cache, keyed for that engine).
Imports are timed inside the process (no interpreter start-up): wall time, and the
Python process's own CPU time (jsii's Node process works beside it: the rest of the
wall time is mostly Node loading the provider's assembly). The synth and pytest are
wall time. Engines alternate within each round, so load on the machine hits both
alike; medians are shown, with the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stack.config import Config
from stack.contract import PROJECT_ROOT
from stack.engines import ENGINE_VARIABLE, ENGINES, Engine
from stack.runtime import EAGER_IMPORT_VARIABLE, prepare_node

# Run in the engine's interpreter: time `imports` inside the synth's import context, the lazy
# load on for either engine unless TAP_EAGER_IMPORT=1.
_TIMED_IMPORT = """
import dataclasses, importlib, time
from stack.engines import select_engine
from stack.runtime import fast_provider_imports
engine = dataclasses.replace(select_engine(), eager_providers=True)
wall, cpu = time.perf_counter(), time.process_time()
with fast_provider_imports(engine=engine):
    {imports}
print(time.perf_counter() - wall, time.process_time() - cpu)
"""
IMPORTS = {
    "provider packages": "[importlib.import_module(package) for package in select_engine().providers]",
    "what a synth imports": "import stack.payment_stack",
}
PYTEST = [sys.executable, "-m", "pytest", "-q", "-m", "unit", "-p", "no:cacheprovider"]


def environment(engine: Engine, *, lazy: bool = True, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != EAGER_IMPORT_VARIABLE}
    env.update({ENGINE_VARIABLE: engine.name, **extra})
    if not lazy:
        env[EAGER_IMPORT_VARIABLE] = "1"
    prepare_node(env)
    return env


def run(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall time and standard output of a command that must succeed."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed:\n{result.stdout[-1500:]}{result.stderr[-1500:]}")
    return elapsed, result.stdout


def timed_import(engine: Engine, imports: str, lazy: bool) -> tuple[float, float]:
    """Wall and Python CPU seconds of the imports."""
    _, out = run([engine.python(), "-c", _TIMED_IMPORT.format(imports=imports)], environment(engine, lazy=lazy))
    wall, cpu = out.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def cold_synth(engine: Engine, outdir: Path) -> float:
    env = environment(engine, **Config().to_env(), CDKTF_OUTDIR=str(outdir))
    return run([engine.python(), "-m", "stack.app"], env)[0]


def warm_unit(engine: Engine, cache: Path) -> float:
    return run(PYTEST, environment(engine, TAP_CACHE_DIR=str(cache)))[0]


def measure(engines: list[Engine], repeat: int, scratch: Path) -> dict[str, dict[str, list[float]]]:
    """Row label -> engine name -> timings, engines alternating within each round."""
    rows: dict[str, dict[str, list[float]]] = {}

    def record(label: str, engine: Engine, seconds: float) -> None:
        rows.setdefault(label, {}).setdefault(engine.name, []).append(seconds)

    for engine in engines:  # untimed: fills jsii's assembly cache and each engine's plan cache
        cold_synth(engine, scratch / f"warm-up-{engine.name}")
        warm_unit(engine, scratch / f"cache-{engine.name}")
    for round_ in range(repeat):
        for engine in engines:
            for what, imports in IMPORTS.items():
                for mode, lazy in (("ordinary", False), ("lazy (runtime.py)", True)):
                    wall, cpu = timed_import(engine, imports, lazy)
                    record(f"import {what}, {mode}", engine, wall)
                    record(f"import {what}, {mode}: Python CPU", engine, cpu)
            record("cold synth (python -m stack.app)", engine, cold_synth(engine, scratch / f"{engine.name}-{round_}"))
            record("warm pytest -m unit", engine, warm_unit(engine, scratch / f"cache-{engine.name}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engines = list(ENGINES.values())
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; median of {args.repeat} rounds")
    print("load average before: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory() as scratch:
        rows = measure(engines, args.repeat, Path(scratch))
    print("load average after:  {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(f"{'':<62}" + "".join(f"{engine.name:>10}" for engine in engines))
    for label, by_engine in rows.items():
        print(f"{label:<62}" + "".join(f"{statistics.median(by_engine[e.name]):>8.2f} s" for e in engines))


if __name__ == "__main__":
    main()
