from checkov.common.models.enums import CheckCategories, CheckResult

from policies.support import PaymentCheck, value


class CKV_PAY_11(PaymentCheck):
    TITLE = "HTTPS listeners use an approved TLS 1.2+ security policy"
    CATEGORY = CheckCategories.ENCRYPTION
    RESOURCES = (
        "aws_lb_listener",
        "aws_alb_listener",
    )

    # ELB policies offering only TLS 1.2 and 1.3 with forward-secret ciphers.
    APPROVED = (
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    )

    def scan_resource_conf(self, conf):
        if value(conf, "protocol") not in ("HTTPS", "TLS"):
            return CheckResult.UNKNOWN  # plain listeners are CKV_PAY_12's concern
        return self.verdict(value(conf, "ssl_policy") in self.APPROVED, "ssl_policy")


check = CKV_PAY_11()
