"""The live table: for every resource type the stack plans, how the account shows each attribute.

One module per AWS concern (as in stack/ and tap/live/rehearsal/) contributes its `KINDS`;
`UNOBSERVED_TYPES` names the types no AWS API shows at all, with the reason.
`python -m tap.live.observed` prints the table's size per type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stack.contract import DEPLOYMENT_SUFFIX
from tap.live.observed import (
    compute,
    database,
    dns_firewall,
    edge,
    identity,
    keys_logs_alarms,
    network,
    security_groups,
    ssm,
    storage,
)
from tap.live.observed.table import Kind, Observer

__all__ = ["KINDS", "UNOBSERVED_TYPES", "Kind", "Observer", "observer", "sizes"]
from tap.live.rehearsal.engine import ELB_ACCOUNTS
from tap.plan import Plan

KINDS: Mapping[str, Kind] = {
    **keys_logs_alarms.KINDS,
    **network.KINDS,
    **security_groups.KINDS,
    **compute.KINDS,
    **edge.KINDS,
    **dns_firewall.KINDS,
    **storage.KINDS,
    **database.KINDS,
    **identity.KINDS,
    **ssm.KINDS,
}

# Types that exist in Terraform's state only: nothing in the account to read.
UNOBSERVED_TYPES: Mapping[str, str] = {
    "random_id": "a value in Terraform's state (the deployment suffix); the account holds only names made from it",
}


def known_references(plan: Plan, suffix: str, account: str) -> dict[str, Any]:
    """The references a plan makes to what is not a planned resource: the deployment suffix, data sources."""
    known: dict[str, Any] = {DEPLOYMENT_SUFFIX[2:-1]: suffix}
    for source in plan.data_sources("aws_caller_identity"):
        known[f"data.{source.address}.account_id"] = account
    for source in plan.data_sources("aws_elb_service_account"):
        elb_account = ELB_ACCOUNTS.get(plan.region)
        known[f"data.{source.address}.id"] = elb_account
        known[f"data.{source.address}.arn"] = f"arn:aws:iam::{elb_account}:root"
    return known


def observer(plan: Plan, client, suffix: str, account: str, emulated: bool) -> Observer:
    return Observer(plan, client, account, KINDS, known_references(plan, suffix, account), emulated)


def sizes() -> dict[str, tuple[int, int]]:
    """Per type: (attributes the table reads from the account, attributes it says no API shows)."""
    return {type_: (len(kind.attributes), len(kind.unobservable)) for type_, kind in sorted(KINDS.items())}
