from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, is_reference, is_true, value


class CKV_PAY_1(PaymentCheck):
    TITLE = "Database storage is encrypted with a customer-managed KMS key"
    CATEGORY = CheckCategories.ENCRYPTION
    RESOURCES = ("aws_db_instance",)

    def scan_resource_conf(self, conf):
        # A key created in this stack, not the AWS-managed aws/rds key nor an alias.
        encrypted = is_true(value(conf, "storage_encrypted")) and is_reference(value(conf, "kms_key_id"), "aws_kms_key")
        return self.verdict(encrypted, "storage_encrypted", "kms_key_id")


check = CKV_PAY_1()
