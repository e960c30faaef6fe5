from checkov.common.models.enums import CheckCategories

from policies.support import WORLD, PaymentCheck, blocks, value


class CKV_PAY_8(PaymentCheck):
    TITLE = "Inline and legacy security group rules open no ingress to the internet"
    CATEGORY = CheckCategories.NETWORKING
    RESOURCES = (
        "aws_security_group",
        "aws_security_group_rule",
    )

    def scan_resource_conf(self, conf):
        # Ingress from the internet is declared only as aws_vpc_security_group_ingress_rule,
        # one rule per resource, so CKV2_PAY_3 can tie each open rule to its load balancer.
        legacy = "type" in conf  # aws_security_group_rule: one rule, ingress or egress
        rules = ([conf] if value(conf, "type") == "ingress" else []) if legacy else blocks(conf, "ingress")
        open_ranges = {
            cidr
            for rule in rules
            for key in ("cidr_blocks", "ipv6_cidr_blocks")
            for cidr in (value(rule, key) or [])
            if cidr in WORLD
        }
        return self.verdict(not open_ranges, "ingress", "cidr_blocks", "ipv6_cidr_blocks")


check = CKV_PAY_8()
