from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, items, reaches_internet, text


class CKV_PAY_8(PaymentCheck):
    TITLE = "Inline and legacy security group rules open no ingress to the internet"
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "critical"
    REMEDIATION = (
        "Remove the 0.0.0.0/0 or ::/0 ingress from inline and legacy rules; use "
        "aws_vpc_security_group_ingress_rule from a security group."
    )
    RESOURCES = (
        "aws_security_group",
        "aws_security_group_rule",
    )

    def scan_resource_conf(self, conf):
        # Ingress from the internet is declared only as aws_vpc_security_group_ingress_rule,
        # one rule per resource, so CKV2_PAY_3 can tie each open rule to its load balancer.
        if self.entity_type == "aws_security_group_rule":  # one rule; an egress rule opens no ingress
            rules = [conf] if text(conf, "type") == "ingress" else []
        else:
            rules = blocks(conf, "ingress")
        ranges = [
            (cidr, key) for rule in rules for key in ("cidr_blocks", "ipv6_cidr_blocks") for cidr in items(rule, key)
        ]
        open_ranges = [cidr for cidr, key in ranges if reaches_internet(cidr, key)]
        return self.verdict(not open_ranges, "ingress", "cidr_blocks", "ipv6_cidr_blocks")


check = CKV_PAY_8()
