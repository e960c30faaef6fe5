import re

from checkov.common.models.enums import CheckCategories

from policies.support import (
    NotEvaluated,
    PaymentCheck,
    as_list,
    conditions,
    covers,
    is_everyone,
    is_reference,
    names,
    receives_deliveries,
    statements,
    value,
)
from tap.expressions import segments, whole_expression

# The services AWS delivers logs into a bucket as, named by aws:PrincipalServiceName.
DELIVERY_SERVICES = frozenset(
    {"logging.s3.amazonaws.com", "delivery.logs.amazonaws.com", "logdelivery.elasticloadbalancing.amazonaws.com"}
)
# The Elastic Load Balancing account of the region, as the provider looks it up: aws:PrincipalAccount.
ELB_ACCOUNT = re.compile(r"data\.aws_elb_service_account\.[A-Za-z_][\w-]*\.id")
# Attributes of a bucket block that hold its name.
BUCKET_NAME_ATTRIBUTES = ("id", "bucket")


class CKV_PAY_62(PaymentCheck):
    TITLE = "S3 buckets that receive log deliveries deny writing objects to every principal but the delivery service"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "high"
    REMEDIATION = (
        'Add a Deny of s3:PutObject to Principal "*" on this bucket\'s objects (its ARN followed by "/*"), with '
        "one condition exempting only a delivery service: StringNotEquals aws:PrincipalServiceName (the S3 "
        "logging, CloudWatch Logs delivery or Elastic Load Balancing log delivery service) or aws:PrincipalAccount "
        "(the Elastic Load Balancing account, from the aws_elb_service_account data source)."
    )
    RESOURCES = ("aws_s3_bucket_policy",)

    WRITES = {"s3:PutObject"}

    def scan_resource_conf(self, conf):
        found = statements(conf)
        if not receives_deliveries(found):
            return self.out_of_scope("no service delivers logs into this bucket: CKV_PAY_33 judges data buckets")
        objects = objects_of(value(conf, "bucket"))
        return self.verdict(any(self.denies_all_but_delivery(item, objects) for item in found), "policy", "bucket")

    def denies_all_but_delivery(self, item, objects):
        # One condition only: each condition must hold for a Deny to apply, so a second one denies less.
        condition = conditions(item)
        if not (
            item.get("Effect") == "Deny"
            and is_everyone(item.get("Principal"))
            and covers(item, self.WRITES)
            and any(covers_objects(pattern, objects) for pattern in names(item, "Resource"))
            and len(condition) == 1
        ):
            return False
        ((operator, keys),) = condition.items()
        if operator != "StringNotEquals" or len(keys) != 1:
            return False
        ((key, exempted),) = keys.items()
        return bool(as_list(exempted)) and all(is_delivery(key, principal) for principal in as_list(exempted))


def is_delivery(key, principal) -> bool:
    """A principal only AWS's log delivery writes as."""
    if key == "aws:PrincipalServiceName":
        return principal in DELIVERY_SERVICES
    if key == "aws:PrincipalAccount":
        return is_reference(principal) and bool(ELB_ACCOUNT.fullmatch(whole_expression(principal).strip()))
    return False


def objects_of(bucket) -> list[str]:
    """The ways an ARN may name the bucket's objects, up to the key: `arn:aws:s3:::<name>/`, and for a
    bucket named by reference, `${<block>.arn}/` and the block's name inside an ARN."""
    if not isinstance(bucket, str) or not bucket:
        raise NotEvaluated("bucket", f"{bucket!r} is not a bucket's name")
    found = [f"arn:aws:s3:::{bucket}/"]
    if is_reference(bucket):
        block, _, attribute = whole_expression(bucket).strip().rpartition(".")
        if attribute in BUCKET_NAME_ATTRIBUTES:
            found += [f"${{{block}.arn}}/", *(f"arn:aws:s3:::${{{block}.{name}}}/" for name in BUCKET_NAME_ATTRIBUTES)]
    return found


def covers_objects(pattern: str, objects: list[str]) -> bool:
    """The Resource pattern matches every object of the bucket: it ends in `*` and what comes before
    matches the start of the objects' ARN. Only `*` counts as a wildcard (a `?` stands for one character,
    not for a whole name the plan does not spell out); an interpolation is one opaque token, matched only
    by itself or by a `*`."""
    if not pattern.endswith("*") or "?" in pattern or any(_is_token(char) for char in pattern):
        return False
    tokens: dict[str, str] = {}
    head = re.compile(".*".join(re.escape(part) for part in _opaque(pattern[:-1], tokens).split("*")), re.DOTALL)
    return any(
        head.fullmatch(arn[:end]) for arn in (_opaque(arn, tokens) for arn in objects) for end in range(len(arn) + 1)
    )


TOKENS = 0xE000  # Unicode's private use area: characters no ARN holds


def _is_token(char: str) -> bool:
    return TOKENS <= ord(char) <= 0xF8FF


def _opaque(text: str, tokens: dict[str, str]) -> str:
    """The text with each `${...}` interpolation replaced by one character of its own (the same in every text)."""
    return "".join(
        content if kind == "text" else tokens.setdefault(kind + content, chr(TOKENS + len(tokens)))
        for kind, content in segments(text)
    )


check = CKV_PAY_62()
