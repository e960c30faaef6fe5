from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, names, statements


class CKV_PAY_27(PaymentCheck):
    TITLE = "KMS key policies separate administration from use: no statement allows every KMS action"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = (
        "Split the key policy: administrators get key management actions, users get only the cryptographic "
        "ones; no kms:* statement."
    )
    RESOURCES = ("aws_kms_key",)

    EVERYTHING = {"*", "kms:*"}

    def scan_resource_conf(self, conf):
        found = statements(conf)
        unrestricted = any(
            item.get("Effect") == "Allow" and self.EVERYTHING & set(names(item, "Action")) for item in found
        )
        return self.verdict(bool(found) and not unrestricted, "policy")


check = CKV_PAY_27()
