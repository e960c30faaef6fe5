from checkov.common.models.consts import ANY_VALUE
from checkov.common.models.enums import CheckCategories

from policies.support import value_check

check = value_check(
    "CKV_PAY_3",
    "CloudWatch log groups are encrypted with a KMS key",
    CheckCategories.ENCRYPTION,
    ("aws_cloudwatch_log_group",),
    "kms_key_id",
    ANY_VALUE,
    severity="medium",
    remediation="Set kms_key_id on the log group to the stack's log key.",
)
