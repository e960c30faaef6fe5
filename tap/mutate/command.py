"""`tap mutate`: run the campaign, print each layer's score, the matrix and every survivor; write the JSON.

Exit 0 when every survivor is explained (and, for a full campaign, every score meets its
target); 1 otherwise; 2 on bad input.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

from tap.audit.bundle import load_private_key
from tap.console import say
from tap.files import check_can_create, write_atomically
from tap.mutate import report, survivors
from tap.mutate.campaign import plan_documents, plan_mutants, run_plan_layers

KINDS = ("plan", "account")


def run_mutate(
    out: Path,
    kinds: Sequence[str] = KINDS,
    sample: int | None = None,
    seed: int = 0,
    survivors_file: Path = survivors.SURVIVORS_FILE,
    sign_key: Path | None = None,
    engine: str = "translator",
) -> int:
    check_can_create(out, "campaign result")
    key = load_private_key(sign_key) if sign_key else None
    explanations = survivors.read(survivors_file)  # bad input stops before minutes of work
    started = time.perf_counter()
    outcomes, seconds = [], {}
    if "plan" in kinds:
        documents = plan_documents()
        found, seconds = run_plan_layers(plan_mutants(documents, sample, seed), documents)
        outcomes += found
    if "account" in kinds:
        from tap.mutate.account import run_account_campaign

        account_started = time.perf_counter()
        outcomes += run_account_campaign(sample=sample, seed=seed, engine=engine)
        seconds["live"] = time.perf_counter() - account_started
    seconds["wall"] = time.perf_counter() - started
    campaign = {
        "kinds": list(kinds),
        "sample": sample,
        "seed": seed,
        "rehearsal": engine,
        "seconds": _rounded(seconds),
        "suite_sha256": report.suite_digest(survivors_file),
    }
    result = report.result(outcomes, explanations, campaign)
    write_atomically(out, json.dumps(result, indent=2) + "\n", "campaign result")
    if key is not None:
        report.seal(out, key)
    problems = report.failures(result, full=sample is None)
    say(
        *report.text(result),
        "",
        f"{len(outcomes)} mutants in {seconds['wall']:.0f} s; result in {out}",
        *(f"FAIL: {problem}" for problem in problems),
    )
    return 1 if problems else 0


def _rounded(seconds: dict[str, float]) -> dict[str, float]:
    return {layer: round(value, 1) for layer, value in seconds.items()}
