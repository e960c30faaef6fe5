"""Security group mutants: groups opened, deleted, and their rules deleted or edited attribute by attribute."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tap.live.observed import KINDS
from tap.mutate.operators import Case, Scope, first_of_kind
from tap.mutate.operators.network import EVERYWHERE, ec2_call


def security_groups(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    groups = ec2.describe_security_groups(Filters=scope.vpc_filter())["SecurityGroups"]
    labels = {group["GroupId"]: scope.name_tag(group, group["GroupName"]) for group in groups}
    prefix_lists = {p["PrefixListId"]: p["PrefixListName"] for p in ec2.describe_prefix_lists()["PrefixLists"]}
    defaults = {group["GroupId"] for group in groups if group["GroupName"] == "default"}
    for group_id, label in sorted(labels.items(), key=lambda item: item[1]):
        for direction in ("ingress", "egress"):
            yield scope.case(
                label,
                "add",
                direction,
                f"all traffic {EVERYWHERE}",
                "network reachability",
                _open(group_id, direction),
                observes=("aws_default_security_group", direction) if group_id in defaults else None,
            )
    # AWS keeps a VPC's default group as long as the VPC; the emulator lets it go, which stands for the group
    # the plan names being another (a fixed attribute's drift).
    for group_id in first_of_kind(sorted(set(labels) - defaults, key=labels.get)) + sorted(defaults):
        observes = ("aws_default_security_group" if group_id in defaults else "aws_security_group", "")
        yield scope.case(
            labels[group_id],
            "delete",
            "",
            "",
            "network reachability",
            ec2_call("delete_security_group", GroupId=group_id),
            observes=observes,
        )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": list(labels)}])
    described = [
        (labels[rule["GroupId"]], _rule_detail(rule, labels, prefix_lists), rule)
        for rule in rules["SecurityGroupRules"]
    ]
    described.sort(key=lambda item: item[:2])
    for label, detail, rule in described:
        direction = "egress" if rule["IsEgress"] else "ingress"
        observes = (f"aws_vpc_security_group_{direction}_rule", "")
        yield scope.case(label, "delete", direction, detail, "network reachability", _revoke(rule), observes=observes)
    yield from _rules_edited(scope, described, scope.default_group(), prefix_lists)


def _rule_detail(rule: dict[str, Any], groups: dict[str, str], prefix_lists: dict[str, str]) -> str:
    peer = (
        groups.get(rule.get("ReferencedGroupInfo", {}).get("GroupId"))
        or rule.get("CidrIpv4")
        or rule.get("CidrIpv6")
        or prefix_lists.get(rule.get("PrefixListId"), "")
    )
    ports = "all" if rule["IpProtocol"] == "-1" else f"{rule['IpProtocol']} {rule['FromPort']}-{rule['ToPort']}"
    return f"{ports} {'to' if rule['IsEgress'] else 'from'} {peer}"


# Each attribute of a security group rule, edited the way a hand at the console would: (attribute, whether the
# rule has it, (rule, the default group, the other prefix lists) -> the field changed and its new value).
RULE_EDITS: tuple[tuple[str, Callable[[dict], bool], Callable[[dict, str, list[str]], tuple[str, Any]]], ...] = (
    ("from_port", lambda rule: rule["FromPort"] > 0, lambda rule, *_: ("FromPort", rule["FromPort"] - 1)),
    ("to_port", lambda rule: 0 <= rule["ToPort"] < 65535, lambda rule, *_: ("ToPort", rule["ToPort"] + 1)),
    ("ip_protocol", lambda rule: rule["IpProtocol"] == "tcp", lambda rule, *_: ("IpProtocol", "udp")),
    (
        "description",
        lambda rule: bool(rule.get("Description")),
        lambda rule, *_: ("Description", f"{rule['Description']} (edited by hand)"),
    ),
    (
        "cidr_ipv4",
        lambda rule: bool(rule.get("CidrIpv4")),
        lambda rule, *_: ("CidrIpv4", "10.0.0.0/8" if rule["CidrIpv4"] == EVERYWHERE else EVERYWHERE),
    ),
    (
        "referenced_security_group_id",
        lambda rule: bool(rule.get("ReferencedGroupInfo")),
        lambda rule, default, _: ("ReferencedGroupId", default),
    ),
    (
        "prefix_list_id",
        lambda rule: bool(rule.get("PrefixListId")),
        lambda rule, _, others: ("PrefixListId", others[0]),
    ),
)


def _rules_edited(
    scope: Scope, described: list[tuple[str, str, dict]], default_group: str, prefix_lists: dict[str, str]
) -> Iterator[Case]:
    """Each attribute of each direction's rules edited in place, on the first rule that has it."""
    for direction in ("ingress", "egress"):
        rules = [item for item in described if item[2]["IsEgress"] == (direction == "egress")]
        type_ = f"aws_vpc_security_group_{direction}_rule"
        for attribute, has, edit in RULE_EDITS:
            if attribute in KINDS[type_].beyond_emulator:
                continue  # the rehearsal cannot see it changed: a mutant there would prove nothing
            for label, detail, rule in first_of_kind([item for item in rules if has(item[2])]):
                others = sorted((p for p in prefix_lists if p != rule.get("PrefixListId")), key=prefix_lists.get)
                field, value = edit(rule, default_group, others)
                shown = {"ReferencedGroupId": "the default group", "PrefixListId": prefix_lists.get(value)}.get(field)
                yield scope.case(
                    label,
                    "edit",
                    direction,
                    f"{detail}, {attribute} -> {shown or value}",
                    "network reachability",
                    rule_replaced(rule, {field: value}),
                    observes=(type_, attribute),
                )


def rule_replaced(rule: dict[str, Any], changes: dict[str, Any]):
    """A rule (as DescribeSecurityGroupRules gives it) revoked and authorized again with `changes`: what editing
    it at the console does (a new rule id, as in AWS)."""
    fields = {
        "IpProtocol": rule["IpProtocol"],
        "FromPort": rule["FromPort"],
        "ToPort": rule["ToPort"],
        "Description": rule.get("Description"),
        "CidrIpv4": rule.get("CidrIpv4"),
        "ReferencedGroupId": rule.get("ReferencedGroupInfo", {}).get("GroupId"),
        "PrefixListId": rule.get("PrefixListId"),
        **changes,
    }
    described = {"Description": fields["Description"]} if fields["Description"] else {}
    peers = {
        "IpRanges": [{"CidrIp": fields["CidrIpv4"], **described}] if fields["CidrIpv4"] else [],
        "UserIdGroupPairs": [{"GroupId": fields["ReferencedGroupId"], **described}]
        if fields["ReferencedGroupId"]
        else [],
        "PrefixListIds": [{"PrefixListId": fields["PrefixListId"], **described}] if fields["PrefixListId"] else [],
    }
    permission = {
        "IpProtocol": fields["IpProtocol"],
        "FromPort": fields["FromPort"],
        "ToPort": fields["ToPort"],
        **{key: value for key, value in peers.items() if value},
    }
    direction = "egress" if rule["IsEgress"] else "ingress"

    def apply(aws) -> None:
        _revoke(rule)(aws)
        getattr(aws("ec2"), f"authorize_security_group_{direction}")(
            GroupId=rule["GroupId"], IpPermissions=[permission]
        )

    return apply


def _open(group_id: str, direction: str):
    def apply(aws) -> None:
        permission = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": EVERYWHERE}]}]
        getattr(aws("ec2"), f"authorize_security_group_{direction}")(GroupId=group_id, IpPermissions=permission)

    return apply


def _revoke(rule: dict[str, Any]):
    direction = "egress" if rule["IsEgress"] else "ingress"

    def apply(aws) -> None:
        getattr(aws("ec2"), f"revoke_security_group_{direction}")(
            GroupId=rule["GroupId"], SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]]
        )

    return apply


GENERATORS = (security_groups,)
