from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, items, text


class CKV_PAY_15(PaymentCheck):
    TITLE = "Databases export their engine log to CloudWatch"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "medium"
    REMEDIATION = "Set enabled_cloudwatch_logs_exports to include the engine's log (postgresql)."
    RESOURCES = ("aws_db_instance",)

    # The engine's own log, per engine: connections, errors and (with pgaudit) statements.
    ENGINE_LOGS = {"postgres": "postgresql", "mysql": "error", "mariadb": "error"}

    def scan_resource_conf(self, conf):
        wanted = self.ENGINE_LOGS.get(text(conf, "engine"), "")
        exports = items(conf, "enabled_cloudwatch_logs_exports")
        return self.verdict(wanted in exports, "enabled_cloudwatch_logs_exports")


check = CKV_PAY_15()
