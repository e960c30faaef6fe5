"""The plan's network rules as an inventory: what each security group rule allows, and the
description that records why (PCI DSS 1.2.5 asks for each rule's justification, 1.2.7 for its review)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tap.plan import Plan

RULE_TYPES = {"aws_vpc_security_group_ingress_rule": "inbound", "aws_vpc_security_group_egress_rule": "outbound"}


@dataclass(frozen=True)
class NetworkRule:
    address: str
    direction: str  # inbound or outbound
    group: str
    protocol: str
    ports: str
    peer: str  # a CIDR, a prefix list or another security group
    justification: str  # the rule's description


def network_rules(plan: Plan) -> list[NetworkRule]:
    """Every security group rule of the plan, its description as the recorded justification (1.2.5, 1.2.7)."""
    return [
        NetworkRule(
            address=rule.address,
            direction=direction,
            group=_referenced(rule.get("security_group_id")),
            protocol=str(rule.get("ip_protocol", "")),
            ports=_ports(rule.get("from_port"), rule.get("to_port")),
            peer=_peer(rule),
            justification=rule.get("description") or "",
        )
        for type_, direction in RULE_TYPES.items()
        for rule in plan.resources(type_)
    ]


def _referenced(value: Any) -> str:
    """`${aws_security_group.app.id}` -> `aws_security_group.app`; anything else as it is."""
    text = str(value or "")
    return text[2:-1].rsplit(".", 1)[0] if text.startswith("${") and text.endswith("}") else text


def _ports(low: Any, high: Any) -> str:
    if low is None and high is None:
        return "all"
    return str(low) if low == high else f"{low}-{high}"


def _peer(rule: Any) -> str:
    for key in ("cidr_ipv4", "cidr_ipv6", "prefix_list_id"):
        if rule.get(key):
            return str(rule.get(key))
    return _referenced(rule.get("referenced_security_group_id")) or "not set"
