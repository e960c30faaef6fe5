from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, number, text


class CKV_PAY_31(PaymentCheck):
    TITLE = "S3 Object Lock keeps every new object at least a year by default, in governance or compliance mode"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "high"
    REMEDIATION = (
        "Set a default retention of at least 365 days, in GOVERNANCE or COMPLIANCE mode, in the Object Lock "
        "configuration."
    )
    RESOURCES = ("aws_s3_bucket_object_lock_configuration",)

    MODES = {"GOVERNANCE", "COMPLIANCE"}
    MINIMUM_DAYS = 365

    def scan_resource_conf(self, conf):
        retention = [item for rule in blocks(conf, "rule") for item in blocks(rule, "default_retention")]
        return self.verdict(any(self.holds_a_year(item) for item in retention), "rule")

    def holds_a_year(self, retention):
        days = number(retention, "days") + 365 * number(retention, "years")
        return text(retention, "mode") in self.MODES and days >= self.MINIMUM_DAYS


check = CKV_PAY_31()
