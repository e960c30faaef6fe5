from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks


class CKV_PAY_25(PaymentCheck):
    TITLE = "WAF web ACLs block an address past a rate limit"
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "medium"
    REMEDIATION = "Add a rate-based rule with a block action to the web ACL."
    RESOURCES = ("aws_wafv2_web_acl",)

    def scan_resource_conf(self, conf):
        limited = any(is_rate_limit(rule) and blocks_requests(rule) for rule in blocks(conf, "rule"))
        return self.verdict(limited, "rule")


def is_rate_limit(rule):
    return any(blocks(statement, "rate_based_statement") for statement in blocks(rule, "statement"))


def blocks_requests(rule):
    # `block {}` is an empty block: its presence is the action (a `count {}` only counts).
    return any("block" in action for action in blocks(rule, "action"))


check = CKV_PAY_25()
