from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, text


class CKV_PAY_12(PaymentCheck):
    TITLE = "HTTP listeners only redirect to HTTPS"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = "Give the HTTP listener a single default action: redirect to HTTPS on port 443 with HTTP_301."
    RESOURCES = (
        "aws_lb_listener",
        "aws_alb_listener",
    )

    def scan_resource_conf(self, conf):
        # An application load balancer's default; the provider takes the protocol in any case.
        protocol = (text(conf, "protocol") or "HTTP").upper()
        if protocol != "HTTP":
            return self.out_of_scope(f"a {protocol} listener: this check judges HTTP listeners")
        actions = blocks(conf, "default_action")
        redirects = bool(actions) and all(
            text(action, "type") == "redirect"
            and any(text(redirect, "protocol") == "HTTPS" for redirect in blocks(action, "redirect"))
            for action in actions
        )
        return self.verdict(redirects, "default_action")


check = CKV_PAY_12()
