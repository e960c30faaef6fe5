import re

from checkov.common.models.enums import CheckCategories

from policies.support import (
    PaymentCheck,
    as_list,
    conditions,
    covers,
    is_everyone,
    names,
    receives_deliveries,
    statements,
)


class CKV_PAY_62(PaymentCheck):
    TITLE = "S3 buckets that receive log deliveries deny writing objects to every principal but the delivery service"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "high"
    REMEDIATION = (
        'Add a Deny of s3:PutObject to Principal "*" on the log bucket\'s objects, with one condition exempting only '
        "the delivery service the bucket grants: StringNotEquals aws:PrincipalServiceName (a service principal) or "
        "aws:PrincipalAccount (the Elastic Load Balancing account)."
    )
    RESOURCES = ("aws_s3_bucket_policy",)

    WRITES = {"s3:PutObject"}
    # `${data.aws_elb_service_account.elb.arn}` and `.id` name the same account: the block they refer to.
    BLOCK_ATTRIBUTE = re.compile(r"\$\{(.+)\.(arn|id|account_id)\}")
    ACCOUNT_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):.*")

    def scan_resource_conf(self, conf):
        found = statements(conf)
        if not receives_deliveries(found):
            return self.out_of_scope("no service delivers logs into this bucket: CKV_PAY_33 judges data buckets")
        writers = self.granted_writers(found)
        return self.verdict(any(self.denies_all_but(item, writers) for item in found), "policy")

    def granted_writers(self, found):
        """The delivery services the policy lets write: condition key -> the values that name them in a request."""
        services, accounts, arns = set(), set(), set()
        for item in found:
            if item.get("Effect") != "Allow" or not covers(item, self.WRITES):
                continue
            principal = item.get("Principal")
            if not isinstance(principal, dict):
                continue
            services.update(names(principal, "Service"))
            for arn in names(principal, "AWS"):
                arns.add(arn)
                accounts.add(self.account(arn))
        return {"aws:PrincipalServiceName": services, "aws:PrincipalAccount": accounts, "aws:PrincipalArn": arns}

    def account(self, principal):
        """A principal's account: its digits, or the block a reference to it names."""
        reference = self.BLOCK_ATTRIBUTE.fullmatch(principal)
        if reference:
            return reference.group(1)
        literal = self.ACCOUNT_ARN.fullmatch(principal)
        return literal.group(1) if literal else principal

    def denies_all_but(self, item, writers):
        # One condition only: each condition must hold for a Deny to apply, so a second one denies less.
        condition = conditions(item)
        if not (
            item.get("Effect") == "Deny"
            and is_everyone(item.get("Principal"))
            and covers(item, self.WRITES)
            and len(condition) == 1
        ):
            return False
        ((operator, keys),) = condition.items()
        if operator not in ("StringNotEquals", "ArnNotEquals") or len(keys) != 1:
            return False
        ((key, exempted),) = keys.items()
        granted = writers.get(key, set())
        exempted = [self.account(value) if key == "aws:PrincipalAccount" else value for value in as_list(exempted)]
        return bool(exempted) and all(isinstance(value, str) and value in granted for value in exempted)


check = CKV_PAY_62()
