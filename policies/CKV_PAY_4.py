from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, is_reference, value


class CKV_PAY_4(PaymentCheck):
    TITLE = "The database master user secret is encrypted with a customer-managed KMS key"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = "Set master_user_secret_kms_key_id to the stack's customer-managed data key."
    RESOURCES = ("aws_db_instance",)

    def scan_resource_conf(self, conf):
        # A key created in this stack: not the AWS-managed aws/secretsmanager key, nor any alias or literal id.
        key = value(conf, "master_user_secret_kms_key_id")
        return self.verdict(is_reference(key, "aws_kms_key"), "master_user_secret_kms_key_id")


check = CKV_PAY_4()
