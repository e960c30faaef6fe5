"""Times the account campaign (tap/mutate/account.py) and prints its score and survivors.

.venv/bin/python bench/mutate_account_bench.py [--profiles dev,prod] [--sample N] [--seed S] [--lanes L]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from tap.mutate.account import run_account_campaign
from tap.mutate.model import LESSONS, Outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", default="dev,prod")
    parser.add_argument("--sample", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lanes", type=int, default=2)
    arguments = parser.parse_args()
    profiles = tuple(arguments.profiles.split(","))
    started = time.monotonic()
    outcomes = run_account_campaign(profiles, sample=arguments.sample, seed=arguments.seed, lanes=arguments.lanes)
    wall = time.monotonic() - started
    survivors = [outcome for outcome in outcomes if outcome.survived]
    per_profile = Counter(outcome.mutant.deployment for outcome in outcomes)
    print(
        f"mutants: {len(outcomes)} ({', '.join(f'{p} {n}' for p, n in per_profile.items())}), lanes {arguments.lanes}"
    )
    print(f"wall time: {wall:.0f} s, {len(outcomes) / wall:.2f} live runs per second (provisioning included)")
    killed = len(outcomes) - len(survivors)
    print(f"killed: {killed}/{len(outcomes)} ({100 * killed / max(len(outcomes), 1):.1f}%)")
    for row, members in _rows(outcomes).items():
        caught = sum(not outcome.survived for outcome in members)
        print(f"  {row:<40} {caught:>4}/{len(members):<4} {100 * caught / len(members):5.1f}%")
    print(f"survivors ({len(survivors)}):")
    for outcome in survivors:
        print(f"  {outcome.mutant.id} [{outcome.mutant.category}]")


def _rows(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    """The matrix's live column: outcomes by category, then by the field report's lesson."""
    rows: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        rows.setdefault(outcome.mutant.category, []).append(outcome)
    for outcome in outcomes:
        if outcome.mutant.lesson:
            rows.setdefault(f"lesson {outcome.mutant.lesson}: {LESSONS[outcome.mutant.lesson]}", []).append(outcome)
    return rows


if __name__ == "__main__":
    main()
