from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, classic_protocols, text


class CKV_PAY_12(PaymentCheck):
    TITLE = "HTTP is only redirected to HTTPS"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = (
        "Give an HTTP listener a single default action: redirect to HTTPS on port 443 with HTTP_301 (a classic "
        "load balancer cannot redirect: remove its HTTP listeners); set viewer_protocol_policy to "
        "redirect-to-https or https-only on every CloudFront cache behavior."
    )
    RESOURCES = (
        "aws_lb_listener",
        "aws_alb_listener",
        "aws_elb",
        "aws_cloudfront_distribution",
    )

    VIEWER_POLICIES = ("redirect-to-https", "https-only")

    def scan_resource_conf(self, conf):
        if self.entity_type == "aws_elb":
            return self.verdict("HTTP" not in classic_protocols(conf), "listener")
        if self.entity_type == "aws_cloudfront_distribution":
            behaviors = blocks(conf, "default_cache_behavior") + blocks(conf, "ordered_cache_behavior")
            secure = bool(behaviors) and all(
                text(item, "viewer_protocol_policy") in self.VIEWER_POLICIES for item in behaviors
            )
            return self.verdict(secure, "default_cache_behavior", "ordered_cache_behavior")
        return self.listener(conf)

    def listener(self, conf):
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
