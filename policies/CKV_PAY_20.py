import json

from checkov.common.models.enums import CheckCategories, CheckResult

from policies.support import PaymentCheck, value


def _names_its_buckets(resource: str) -> bool:
    """`arn:aws:s3:::bucket/*` names a bucket; `*` or `arn:aws:s3:::*` (any bucket) does not."""
    if not isinstance(resource, str) or ":::" not in resource:
        return False
    bucket = resource.split(":::", 1)[1].split("/", 1)[0]
    return bool(bucket) and "*" not in bucket


class CKV_PAY_20(PaymentCheck):
    TITLE = "VPC gateway endpoints carry a policy that admits only named buckets"
    CATEGORY = CheckCategories.NETWORKING
    RESOURCES = ("aws_vpc_endpoint",)

    def scan_resource_conf(self, conf):
        if (value(conf, "vpc_endpoint_type") or "Gateway") != "Gateway":
            return CheckResult.UNKNOWN  # interface endpoints are CKV_PAY_21's concern
        try:
            statements = json.loads(value(conf, "policy") or "")["Statement"]
        except (TypeError, ValueError, KeyError):
            return self.verdict(False, "policy")  # no policy: the endpoint admits every bucket there is
        allowed = [statement for statement in statements if statement.get("Effect") == "Allow"]
        named = all(
            "NotResource" not in statement
            and all(_names_its_buckets(resource) for resource in _as_list(statement.get("Resource")))
            for statement in allowed
        )
        return self.verdict(bool(allowed) and named, "policy")


def _as_list(item) -> list:
    return item if isinstance(item, list) else [item]


check = CKV_PAY_20()
