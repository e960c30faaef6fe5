from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, is_everyone, names, only_condition, statements


class CKV_PAY_28(PaymentCheck):
    TITLE = "KMS key policies deny disabling, deleting and rewriting the key to all but named administrators"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = (
        "Add a Deny statement for kms:DisableKey, ScheduleKeyDeletion and PutKeyPolicy to every principal "
        "but the named administrators."
    )
    RESOURCES = ("aws_kms_key",)

    DESTRUCTION = {"kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"}
    # A deny that exempts principals by their ARN; any other condition could exempt everyone.
    EXEMPTIONS = {"ArnNotEquals", "ArnNotLike"}

    def scan_resource_conf(self, conf):
        guarded = set()
        for item in statements(conf):
            if item.get("Effect") == "Deny" and is_everyone(item.get("Principal")) and self.exempts_by_arn(item):
                guarded |= set(names(item, "Action"))
        return self.verdict(guarded >= self.DESTRUCTION, "policy")

    def exempts_by_arn(self, item):
        """The deny exempts only principals named by ARN (a condition on anything else could exempt anyone)."""
        return only_condition(item, self.EXEMPTIONS, "aws:PrincipalArn")


check = CKV_PAY_28()
