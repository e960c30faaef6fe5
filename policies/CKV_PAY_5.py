from checkov.common.models.enums import CheckCategories

from policies.support import value_check

check = value_check(
    "CKV_PAY_5",
    "KMS keys rotate automatically",
    CheckCategories.ENCRYPTION,
    ("aws_kms_key",),
    "enable_key_rotation",
    True,
    severity="medium",
    remediation="Set enable_key_rotation = true on the key.",
)
