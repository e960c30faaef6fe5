from checkov.common.models.enums import CheckCategories, CheckResult

from policies.support import PaymentCheck, is_true, value


class CKV_PAY_21(PaymentCheck):
    TITLE = "Interface endpoints resolve the service's name privately and sit behind a security group"
    CATEGORY = CheckCategories.NETWORKING
    RESOURCES = ("aws_vpc_endpoint",)

    def scan_resource_conf(self, conf):
        if value(conf, "vpc_endpoint_type") != "Interface":
            return CheckResult.UNKNOWN  # gateway endpoints are CKV_PAY_20's concern
        # Without private DNS, the SDKs' default hostnames still resolve to the public service (via NAT, if any).
        groups = conf.get("security_group_ids") or []
        groups = groups[0] if len(groups) == 1 and isinstance(groups[0], list) else groups
        return self.verdict(
            is_true(value(conf, "private_dns_enabled")) and bool(groups), "private_dns_enabled", "security_group_ids"
        )


check = CKV_PAY_21()
