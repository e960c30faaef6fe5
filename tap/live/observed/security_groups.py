"""Security groups and their rules, as the account shows them.

A group is found by its name in the planned VPC. A rule of a security group has no key but its whole content,
so the group's rule closest to the planned one stands for it and every attribute where they differ is a drift.
"""

from __future__ import annotations

from tap.live.observed.network import TAGS, VPC_ID, ec2_client, in_vpc, only_one
from tap.live.observed.table import META, Kind, Observer, at
from tap.plan import Resource

# Terraform's own instruction, not a setting of the group: AWS keeps nothing of it.
REVOKE_RULES_ON_DELETE = (
    "Terraform's instruction to revoke the group's rules before deleting it; AWS keeps no such setting"
)


def _security_group(observer: Observer, resource: Resource, name: str) -> dict | None:
    group_name = [{"Name": "group-name", "Values": [name]}]
    found = ec2_client(observer).describe_security_groups(Filters=in_vpc(observer, resource) + group_name)
    return only_one(found["SecurityGroups"], f"security groups named {name}")


# A peer of a security group rule: Terraform's attribute, the list of IpPermissions holding it, its field.
PEERS = (
    ("cidr_ipv4", "IpRanges", "CidrIp"),
    ("cidr_ipv6", "Ipv6Ranges", "CidrIpv6"),
    ("referenced_security_group_id", "UserIdGroupPairs", "GroupId"),
    ("prefix_list_id", "PrefixListIds", "PrefixListId"),
)


def _rules(group: dict, egress: bool) -> list[dict]:
    """A group's rules in one direction, one per peer, in the shape of Terraform's rule resources."""
    rules = []
    for permission in group["IpPermissionsEgress" if egress else "IpPermissions"]:
        ports = {"from_port": permission.get("FromPort"), "to_port": permission.get("ToPort")}
        for attribute, peers, field in PEERS:
            for peer in permission.get(peers, []):
                rules.append(
                    {
                        "security_group_id": group["GroupId"],
                        "ip_protocol": permission["IpProtocol"],
                        **(ports if permission["IpProtocol"] != "-1" else {}),
                        attribute: peer[field],
                        "description": peer.get("Description"),
                    }
                )
    return rules


def _rule(egress: bool):
    def describe(observer: Observer, resource: Resource) -> dict | None:
        """The group's rule closest to the planned one: the most planned attributes alike."""
        group_id = observer.value(resource, "security_group_id")
        groups = ec2_client(observer).describe_security_groups(Filters=[{"Name": "group-id", "Values": [group_id]}])
        group = only_one(groups["SecurityGroups"], f"security groups {group_id}")
        rules = _rules(group, egress) if group else []
        if not rules:
            return None
        planned = {key: observer.value(resource, key) for key in set(resource.properties) - META}
        return max(rules, key=lambda rule: sum(str(rule.get(key)) == str(value) for key, value in planned.items()))

    return describe


def _rules_block(permissions: list[dict]) -> list[dict]:
    """A default group's rules as Terraform's `ingress`/`egress` blocks."""
    return [
        {
            "protocol": permission["IpProtocol"],
            "from_port": permission.get("FromPort", 0),
            "to_port": permission.get("ToPort", 0),
            "cidr_blocks": [peer["CidrIp"] for peer in permission.get("IpRanges", [])],
            "ipv6_cidr_blocks": [peer["CidrIpv6"] for peer in permission.get("Ipv6Ranges", [])],
            "prefix_list_ids": [peer["PrefixListId"] for peer in permission.get("PrefixListIds", [])],
            "security_groups": [peer["GroupId"] for peer in permission.get("UserIdGroupPairs", [])],
        }
        for permission in permissions
    ]


RULE_ATTRIBUTES = {
    key: at(key)
    for key in (
        "security_group_id",
        "ip_protocol",
        "from_port",
        "to_port",
        "cidr_ipv4",
        "cidr_ipv6",
        "referenced_security_group_id",
        "prefix_list_id",
        "description",
    )
}


# The stack's egress rules include one to a prefix list (S3's, through the gateway endpoint).
PREFIX_LIST_DESCRIPTION = "moto 5.2 drops the description of a rule whose peer is a prefix list"


def _rule_kind(egress: bool) -> Kind:
    return Kind(
        describe=_rule(egress),
        attributes=RULE_ATTRIBUTES,
        beyond_emulator={"description": PREFIX_LIST_DESCRIPTION} if egress else {},
        fixed=frozenset({"security_group_id"}),
    )


KINDS = {
    "aws_security_group": Kind(
        describe=lambda observer, resource: _security_group(observer, resource, observer.value(resource, "name")),
        attributes={
            "name": at("GroupName"),
            "description": at("Description"),
            "vpc_id": VPC_ID,
            "tags": TAGS,
        },
        unobservable={"revoke_rules_on_delete": REVOKE_RULES_ON_DELETE},
        exports={"id": at("GroupId")},
        fixed=frozenset({"name", "description", "vpc_id"}),
    ),
    "aws_default_security_group": Kind(
        describe=lambda observer, resource: _security_group(observer, resource, "default"),
        attributes={
            "vpc_id": VPC_ID,
            "ingress": at("IpPermissions", _rules_block),
            "egress": at("IpPermissionsEgress", _rules_block),
            "tags": TAGS,
        },
        fixed=frozenset({"vpc_id"}),
    ),
    "aws_vpc_security_group_ingress_rule": _rule_kind(egress=False),
    "aws_vpc_security_group_egress_rule": _rule_kind(egress=True),
}
