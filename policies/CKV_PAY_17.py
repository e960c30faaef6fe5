from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, is_true, literal


class CKV_PAY_17(PaymentCheck):
    TITLE = "The database master password is managed by Secrets Manager"
    CATEGORY = CheckCategories.SECRETS
    SEVERITY = "critical"
    REMEDIATION = "Set manage_master_user_password = true and remove any password literal."
    RESOURCES = ("aws_db_instance",)

    def scan_resource_conf(self, conf):
        # Any password set, whatever its value, is one Secrets Manager does not manage.
        managed = is_true(literal(conf, "manage_master_user_password")) and conf.get("password") in (None, [None])
        return self.verdict(managed, "manage_master_user_password", "password")


check = CKV_PAY_17()
