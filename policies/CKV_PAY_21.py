from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, is_true, items, literal, text


class CKV_PAY_21(PaymentCheck):
    TITLE = "Interface endpoints resolve the service's name privately and sit behind a security group"
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "medium"
    REMEDIATION = "Set private_dns_enabled = true and attach the endpoints security group to the interface endpoint."
    RESOURCES = ("aws_vpc_endpoint",)

    def scan_resource_conf(self, conf):
        kind = text(conf, "vpc_endpoint_type") or "Gateway"  # the provider's default
        if kind != "Interface":
            return self.out_of_scope(f"a {kind} endpoint: this check judges interface endpoints")
        # Without private DNS, the SDKs' default hostnames still resolve to the public service (via NAT, if any).
        groups = items(conf, "security_group_ids", references=True)
        return self.verdict(
            is_true(literal(conf, "private_dns_enabled")) and bool(groups), "private_dns_enabled", "security_group_ids"
        )


check = CKV_PAY_21()
