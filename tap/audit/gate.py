"""The policies at commit time: every plan the stack makes, judged as `tap audit` would, from a cache.

What is judged is the checkout about to be committed: its plans (from the plan cache), its
waivers (the plans' own declarations and waivers.toml), the mapping and the policies. A verdict is
cached under a key of all of them, checkov's version, the tool's code and the day (an expiry is
judged as of today), so a commit that changed none of them pays for no scan.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from pathlib import Path

from stack.config import environments
from tap.audit import clock, findings_cache
from tap.audit.binding import Binding
from tap.audit.command import DEFAULT_WAIVERS, load_waivers, require_findings
from tap.audit.judgeable import refuse_unjudgeable
from tap.audit.mapping import Mapping
from tap.audit.scan import POLICIES, Scan, Scanner, checkov_python, scan
from tap.audit.verdict import evaluate
from tap.audit.waivers import shown_source
from tap.errors import UsageError
from tap.plan import Plan

# The checkout's own sources are what is being committed: its declarations are the ones under review.
CHECKOUT = Binding(
    True, "the checkout's own sources, about to be committed", None, None, (shown_source(DEFAULT_WAIVERS),)
)


def early_scan(processes: int = 1) -> Scanner | None:
    """A scanner to hand each plan to as it is made: each is judged as soon as its findings are in, while
    the next is scanned, so the gate finds every verdict cached. None when checkov is not set up (the
    gate says so itself when it runs)."""
    try:
        return Scanner(processes, scanned=_judge_early)
    except UsageError:
        return None


def _judge_early(plan: Path) -> None:
    # Only to fill the cache: the gate judges the plan again and says whatever went wrong here.
    with contextlib.suppress(Exception):
        gate([plan])


def gate(plans: list[Path], today: dt.date | None = None) -> dict[Path, list[str]]:
    """Per plan, what would fail its audit (one sentence each); empty lists when every plan passes."""
    today = today or clock.today()
    inputs = findings_cache.inputs_digest(POLICIES, findings_cache.checkov_version(checkov_python()))
    keys = {plan: _key(plan, inputs, today) for plan in plans}
    verdicts = {plan: entry["failures"] for plan in plans if (entry := findings_cache.read(keys[plan])) is not None}
    missing = [plan for plan in plans if plan not in verdicts]
    if missing:
        result = scan(missing, shards=min(2, len(missing)))
        for plan in missing:
            verdicts[plan] = _failures(plan, result, today)
            findings_cache.write(keys[plan], {"failures": verdicts[plan]})
    return verdicts


def _failures(plan_path: Path, result: Scan, today: dt.date) -> list[str]:
    plan = Plan.load(plan_path)
    refuse_unjudgeable(plan, plan_path)
    require_findings(result, plan, plan_path)
    # A test deployment (an egress variant) is judged as its profile's environment: their approvals are its.
    environment = plan.environment if plan.environment in environments() else plan.default_tags.get("Profile")
    declared = load_waivers(plan, None)
    audit = evaluate(
        plan, plan_path, result, declared, Mapping.load(), today, binding=CHECKOUT, environment=environment
    )
    return [
        *(
            f"FAILED {item.check_id} {item.address} ({item.construct_path}): {item.check_name}"
            for item in audit.failures
        ),
        *(f"NOT EVALUATED {item.check_id} {item.address}: {item.reason}" for item in audit.not_evaluated),
        *(f"PROBLEM {problem}" for problem in audit.problems),
    ]


def _key(plan: Path, inputs: str, today: dt.date) -> str:
    waivers = DEFAULT_WAIVERS.read_bytes() if DEFAULT_WAIVERS.exists() else b""
    digest = hashlib.sha256(Path(plan).read_bytes() + waivers + f"{inputs}{today.isoformat()}".encode())
    return "gate-" + digest.hexdigest()[:40]
