from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, parameters, text


class CKV_PAY_13(PaymentCheck):
    TITLE = "PostgreSQL parameter groups refuse unencrypted connections"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = "Set the parameter rds.force_ssl = 1 in the PostgreSQL parameter group."
    RESOURCES = ("aws_db_parameter_group",)

    def scan_resource_conf(self, conf):
        family = text(conf, "family") or ""
        if not family.startswith("postgres"):
            return self.out_of_scope(f"a {family or 'unnamed'} parameter group: this check judges PostgreSQL's")
        return self.verdict(parameters(conf).get("rds.force_ssl") == "1", "parameter")


check = CKV_PAY_13()
