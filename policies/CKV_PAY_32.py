from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, parameters, text


class CKV_PAY_32(PaymentCheck):
    TITLE = "PostgreSQL parameter groups load pgaudit and audit schema, role and data changes"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "medium"
    REMEDIATION = "Add pgaudit to shared_preload_libraries and set pgaudit.log to include ddl, role and write."
    RESOURCES = ("aws_db_parameter_group",)
    # pgaudit.log classes: DDL, GRANT/REVOKE and role changes, INSERT/UPDATE/DELETE/TRUNCATE/COPY.
    CLASSES = {"ddl", "role", "write"}

    def scan_resource_conf(self, conf):
        family = text(conf, "family") or ""
        if not family.startswith("postgres"):
            return self.out_of_scope(f"a {family or 'unnamed'} parameter group: this check judges PostgreSQL's")
        settings = parameters(conf)
        loaded = "pgaudit" in listed(settings.get("shared_preload_libraries", ""))
        return self.verdict(loaded and self.audits(listed(settings.get("pgaudit.log", ""))), "parameter")

    def audits(self, classes):
        """`all`, or every class wanted, and none of them excluded (`-ddl`)."""
        excluded = {item[1:] for item in classes if item.startswith("-")}
        return ("all" in classes or classes >= self.CLASSES) and not excluded & self.CLASSES


def listed(setting):
    return {item.strip().lower() for item in setting.split(",") if item.strip()}


check = CKV_PAY_32()
