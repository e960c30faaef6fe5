import ipaddress

from checkov.common.models.enums import CheckCategories

from policies.support import NotEvaluated, PaymentCheck, blocks, items, text

# The broadest range an egress rule may name: what stack/config.py accepts as a declared
# internet destination (IPv4), and one organisation's usual allocation (IPv6).
BROADEST_PREFIX = {4: 20, 6: 48}


def _named(cidr, key) -> bool:
    """A network no broader than BROADEST_PREFIX; text that is no network cannot be judged."""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except (TypeError, ValueError):
        raise NotEvaluated(key, f"{cidr!r} is not a network") from None
    return network.prefixlen >= BROADEST_PREFIX[network.version]


class CKV_PAY_19(PaymentCheck):
    TITLE = "Egress rules name their destination: a security group, a prefix list or a range of /20 or narrower"
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "high"
    REMEDIATION = "Name the egress destination: a security group, a prefix list or a CIDR of /20 or narrower."
    RESOURCES = (
        "aws_vpc_security_group_egress_rule",
        "aws_security_group",
        "aws_security_group_rule",
    )

    def scan_resource_conf(self, conf):
        if self.entity_type == "aws_vpc_security_group_egress_rule":  # one range, or a group or prefix list
            ranges = [(cidr, key) for key in ("cidr_ipv4", "cidr_ipv6") for cidr in items(conf, key)]
        else:
            if self.entity_type == "aws_security_group_rule":  # one rule; an ingress rule names no destination
                rules = [conf] if text(conf, "type") == "egress" else []
            else:
                rules = blocks(conf, "egress")
            keys = ("cidr_blocks", "ipv6_cidr_blocks")
            ranges = [(cidr, key) for rule in rules for key in keys for cidr in items(rule, key)]
        named = all([_named(cidr, key) for cidr, key in ranges])
        return self.verdict(named, "egress", "cidr_ipv4", "cidr_ipv6", "cidr_blocks")


check = CKV_PAY_19()
