from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, text


class CKV_PAY_11(PaymentCheck):
    TITLE = "HTTPS listeners use a TLS 1.2+ policy offering only forward-secret AEAD suites"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = (
        "Set ssl_policy to a TLS 1.2+ policy with forward-secret AEAD suites only "
        "(ELBSecurityPolicy-TLS13-1-2-Res-2021-06)."
    )
    RESOURCES = (
        "aws_lb_listener",
        "aws_alb_listener",
    )

    # ELB policies offering only TLS 1.2 and 1.3 with forward-secret AEAD suites (TLS 1.3's, and
    # ECDHE with AES-GCM on 1.2): the TLS 1.3-only and "Res" policies, with their FIPS and
    # post-quantum variants. The plain TLS13-1-2-2021-06 and TLS13-1-2-FIPS-2023-04 also offer
    # ECDHE with AES-CBC (no AEAD), so they are left out. Suites per policy:
    # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
    # The same list as AWS Security Hub's recommended set (control ELB.17):
    # https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html
    APPROVED = (
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    )

    def scan_resource_conf(self, conf):
        # An application load balancer's default; the provider takes the protocol in any case.
        protocol = (text(conf, "protocol") or "HTTP").upper()
        if protocol not in ("HTTPS", "TLS"):
            return self.out_of_scope(f"a {protocol} listener: this check judges HTTPS and TLS listeners")
        return self.verdict(text(conf, "ssl_policy") in self.APPROVED, "ssl_policy")


check = CKV_PAY_11()
