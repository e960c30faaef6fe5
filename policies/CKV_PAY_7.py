from checkov.common.models.enums import CheckCategories

from policies.support import value_check

check = value_check(
    "CKV_PAY_7",
    "Databases and data warehouses are explicitly not publicly accessible",
    CheckCategories.NETWORKING,
    (
        "aws_db_instance",
        "aws_rds_cluster_instance",
        "aws_neptune_cluster_instance",
        "aws_redshift_cluster",
        "aws_redshiftserverless_workgroup",
        "aws_dms_replication_instance",
    ),
    "publicly_accessible",
    False,
    severity="critical",
    remediation="Set publicly_accessible = false on the database, warehouse or replication instance.",
)
