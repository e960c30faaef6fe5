"""The mutation campaign's throughput: mutants per second in each layer, and the campaign's wall time.

    python -m bench.mutate_bench [--sample N] [--seed S]      (make bench-mutate: the full campaign)

Target: the whole campaign, both profiles, plan and account mutants, in 15 minutes or
less on a 2-core machine. The unit and policy layers run side by side (one process
each, the policy layer's checkov in two shards), then the live layer; each layer's rate
is its mutants over its own wall time, so the rates are measured in the same run, under
the same load, which is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from tap.mutate.command import run_mutate

TARGET_SECONDS = 15 * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="mutants of each kind (default: every one)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "mutation.json"
        run_mutate(out, sample=args.sample, seed=args.seed)
        result = json.loads(out.read_text())
    seconds = result["campaign"]["seconds"]
    counts = {kind: score["mutants"] for kind, score in result["scores"].items()}
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (2 cores)")
    for layer, kind in (("unit", "plan"), ("policy", "plan"), ("live", "account")):
        if layer in seconds and counts.get(kind):
            rate = counts[kind] / seconds[layer]
            print(f"{layer:7} {counts[kind]:5} mutants in {seconds[layer]:6.1f} s: {rate:6.2f} /s")
    verdict = "within" if seconds["wall"] <= TARGET_SECONDS else "OVER"
    print(f"campaign wall time {seconds['wall']:.0f} s: {verdict} the {TARGET_SECONDS // 60}-minute target")


if __name__ == "__main__":
    main()
