from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, value


class CKV_PAY_44(PaymentCheck):
    TITLE = "Launch templates give their instances user data that sets them up"
    CATEGORY = CheckCategories.GENERAL_SECURITY
    SEVERITY = "high"
    REMEDIATION = (
        "Give the launch template the stack's user data (the CloudWatch agent, and on stock images the "
        "placeholder service answering the health check)."
    )
    RESOURCES = ("aws_launch_template",)

    def scan_resource_conf(self, conf):
        # Without it an instance ships no log and, on a stock image, serves nothing the load balancer checks.
        return self.verdict(value(conf, "user_data") not in (None, "", []), "user_data")


check = CKV_PAY_44()
