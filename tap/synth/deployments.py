"""The deployments the synth-time suites assert on, and the mutation campaign mutates.

One per profile as configured by default, and the same profiles declaring an internet
destination (a documentation range): the only deployments with NAT gateways, so the
field report's NAT lessons stay under test. Keyed by the folder name each plan has under
$TAP_PLANS_DIR.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from stack.config import Config
from tap.synth.cache import SYNTH_PROCESSES, cached_plans_of

PROFILE_CONFIGS = {
    "dev": Config(environment_suffix="dev", profile="dev"),
    "prod": Config(environment_suffix="prod", profile="prod"),
}
EGRESS_CONFIGS = {
    profile: dataclasses.replace(config, environment_suffix=f"{profile}-out", internet_egress_cidrs=("203.0.113.0/24",))
    for profile, config in PROFILE_CONFIGS.items()
}
TEST_DEPLOYMENTS = {
    **PROFILE_CONFIGS,
    **{f"{profile}-egress": config for profile, config in EGRESS_CONFIGS.items()},
}


def cached_plans(ready: Callable[[Path], None] | None = None, processes: int = SYNTH_PROCESSES) -> dict[str, Path]:
    """Every test deployment's plan from the cache, the missing ones synthesized once (over up to
    `processes` synth processes); `ready(plan)` as each is in the cache."""
    plans = cached_plans_of(list(TEST_DEPLOYMENTS.values()), ready=ready, processes=processes)
    return dict(zip(TEST_DEPLOYMENTS, plans, strict=True))
