from checkov.common.models.consts import ANY_VALUE
from checkov.common.models.enums import CheckCategories

from policies.support import value_check

check = value_check(
    "CKV_PAY_4",
    "The database master user secret is encrypted with a customer-managed KMS key",
    CheckCategories.ENCRYPTION,
    ("aws_db_instance",),
    "master_user_secret_kms_key_id",
    ANY_VALUE,
)
