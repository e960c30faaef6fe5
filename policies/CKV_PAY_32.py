from checkov.common.models.enums import CheckCategories, CheckResult

from policies.support import PaymentCheck, blocks, value


class CKV_PAY_32(PaymentCheck):
    TITLE = "PostgreSQL parameter groups load pgaudit and audit schema, role and data changes"
    CATEGORY = CheckCategories.LOGGING
    RESOURCES = ("aws_db_parameter_group",)

    # pgaudit.log classes: DDL, GRANT/REVOKE and role changes, INSERT/UPDATE/DELETE/TRUNCATE/COPY.
    CLASSES = {"ddl", "role", "write"}

    def scan_resource_conf(self, conf):
        if not str(value(conf, "family", "")).startswith("postgres"):
            return CheckResult.UNKNOWN
        settings = {value(item, "name"): str(value(item, "value", "")) for item in blocks(conf, "parameter")}
        loaded = "pgaudit" in items(settings.get("shared_preload_libraries", ""))
        return self.verdict(loaded and self.audits(items(settings.get("pgaudit.log", ""))), "parameter")

    def audits(self, classes):
        """`all`, or every class wanted, and none of them excluded (`-ddl`)."""
        excluded = {item[1:] for item in classes if item.startswith("-")}
        return ("all" in classes or classes >= self.CLASSES) and not excluded & self.CLASSES


def items(text):
    return {item.strip().lower() for item in text.split(",") if item.strip()}


check = CKV_PAY_32()
