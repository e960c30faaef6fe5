from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, as_list, conditions, statements


class CKV_PAY_61(PaymentCheck):
    TITLE = "KMS key policies allow every principal only when an aws:PrincipalArn condition names who"
    CATEGORY = CheckCategories.ENCRYPTION
    SEVERITY = "high"
    REMEDIATION = (
        "Name the principals that use the key: in the key policy's Principal, or, for a role that may not exist "
        'yet (a service-linked role), in an ArnEquals aws:PrincipalArn condition beside Principal "*".'
    )
    RESOURCES = ("aws_kms_key",)

    # Operators that admit only the ARNs listed (no pattern): the key then serves those principals alone.
    NAMING = {"ArnEquals", "StringEquals"}

    def scan_resource_conf(self, conf):
        unbound = [
            item.get("Sid", "?")
            for item in statements(conf)
            if item.get("Effect") == "Allow" and everyone(item.get("Principal")) and not self.names_principals(item)
        ]
        return self.verdict(not unbound, "policy")

    def names_principals(self, item):
        """A condition that the caller's ARN is one of the listed ones, none of them a pattern."""
        return any(
            operator in self.NAMING
            and (arns := as_list(keys.get("aws:PrincipalArn", [])))
            and all(isinstance(arn, str) and "*" not in arn and "?" not in arn for arn in arns)
            for operator, keys in conditions(item).items()
        )


def everyone(principal):
    """`*`, or an AWS principal list holding `*`: any principal of any account IAM lets through."""
    return principal == "*" or (isinstance(principal, dict) and "*" in as_list(principal.get("AWS", [])))


check = CKV_PAY_61()
