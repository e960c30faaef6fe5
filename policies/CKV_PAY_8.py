from checkov.common.models.enums import CheckCategories

from policies.support import NotEvaluated, PaymentCheck, blocks, items, number, reaches_internet, text


class CKV_PAY_8(PaymentCheck):
    TITLE = (
        "Security group rules admit the internet only as a one-port HTTP or HTTPS rule of its own, "
        "from 0.0.0.0/0 or ::/0"
    )
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "critical"
    REMEDIATION = (
        "Remove internet ranges from inline, default and legacy rules; admit the internet only with one "
        "aws_vpc_security_group_ingress_rule per port (tcp 80 or 443) from 0.0.0.0/0 or ::/0."
    )
    RESOURCES = (
        "aws_security_group",
        "aws_default_security_group",
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
    )

    # The one form CKV2_PAY_3 ties to a load balancer: a rule resource of its own, one port, the
    # whole internet written as such (CKV2_PAY_3 matches these texts, so no other spelling may pass here).
    WHOLE_INTERNET = {"cidr_ipv4": "0.0.0.0/0", "cidr_ipv6": "::/0"}
    WEB_PORTS = {80, 443}

    def scan_resource_conf(self, conf):
        if self.entity_type == "aws_vpc_security_group_ingress_rule":
            return self.rule_resource(conf)
        if self.entity_type == "aws_security_group_rule":  # one rule; an egress rule opens no ingress
            rules = [conf] if text(conf, "type") == "ingress" else []
        else:
            rules = blocks(conf, "ingress")
        for rule in rules:
            from_prefix_list(items(rule, "prefix_list_ids", references=True), "prefix_list_ids")
        ranges = [
            (cidr, key) for rule in rules for key in ("cidr_blocks", "ipv6_cidr_blocks") for cidr in items(rule, key)
        ]
        open_ranges = [cidr for cidr, key in ranges if reaches_internet(cidr, key)]
        return self.verdict(not open_ranges, "ingress", "cidr_blocks", "ipv6_cidr_blocks")

    def rule_resource(self, conf):
        from_prefix_list(items(conf, "prefix_list_id", references=True), "prefix_list_id")
        sources = {key: text(conf, key) for key in self.WHOLE_INTERNET}
        internet = {key: cidr for key, cidr in sources.items() if cidr is not None and reaches_internet(cidr, key)}
        if not internet:
            return self.verdict(True, *self.WHOLE_INTERNET)
        written_whole = all(cidr == self.WHOLE_INTERNET[key] for key, cidr in internet.items())
        one_web_port = (
            text(conf, "ip_protocol") in ("tcp", "6")
            and number(conf, "from_port", None) == number(conf, "to_port", None)
            and number(conf, "from_port", None) in self.WEB_PORTS
        )
        return self.verdict(written_whole and one_web_port, *internet, "ip_protocol", "from_port", "to_port")


def from_prefix_list(lists, key):
    """A prefix list holds its ranges itself (or AWS does): the rule cannot show whether they reach the internet."""
    if lists:
        raise NotEvaluated(key, f"ingress from the prefix list {lists[0]}, whose ranges this rule does not hold")


check = CKV_PAY_8()
