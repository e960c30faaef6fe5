from checkov.common.models.enums import CheckCategories

from policies.support import value_check

check = value_check(
    "CKV_PAY_7",
    "Databases are explicitly not publicly accessible",
    CheckCategories.NETWORKING,
    ("aws_db_instance",),
    "publicly_accessible",
    False,
    severity="critical",
    remediation="Set publicly_accessible = false on the database.",
)
