from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, as_list, conditions, names, statements


class CKV_PAY_91(PaymentCheck):
    TITLE = "S3 bucket policies allow every principal nothing unless a condition names whose or where from"
    CATEGORY = CheckCategories.GENERAL_SECURITY
    SEVERITY = "critical"
    REMEDIATION = (
        'Name the principals an Allow is for, or bind a Principal "*" Allow with a condition on '
        "aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn, aws:SourceVpce or aws:SourceVpc."
    )
    RESOURCES = ("aws_s3_bucket_policy", "aws_s3_bucket")

    # Conditions that admit only this organisation's principals, or requests through its network, when
    # every one of their values must match (an IfExists or negated operator admits requests without them).
    BINDING_KEYS = {"aws:principalaccount", "aws:principalorgid", "aws:principalarn", "aws:sourcevpce", "aws:sourcevpc"}
    BINDING_OPERATORS = {"StringEquals", "StringLike", "ArnEquals", "ArnLike"}

    def scan_resource_conf(self, conf):
        unbound = [
            item.get("Sid", "?")
            for item in statements(conf)
            if item.get("Effect") == "Allow" and admits_everyone(item) and not self.binds(item)
        ]
        if unbound:
            self.details.append(f"statements allowing every principal unbound: {', '.join(map(str, unbound))}")
        return self.verdict(not unbound, "policy")

    def binds(self, item):
        return any(
            operator in self.BINDING_OPERATORS and key.lower() in self.BINDING_KEYS
            for operator, keys in conditions(item).items()
            for key in keys
        )


def admits_everyone(item):
    """Principal "*" (or {"AWS": "*"}), or NotPrincipal: everyone but those named."""
    if "NotPrincipal" in item:
        return True
    principal = item.get("Principal")
    if isinstance(principal, dict):
        return "*" in names(principal, "AWS")
    return "*" in as_list(principal)


check = CKV_PAY_91()
