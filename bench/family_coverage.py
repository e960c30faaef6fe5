"""How much of a Terraform JSON plan our policies judge, beside checkov's built-ins.

    python -m bench.family_coverage PLAN [--policies DIR]

Prints the (policy, type) pairs `policies/families.toml` claims, then, for the plan: the resources
some built-in fails, those some policy of ours fails, and per resource type, the types a built-in
fails that no policy of ours judges at all. `--policies` scans with another policies folder (an
older commit's, from `git archive`), to compare.
"""

from __future__ import annotations

import argparse
import tomllib
from collections import Counter
from pathlib import Path

from tap.audit.scan import POLICIES, scan


def claimed_pairs(policies: Path) -> int:
    """How many (policy, type) pairs the folder's families.toml claims (none before there was one)."""
    path = policies / "families.toml"
    families = tomllib.loads(path.read_text())["family"] if path.exists() else []
    return sum(len(family["types"]) for family in families)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path)
    parser.add_argument("--policies", type=Path, default=POLICIES)
    arguments = parser.parse_args()
    plan = arguments.plan.resolve()
    result = scan([plan], policies=arguments.policies.resolve())
    findings = result.findings[plan]
    ours = {finding.address for finding in findings if "_PAY_" in finding.check_id and finding.result == "FAILED"}
    builtin = {
        finding.address for finding in findings if "_PAY_" not in finding.check_id and finding.result == "FAILED"
    }
    # What some policy of ours judges by its type: CKV_PAY_18 reads every resource for secrets, whatever it is.
    judged = {
        finding.address.split(".")[0]
        for finding in findings
        if "_PAY_" in finding.check_id and "*" not in result.checks[finding.check_id].types
    }
    print(f"(policy, type) pairs claimed: {claimed_pairs(arguments.policies)}")
    print(f"resources a built-in fails: {len(builtin)}; ours fail: {len(ours)}")
    print(
        "resources a built-in fails and ours pass, by type:",
        dict(sorted(Counter(address.split(".")[0] for address in builtin - ours).items())),
    )
    unjudged = Counter(address.split(".")[0] for address in builtin if address.split(".")[0] not in judged)
    print("types of the resources a built-in fails that no policy of ours judges:", dict(sorted(unjudged.items())))


if __name__ == "__main__":
    main()
