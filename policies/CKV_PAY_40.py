from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, number


class CKV_PAY_40(PaymentCheck):
    TITLE = "Auto Scaling groups replace every instance before it is 30 days old"
    CATEGORY = CheckCategories.GENERAL_SECURITY
    SEVERITY = "medium"
    REMEDIATION = "Set max_instance_lifetime to at most 2592000 seconds (30 days) on the Auto Scaling group."
    RESOURCES = ("aws_autoscaling_group",)

    DAY = 24 * 3600
    # 0 or absent: instances live for ever, on the image they booted.
    MAXIMUM_SECONDS = 30 * DAY

    def scan_resource_conf(self, conf):
        lifetime = number(conf, "max_instance_lifetime")
        return self.verdict(self.DAY <= lifetime <= self.MAXIMUM_SECONDS, "max_instance_lifetime")


check = CKV_PAY_40()
