from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, parameters, text


class CKV_PAY_13(PaymentCheck):
    TITLE = "Database parameter groups refuse unencrypted connections"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = (
        "Set rds.force_ssl = 1 (PostgreSQL, Aurora PostgreSQL, SQL Server) or require_secure_transport = 1 "
        "(MySQL, MariaDB, Aurora MySQL) in the parameter group; for Aurora, in the cluster parameter group."
    )
    RESOURCES = ("aws_db_parameter_group", "aws_rds_cluster_parameter_group")

    # Per engine family (the first prefix that matches): the parameter that refuses plain connections,
    # and the values that turn it on.
    FORCE_SSL = ("rds.force_ssl", {"1"})
    SECURE_TRANSPORT = ("require_secure_transport", {"1", "ON"})
    ENGINES = (
        ("aurora-postgresql", FORCE_SSL),
        ("aurora", SECURE_TRANSPORT),  # aurora-mysql*, and aurora5.6 (MySQL 5.6 compatible)
        ("postgres", FORCE_SSL),
        ("mysql", SECURE_TRANSPORT),
        ("mariadb", SECURE_TRANSPORT),
        ("sqlserver", FORCE_SSL),
    )

    def scan_resource_conf(self, conf):
        family = text(conf, "family") or ""
        if family.startswith("aurora") and self.entity_type == "aws_db_parameter_group":
            return self.out_of_scope(
                f"an Aurora instance parameter group ({family}): Aurora sets TLS in the cluster parameter group"
            )
        rule = next((setting for prefix, setting in self.ENGINES if family.startswith(prefix)), None)
        if rule is None:
            return self.out_of_scope(
                f"a {family or 'unnamed'} parameter group: this check judges PostgreSQL, MySQL, MariaDB and SQL Server"
            )
        name, accepted = rule
        return self.verdict(parameters(conf).get(name, "").upper() in accepted, "parameter")


check = CKV_PAY_13()
