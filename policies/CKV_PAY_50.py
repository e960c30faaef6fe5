from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, is_true, literal, number, reaches_internet, text

# What an administrator reaches a host by: SSH and RDP.
ADMINISTRATION_PORTS = (22, 3389)
EVERY_PROTOCOL = ("-1", "all")
# TCP and UDP (RDP takes both): the only protocols with ports.
PORTED_PROTOCOLS = ("6", "tcp", "17", "udp")


def admits_administration(rule: dict, action_key: str) -> bool:
    """An allowing rule from a range holding internet addresses, over a protocol and ports covering SSH or RDP."""
    if (text(rule, action_key) or "").lower() != "allow":
        return False
    ranges = [found for key in ("cidr_block", "ipv6_cidr_block") if (found := literal(rule, key))]
    if not any(reaches_internet(cidr, "cidr_block") for cidr in ranges):
        return False
    protocol = str(literal(rule, "protocol")).lower()
    if protocol in EVERY_PROTOCOL:
        return True
    low, high = number(rule, "from_port"), number(rule, "to_port")
    return protocol in PORTED_PROTOCOLS and any(low <= port <= high for port in ADMINISTRATION_PORTS)


class CKV_PAY_50(PaymentCheck):
    TITLE = "No network ACL rule admits the internet to SSH (22) or RDP (3389)"
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "critical"
    REMEDIATION = "Admit SSH and RDP from no internet range; reach instances through Session Manager instead."
    RESOURCES = ("aws_network_acl_rule", "aws_network_acl", "aws_default_network_acl")

    def scan_resource_conf(self, conf):
        if "network_acl_id" in conf:  # a rule of its own (aws_network_acl_rule)
            if is_true(literal(conf, "egress")):
                return self.out_of_scope("an egress rule: this check judges what an ACL admits")
            return self.verdict(not admits_administration(conf, "rule_action"), "cidr_block", "from_port", "to_port")
        # An ACL's inline rules; none at all admits nothing.
        return self.verdict(
            not any(admits_administration(rule, "action") for rule in blocks(conf, "ingress")), "ingress"
        )


check = CKV_PAY_50()
