from checkov.common.models.enums import CheckCategories, CheckResult

from policies.support import PaymentCheck, blocks, value


class CKV_PAY_12(PaymentCheck):
    TITLE = "HTTP listeners only redirect to HTTPS"
    CATEGORY = CheckCategories.ENCRYPTION
    RESOURCES = (
        "aws_lb_listener",
        "aws_alb_listener",
    )

    def scan_resource_conf(self, conf):
        if value(conf, "protocol") != "HTTP":
            return CheckResult.UNKNOWN  # encrypted listeners are CKV_PAY_11's concern
        actions = blocks(conf, "default_action")
        redirects = bool(actions) and all(
            value(action, "type") == "redirect"
            and any(value(redirect, "protocol") == "HTTPS" for redirect in blocks(action, "redirect"))
            for action in actions
        )
        return self.verdict(redirects, "default_action/[0]/type", "default_action/[0]/redirect/[0]/protocol")


check = CKV_PAY_12()
