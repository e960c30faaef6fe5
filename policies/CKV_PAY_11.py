from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, classic_protocols, is_true, items, literal, text


class CKV_PAY_11(PaymentCheck):
    TITLE = "Endpoints that terminate TLS offer only TLS 1.2+ with forward-secret AEAD suites"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = (
        "Listeners: ssl_policy ELBSecurityPolicy-TLS13-1-2-Res-2021-06 (classic load balancers offer no such "
        "policy: use an application or network load balancer); API Gateway domains: a TLS 1.3 "
        "SecurityPolicy_TLS13_* policy; CloudFront: minimum_protocol_version TLSv1.2_2021 or later with your "
        "certificate, and custom origins https-only on TLSv1.2 alone."
    )
    RESOURCES = (
        "aws_lb_listener",
        "aws_alb_listener",
        "aws_elb",
        "aws_api_gateway_domain_name",
        "aws_apigatewayv2_domain_name",
        "aws_cloudfront_distribution",
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
    # API Gateway: the legacy TLS_1_2 (the default) also offers RSA key exchange and CBC suites; of the
    # enhanced policies only the TLS 1.3-only ones are known to offer nothing else. Suites per policy:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies-list.html
    API_APPROVED = (
        "SecurityPolicy_TLS13_1_3_2025_09",
        "SecurityPolicy_TLS13_1_3_FIPS_2025_09",
        "SecurityPolicy_TLS13_2025_EDGE",
    )
    # CloudFront viewer policies with TLS 1.2+ and only ECDHE with AES-GCM or ChaCha20 on 1.2 (TLSv1.2_2019
    # and older also offer CBC suites):
    # https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html
    VIEWER_APPROVED = ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")

    def scan_resource_conf(self, conf):
        judge = {
            "aws_elb": self.classic,
            "aws_api_gateway_domain_name": self.rest_domain,
            "aws_apigatewayv2_domain_name": self.api_domain,
            "aws_cloudfront_distribution": self.distribution,
        }.get(self.entity_type, self.listener)
        return judge(conf)

    def listener(self, conf):
        # An application load balancer's default; the provider takes the protocol in any case.
        protocol = (text(conf, "protocol") or "HTTP").upper()
        if protocol not in ("HTTPS", "TLS"):
            return self.out_of_scope(f"a {protocol} listener: this check judges HTTPS and TLS listeners")
        return self.verdict(text(conf, "ssl_policy") in self.APPROVED, "ssl_policy")

    def classic(self, conf):
        # A classic load balancer's TLS policy is another resource, its default (ELBSecurityPolicy-2016-08)
        # offers TLS 1.0 and CBC suites, and none of its predefined policies is limited to forward-secret
        # AEAD suites: any listener terminating TLS fails. HTTP listeners are CKV_PAY_12's.
        return self.verdict(not {"HTTPS", "SSL"} & classic_protocols(conf), "listener")

    def rest_domain(self, conf):
        return self.verdict(text(conf, "security_policy") in self.API_APPROVED, "security_policy")

    def api_domain(self, conf):
        settings = blocks(conf, "domain_name_configuration")
        approved = bool(settings) and all(text(item, "security_policy") in self.API_APPROVED for item in settings)
        return self.verdict(approved, "domain_name_configuration")

    def distribution(self, conf):
        # CloudFront's own certificate accepts TLS 1.0 whatever the minimum_protocol_version says.
        certificates = blocks(conf, "viewer_certificate")
        viewers = bool(certificates) and all(
            not is_true(literal(item, "cloudfront_default_certificate"))
            and text(item, "minimum_protocol_version") in self.VIEWER_APPROVED
            for item in certificates
        )
        custom = [config for origin in blocks(conf, "origin") for config in blocks(origin, "custom_origin_config")]
        origins = all(
            text(config, "origin_protocol_policy") == "https-only"
            and set(items(config, "origin_ssl_protocols")) == {"TLSv1.2"}
            for config in custom
        )
        return self.verdict(viewers and origins, "viewer_certificate", "origin")


check = CKV_PAY_11()
