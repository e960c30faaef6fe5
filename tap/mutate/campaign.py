"""A campaign: generate the plan mutants, run them through the unit and policy layers side by side.

Both profiles' plans (and the same profiles with an internet destination, for what only
they hold: NAT gateways, EIPs and their routes) come from the synth cache; nothing is
synthesized per mutant. The unit layer is the project's own synth-time suite in one
pytest process (tap/mutate/unit_layer.py), the policy layer one batched checkov scan
(tap/mutate/policy_layer.py); the two run at once.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from stack.contract import PROJECT_ROOT
from tap.errors import UsageError
from tap.mutate.model import Outcome
from tap.mutate.plan_mutants import PlanMutant, address_of, blocks, generate
from tap.mutate.policy_layer import policy_verdicts
from tap.mutate.preflight_layer import preflight_verdicts
from tap.mutate.unit_layer import MUTANTS_IN, MUTANTS_OUT
from tap.plan import Plan
from tap.synth.deployments import cached_plans

UNIT_SUITE = [sys.executable, "-m", "pytest", "-m", "unit", "tests/unit", "-q", "-p", "no:cacheprovider"]
# The layer's own plugin, and none of pytest's per-test capture and warning bookkeeping: thousands of reruns.
UNIT_PLUGINS = ["-p", "tap.mutate.unit_layer", "-s", "-p", "no:logging", "-p", "no:warnings"]


def plan_documents() -> dict[str, dict]:
    """Every test deployment's plan (synthesized once, then from the cache), by deployment name."""
    return {name: Plan.load(path).document for name, path in cached_plans().items()}


def plan_mutants(documents: dict[str, dict], sample: int | None = None, seed: int = 0) -> list[PlanMutant]:
    """Every block of the profiles' plans; of a variant's plan, only the blocks its profile's plan lacks."""
    mutants = []
    for deployment, document in documents.items():
        profile, _, variant = deployment.partition("-")
        only = None
        if variant:
            shared = {address_of(*block[:3]) for block in blocks(documents[profile])}
            only = {address_of(*block[:3]) for block in blocks(document)} - shared
        mutants += generate(document, deployment, only)
    if sample is not None:
        mutants = random.Random(seed).sample(mutants, min(sample, len(mutants)))
    return mutants


def run_plan_layers(mutants: list[PlanMutant], documents: dict[str, dict]) -> tuple[list[Outcome], dict[str, float]]:
    """Each mutant's verdict from the unit, policy and preflight layers, and each layer's wall time.

    Preflight judges only the mutants of what it reads: the others have no preflight verdict.
    """
    with tempfile.TemporaryDirectory(prefix="tap-mutate-") as folder, ThreadPoolExecutor(max_workers=3) as pool:
        layers = {
            "unit": pool.submit(_timed, unit_verdicts, mutants, Path(folder)),
            "policy": pool.submit(_timed, policy_verdicts, documents, mutants, Path(folder) / "policy"),
            "preflight": pool.submit(_timed, preflight_verdicts, documents, mutants),
        }
        results = {layer: future.result() for layer, future in layers.items()}
    outcomes = [
        Outcome(
            item.mutant,
            {layer: killers[item.mutant.id] for layer, (killers, _) in results.items() if item.mutant.id in killers},
        )
        for item in mutants
    ]
    return outcomes, {layer: seconds for layer, (_, seconds) in results.items()}


def _timed(function, *arguments):
    started = time.perf_counter()
    result = function(*arguments)
    return result, time.perf_counter() - started


def unit_verdicts(mutants: list[PlanMutant], folder: Path) -> dict[str, str | None]:
    """{mutant id: the unit test that failed, or None}, from one run of the unit suite."""
    given, verdicts = folder / "unit-mutants.pickle", folder / "unit-verdicts.json"
    given.write_bytes(pickle.dumps(mutants))
    # The suite must read the very plans the mutants were made from: the cache's, never $TAP_PLANS_DIR's.
    env = {key: value for key, value in os.environ.items() if key != "TAP_PLANS_DIR"}
    env.update({MUTANTS_IN: str(given), MUTANTS_OUT: str(verdicts)})
    result = subprocess.run(
        [*UNIT_SUITE, *UNIT_PLUGINS], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0 or not verdicts.exists():
        tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
        raise UsageError(f"the unit layer could not judge the mutants: {' / '.join(tail) or 'no output'}")
    found = json.loads(verdicts.read_text(encoding="utf-8"))
    missing = [item.mutant.id for item in mutants if item.mutant.id not in found]
    if missing:
        raise UsageError(f"the unit layer gave no verdict on {len(missing)} mutants, e.g. {missing[0]}")
    return found
