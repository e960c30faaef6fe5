from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, is_reference, is_true, literal, value


class CKV_PAY_1(PaymentCheck):
    TITLE = "Database storage is encrypted with a customer-managed KMS key"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = "Set storage_encrypted = true and kms_key_id to the stack's customer-managed data key."
    RESOURCES = ("aws_db_instance",)

    def scan_resource_conf(self, conf):
        # A key created in this stack, not the AWS-managed aws/rds key nor an alias.
        key = value(conf, "kms_key_id")
        encrypted = is_true(literal(conf, "storage_encrypted")) and is_reference(key, "aws_kms_key")
        return self.verdict(encrypted, "storage_encrypted", "kms_key_id")


check = CKV_PAY_1()
