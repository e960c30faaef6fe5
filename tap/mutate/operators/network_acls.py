"""Network ACL mutants: subnets moved to the default ACL, ACLs deleted, their entries edited and deleted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tap.live.rehearsal.network import IMPLICIT_DENY
from tap.mutate.operators import Case, Scope, first_of_kind
from tap.mutate.operators.network import EVERYWHERE, ec2_call, network_names


def network_acls(scope: Scope) -> Iterator[Case]:
    ec2 = scope.aws("ec2")
    acls = sorted(ec2.describe_network_acls(Filters=scope.vpc_filter())["NetworkAcls"], key=scope.name_tag)
    (default,) = [acl for acl in acls if acl["IsDefault"]]
    own = [acl for acl in acls if not acl["IsDefault"]]
    names = network_names(scope)
    for acl in first_of_kind(own):
        # The first subnet by name, never by moto's random id: the same mutant in every campaign.
        label, subnet = scope.name_tag(acl), min((a["SubnetId"] for a in acl["Associations"]), key=names.__getitem__)
        yield scope.case(
            label,
            "move",
            "subnet_ids",
            f"{names[subnet]} -> the default ACL",
            "network reachability",
            _subnets_moved(acl, default["NetworkAclId"], [subnet]),
            observes=("aws_network_acl", "subnet_ids"),
        )
        yield scope.case(
            label,
            "delete",
            "",
            "",
            "network reachability",
            _acl_deleted(acl, default),
            observes=("aws_network_acl", ""),
        )
        yield from _acl_entries_edited(scope, label, acl)
    # As the default group: AWS keeps a VPC's default ACL as long as the VPC, the emulator lets it go.
    yield scope.case(
        scope.name_tag(default),
        "delete",
        "",
        "",
        "network reachability",
        ec2_call("delete_network_acl", NetworkAclId=default["NetworkAclId"]),
        observes=("aws_default_network_acl", ""),
    )


def _subnets_moved(acl: dict[str, Any], to: str, subnets: list[str]):
    associations = [a["NetworkAclAssociationId"] for a in acl["Associations"] if a["SubnetId"] in subnets]

    def apply(aws) -> None:
        for association in associations:
            aws("ec2").replace_network_acl_association(AssociationId=association, NetworkAclId=to)

    return apply


def _acl_deleted(acl: dict[str, Any], default: dict[str, Any]):
    """The ACL gone, its subnets back on the VPC's default ACL (AWS deletes no ACL a subnet is on)."""
    subnets = [association["SubnetId"] for association in acl["Associations"]]

    def apply(aws) -> None:
        _subnets_moved(acl, default["NetworkAclId"], subnets)(aws)
        aws("ec2").delete_network_acl(NetworkAclId=acl["NetworkAclId"])

    return apply


# Each changeable attribute of an ACL entry, edited: (attribute, the entry -> the field changed and its new value).
ENTRY_EDITS: tuple[tuple[str, Callable[[dict], tuple[str, Any]]], ...] = (
    ("cidr_block", lambda entry: ("CidrBlock", "10.0.0.0/8" if entry["CidrBlock"] == EVERYWHERE else EVERYWHERE)),
    ("from_port", lambda entry: ("PortRange", {**entry["PortRange"], "From": entry["PortRange"]["From"] - 1})),
    ("to_port", lambda entry: ("PortRange", {**entry["PortRange"], "To": entry["PortRange"]["To"] + 1})),
    ("protocol", lambda entry: ("Protocol", "17" if entry["Protocol"] == "6" else "6")),
    ("rule_action", lambda entry: ("RuleAction", "deny" if entry["RuleAction"] == "allow" else "allow")),
)


def _acl_entries_edited(scope: Scope, label: str, acl: dict[str, Any]) -> Iterator[Case]:
    """The first of the ACL's own entries edited in place, attribute by attribute, and deleted."""
    entries = sorted(
        (entry for entry in acl["Entries"] if entry["RuleNumber"] != IMPLICIT_DENY),
        key=lambda entry: (entry["Egress"], entry["RuleNumber"]),
    )
    for entry in first_of_kind(entries):
        rule = f"{'egress' if entry['Egress'] else 'ingress'} {entry['RuleNumber']}"
        for attribute, edit in ENTRY_EDITS:
            field, value = edit(entry)
            shown = value.get("From" if attribute == "from_port" else "To") if field == "PortRange" else value
            yield scope.case(
                label,
                "edit",
                "rule",
                f"{rule}, {attribute} -> {shown}",
                "network reachability",
                _entry_replaced(acl["NetworkAclId"], entry, {field: value}),
                observes=("aws_network_acl_rule", attribute),
            )
        yield scope.case(
            label,
            "delete",
            "rule",
            rule,
            "network reachability",
            ec2_call(
                "delete_network_acl_entry",
                NetworkAclId=acl["NetworkAclId"],
                RuleNumber=entry["RuleNumber"],
                Egress=entry["Egress"],
            ),
            observes=("aws_network_acl_rule", ""),
        )


def _entry_replaced(acl_id: str, entry: dict[str, Any], changes: dict[str, Any]):
    fields = {key: entry[key] for key in ("RuleNumber", "Protocol", "RuleAction", "Egress", "CidrBlock", "PortRange")}
    return ec2_call("replace_network_acl_entry", NetworkAclId=acl_id, **{**fields, **changes})


GENERATORS = (network_acls,)
