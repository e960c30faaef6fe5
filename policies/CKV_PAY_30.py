from checkov.common.models.enums import CheckCategories, CheckResult

from policies.support import PaymentCheck, covers, is_everyone, receives_deliveries, statements


class CKV_PAY_30(PaymentCheck):
    TITLE = "S3 buckets that receive log deliveries deny deleting objects and their versions to everyone"
    CATEGORY = CheckCategories.LOGGING
    RESOURCES = ("aws_s3_bucket_policy",)

    DELETION = {"s3:DeleteObject", "s3:DeleteObjectVersion"}

    def scan_resource_conf(self, conf):
        items = statements(conf)
        if not receives_deliveries(items):
            return CheckResult.UNKNOWN  # not a log bucket: CKV_PAY_33 governs it
        return self.verdict(any(self.denies_deletion(item) for item in items), "policy")

    def denies_deletion(self, item):
        # Unconditional: any condition would leave someone a way to delete.
        return (
            item.get("Effect") == "Deny"
            and is_everyone(item.get("Principal"))
            and not item.get("Condition")
            and covers(item.get("Action"), self.DELETION)
        )


check = CKV_PAY_30()
