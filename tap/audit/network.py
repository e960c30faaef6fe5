"""The plan's network rules as an inventory: what each security group rule and network ACL rule allows,
and what records why (PCI DSS 1.2.5 asks for each rule's justification, 1.2.7 for its review).

A security group rule's justification is its description. AWS keeps no description on a network ACL
rule, so the stack writes its justification into the rule's `"//"` metadata (stack/network_acls.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stack.contract import JUSTIFICATION_METADATA_KEY
from tap.plan import Plan, Resource

SECURITY_GROUP_RULES = {
    "aws_vpc_security_group_ingress_rule": "inbound",
    "aws_vpc_security_group_egress_rule": "outbound",
}
ACL_RULE = "aws_network_acl_rule"
ACLS = ("aws_network_acl", "aws_default_network_acl")
# Every resource type that is one rule of its own.
RULE_TYPES = (*SECURITY_GROUP_RULES, ACL_RULE)
# IP protocol numbers as AWS's console names them; "-1" is every protocol.
PROTOCOLS = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


@dataclass(frozen=True)
class NetworkRule:
    address: str
    direction: str  # inbound or outbound
    group: str  # the security group or network ACL the rule belongs to
    protocol: str
    ports: str
    peer: str  # a CIDR, a prefix list or another security group
    justification: str  # the rule's description, or an ACL rule's recorded justification


def network_rules(plan: Plan) -> list[NetworkRule]:
    """Every security group rule and network ACL rule of the plan, with its recorded justification."""
    return [*_security_group_rules(plan), *_acl_rules(plan), *_inline_acl_rules(plan)]


def _security_group_rules(plan: Plan) -> list[NetworkRule]:
    return [
        NetworkRule(
            address=rule.address,
            direction=direction,
            group=_referenced(rule.get("security_group_id")),
            protocol=_protocol(rule.get("ip_protocol")),
            ports=_ports(rule.get("from_port"), rule.get("to_port")),
            peer=_peer(rule),
            justification=rule.get("description") or "",
        )
        for type_, direction in SECURITY_GROUP_RULES.items()
        for rule in plan.resources(type_)
    ]


def _acl_rules(plan: Plan) -> list[NetworkRule]:
    return [
        _acl_rule(
            rule.address,
            rule,
            _referenced(rule.get("network_acl_id")),
            _is_true(rule.get("egress")),
            rule.get("rule_action"),
            _justification(rule),
        )
        for rule in plan.resources(ACL_RULE)
    ]


def _inline_acl_rules(plan: Plan) -> list[NetworkRule]:
    """Rules written inside an ACL's own block: AWS and the plan keep no justification for them."""
    return [
        _acl_rule(
            f"{acl.address} {key} rule {rule.get('rule_no')}", rule, acl.address, key == "egress", rule.get("action")
        )
        for type_ in ACLS
        for acl in plan.resources(type_)
        for key in ("ingress", "egress")
        for rule in acl.get(key) or []
    ]


def _acl_rule(address: str, rule: Any, acl: str, egress: bool, action: Any, justification: str = "") -> NetworkRule:
    # An ACL rule can deny: the inventory says so, since a deny is no allowed service.
    protocol = _protocol(rule.get("protocol"))
    return NetworkRule(
        address=address,
        direction="outbound" if egress else "inbound",
        group=acl,
        protocol=protocol if str(action).lower() == "allow" else f"{protocol} (deny)",
        ports="all" if protocol == "all" else _ports(rule.get("from_port"), rule.get("to_port")),
        peer=str(rule.get("cidr_block") or rule.get("ipv6_cidr_block") or "not set"),
        justification=justification,
    )


def _justification(rule: Resource) -> str:
    found = rule.annotations.get(JUSTIFICATION_METADATA_KEY)
    return found if isinstance(found, str) else ""


def _is_true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _protocol(value: Any) -> str:
    text = str(value if value is not None else "")
    return PROTOCOLS.get(text, text)


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
