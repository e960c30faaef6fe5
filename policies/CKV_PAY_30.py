from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, conditions, covers, is_everyone, receives_deliveries, statements


class CKV_PAY_30(PaymentCheck):
    TITLE = "S3 buckets that receive log deliveries deny deleting objects and their versions to everyone"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "high"
    REMEDIATION = (
        "Add a Deny statement for s3:DeleteObject and s3:DeleteObjectVersion to every principal on the log bucket."
    )
    RESOURCES = ("aws_s3_bucket_policy",)

    DELETION = {"s3:DeleteObject", "s3:DeleteObjectVersion"}

    def scan_resource_conf(self, conf):
        found = statements(conf)
        if not receives_deliveries(found):
            return self.out_of_scope("no service delivers logs into this bucket: CKV_PAY_33 judges data buckets")
        return self.verdict(any(self.denies_deletion(item) for item in found), "policy")

    def denies_deletion(self, item):
        # Unconditional: any condition would leave someone a way to delete.
        return (
            item.get("Effect") == "Deny"
            and is_everyone(item.get("Principal"))
            and not conditions(item)
            and covers(item, self.DELETION)
        )


check = CKV_PAY_30()
