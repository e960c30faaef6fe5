from checkov.common.models.enums import CheckCategories

from policies.support import value_check

check = value_check(
    "CKV_PAY_14",
    "Load balancers write access logs",
    CheckCategories.LOGGING,
    (
        "aws_lb",
        "aws_alb",
    ),
    "access_logs/[0]/enabled",
    True,
    severity="medium",
    remediation="Set access_logs { enabled = true } with the stack's log bucket on the load balancer.",
)
