from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, names, statements, text


def _names_its_buckets(resource: str) -> bool:
    """`arn:aws:s3:::bucket/*` names a bucket; `*` or `arn:aws:s3:::*` (any bucket) does not."""
    if ":::" not in resource:
        return False
    bucket = resource.split(":::", 1)[1].split("/", 1)[0]
    return bool(bucket) and "*" not in bucket


class CKV_PAY_20(PaymentCheck):
    TITLE = "VPC gateway endpoints carry a policy that admits only named buckets"
    CATEGORY = CheckCategories.NETWORKING
    SEVERITY = "high"
    REMEDIATION = "Give the gateway endpoint a policy that allows only the stack's named buckets."
    RESOURCES = ("aws_vpc_endpoint",)

    def scan_resource_conf(self, conf):
        kind = text(conf, "vpc_endpoint_type") or "Gateway"  # the provider's default
        if kind != "Gateway":
            return self.out_of_scope(f"a {kind} endpoint: this check judges gateway endpoints")
        # No policy: the endpoint admits every bucket there is.
        allowed = [statement for statement in statements(conf) if statement.get("Effect") == "Allow"]
        named = all(
            "NotResource" not in statement
            and all(_names_its_buckets(resource) for resource in names(statement, "Resource"))
            for statement in allowed
        )
        return self.verdict(bool(allowed) and named, "policy")


check = CKV_PAY_20()
