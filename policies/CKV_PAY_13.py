from checkov.common.models.enums import CheckCategories, CheckResult

from policies.support import PaymentCheck, blocks, value


class CKV_PAY_13(PaymentCheck):
    TITLE = "PostgreSQL parameter groups refuse unencrypted connections"
    CATEGORY = CheckCategories.ENCRYPTION
    RESOURCES = ("aws_db_parameter_group",)

    def scan_resource_conf(self, conf):
        if not str(value(conf, "family", "")).startswith("postgres"):
            return CheckResult.UNKNOWN
        settings = {value(item, "name"): str(value(item, "value")) for item in blocks(conf, "parameter")}
        return self.verdict(settings.get("rds.force_ssl") == "1", "parameter")


check = CKV_PAY_13()
