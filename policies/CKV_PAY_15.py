from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, items, text


class CKV_PAY_15(PaymentCheck):
    TITLE = "Databases export their engine log to CloudWatch"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "medium"
    REMEDIATION = (
        "Set enabled_cloudwatch_logs_exports on the database or cluster to include the engine's log "
        "(postgresql; error for MySQL and MariaDB)."
    )
    RESOURCES = ("aws_db_instance", "aws_rds_cluster")

    # The engine's own log, per engine: connections, errors and (with pgaudit) statements.
    # An engine not listed here fails: its log is not known to be exported.
    ENGINE_LOGS = {
        "postgres": "postgresql",
        "aurora-postgresql": "postgresql",
        "mysql": "error",
        "mariadb": "error",
        "aurora-mysql": "error",
        "aurora": "error",  # Aurora MySQL 5.6
    }

    def scan_resource_conf(self, conf):
        wanted = self.ENGINE_LOGS.get(text(conf, "engine"))
        exports = items(conf, "enabled_cloudwatch_logs_exports")
        return self.verdict(wanted is not None and wanted in exports, "enabled_cloudwatch_logs_exports")


check = CKV_PAY_15()
