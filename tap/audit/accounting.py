"""The audit accounts for its checks: every policy of ours and every built-in it relies on, with how
many resources each judged, and an audit error (never a skip) when one of them could not judge.

A policy file that did not load, a check that raised on a resource, a check the mapping relies on
that checkov does not have, and a check that judged nothing although the plan holds the types it
judges: each would leave a control silently unchecked, so each stops the audit in one sentence.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

from stack.contract import below_project
from tap.audit.judgement import Finding
from tap.audit.mapping import Mapping
from tap.audit.remedies import Remedy, policy_remedy
from tap.audit.scan import Scan
from tap.errors import UsageError
from tap.plan import Plan

# A policy's file name is its id (policies/__init__.py): CKV_PAY_7.py, CKV2_PAY_1.yaml.
POLICY_FILE = re.compile(r"CKV2?_[A-Z]+_\d+\.(py|yaml)")
BUILT_IN = "checkov built-in"


@dataclass(frozen=True)
class CheckAccount:
    check_id: str
    name: str
    origin: str  # the policy file, or "checkov built-in"
    types: tuple[str, ...]  # the block types it judges (patterns allowed)
    judged: dict[str, int]  # findings by status

    @property
    def total(self) -> int:
        return sum(self.judged.values())


def policy_files(folder: Path) -> dict[str, Path]:
    """Every policy in a policies folder, by id."""
    return {path.name.split(".")[0]: path for path in sorted(folder.iterdir()) if POLICY_FILE.fullmatch(path.name)}


def relied_on(scan: Scan, mapping: Mapping) -> dict[str, str]:
    """The checks the audit answers for, by id -> origin: our policies and the built-ins the mapping cites
    (as evidence, or as support only)."""
    ours = {check_id: str(below_project(path) or path) for check_id, path in policy_files(scan.policies).items()}
    built_ins = {check_id: BUILT_IN for check_id in mapping.relied_on if check_id not in ours}
    return {**ours, **built_ins}


def account(scan: Scan, mapping: Mapping, statuses: dict[tuple[str, str], str]) -> list[CheckAccount]:
    """How many resources each relied-on check judged, by status (`statuses`: finding key -> status)."""
    by_check: dict[str, dict[str, int]] = {}
    for (check_id, _), status in statuses.items():
        counts = by_check.setdefault(check_id, {})
        counts[status] = counts.get(status, 0) + 1
    accounts = []
    for check_id, origin in relied_on(scan, mapping).items():
        info = scan.checks.get(check_id)
        name, types = (info.name, info.types) if info else ("not registered", ())
        accounts.append(CheckAccount(check_id, name, origin, types, by_check.get(check_id, {})))
    return accounts


def remedies(folder: Path, mapping: Mapping) -> dict[str, Remedy]:
    """The severity and fix of every check that declares one, by id: our policies' own, the mapping's for built-ins."""
    return {**mapping.remedies, **policy_remedies(folder)}


def policy_remedies(folder: Path) -> dict[str, Remedy]:
    """The severity and fix each policy of a policies folder declares, by id."""
    declared = {check_id: policy_remedy(path) for check_id, path in policy_files(folder).items()}
    return {check_id: found for check_id, found in declared.items() if found}


def refuse_unaccounted(scan: Scan, findings: list[Finding], plan: Plan, plan_path: Path, mapping: Mapping) -> None:
    """An audit error for each way a relied-on check may have judged less than it should: one sentence."""
    if scan.errors:
        others = f" (and {len(scan.errors) - 1} more)" if len(scan.errors) > 1 else ""
        raise UsageError(f"{scan.errors[0]}{others}: the audit cannot vouch for a check that did not run whole")
    judged = {finding.check_id for finding in findings}
    present = block_types(plan)
    for check_id, origin in relied_on(scan, mapping).items():
        if check_id not in scan.checks:
            where = f"the policy {origin}" if origin != BUILT_IN else f"the built-in {check_id} the mapping relies on"
            raise UsageError(f"{where} is not registered with checkov: fix it, the audit does not run without it")
        wanted = [kind for kind in present if any(fnmatch.fnmatchcase(kind, t) for t in scan.checks[check_id].types)]
        if wanted and check_id not in judged:
            raise UsageError(
                f"{check_id} judged nothing in {plan_path} although the plan holds {', '.join(sorted(wanted))}: "
                "a check that did not run cannot pass"
            )


def block_types(plan: Plan) -> set[str]:
    """The block types of a plan as checks name them: resource and data source types, provider names."""
    document = plan.document
    return {*document.get("resource", {}), *document.get("data", {}), *document.get("provider", {})}
