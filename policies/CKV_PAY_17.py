from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, is_true, value


class CKV_PAY_17(PaymentCheck):
    TITLE = "The database master password is managed by Secrets Manager"
    CATEGORY = CheckCategories.SECRETS
    RESOURCES = ("aws_db_instance",)

    def scan_resource_conf(self, conf):
        managed = is_true(value(conf, "manage_master_user_password")) and value(conf, "password") is None
        return self.verdict(managed, "manage_master_user_password", "password")


check = CKV_PAY_17()
