import ipaddress

from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, value

# The broadest range an egress rule may name: what stack/config.py accepts as a declared
# internet destination (IPv4), and one organisation's usual allocation (IPv6).
BROADEST_PREFIX = {4: 20, 6: 48}


def _named(cidr) -> bool:
    """A literal network no broader than BROADEST_PREFIX; a reference or typo cannot be judged, so fails."""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except (TypeError, ValueError):
        return False
    return network.prefixlen >= BROADEST_PREFIX[network.version]


class CKV_PAY_19(PaymentCheck):
    TITLE = "Egress rules name their destination: a security group, a prefix list or a range of /20 or narrower"
    CATEGORY = CheckCategories.NETWORKING
    RESOURCES = (
        "aws_vpc_security_group_egress_rule",
        "aws_security_group",
        "aws_security_group_rule",
    )

    def scan_resource_conf(self, conf):
        if "security_group_id" in conf and "type" not in conf:  # aws_vpc_security_group_egress_rule: one range
            ranges = [value(conf, key) for key in ("cidr_ipv4", "cidr_ipv6") if value(conf, key)]
        else:
            legacy = "type" in conf  # aws_security_group_rule: one rule, ingress or egress
            rules = ([conf] if value(conf, "type") == "egress" else []) if legacy else blocks(conf, "egress")
            ranges = [
                cidr for rule in rules for key in ("cidr_blocks", "ipv6_cidr_blocks") for cidr in value(rule, key) or []
            ]
        return self.verdict(all(_named(cidr) for cidr in ranges), "egress", "cidr_ipv4", "cidr_ipv6", "cidr_blocks")


check = CKV_PAY_19()
