from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, number


class CKV_PAY_16(PaymentCheck):
    TITLE = "Log groups keep their events for at least 365 days"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "medium"
    REMEDIATION = "Set retention_in_days to 365 or more on the log group."
    RESOURCES = ("aws_cloudwatch_log_group",)

    MINIMUM_DAYS = 365

    def scan_resource_conf(self, conf):
        kept = number(conf, "retention_in_days") >= self.MINIMUM_DAYS
        return self.verdict(kept, "retention_in_days")


check = CKV_PAY_16()
