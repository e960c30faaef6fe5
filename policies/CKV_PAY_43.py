from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, covers, names, statements


class CKV_PAY_43(PaymentCheck):
    TITLE = "Role policies grant data, key and log-writing actions on named resources only"
    CATEGORY = CheckCategories.IAM
    SEVERITY = "high"
    REMEDIATION = (
        "Name the bucket objects, KMS keys and log groups the role needs in the statement's Resource, "
        'never "*" or a whole service\'s ARNs.'
    )
    RESOURCES = ("aws_iam_role_policy", "aws_iam_policy")

    # Any one of them on everything reads cardholder data, decrypts it, or writes into any log.
    SENSITIVE = (
        "s3:GetObject",
        "s3:PutObject",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "kms:Encrypt",
        "logs:PutLogEvents",
        "logs:CreateLogStream",
    )
    # Resource types whose ARNs name a key or a log group after them.
    RESOURCE_TYPES = ("key/", "alias/", "log-group:")

    def scan_resource_conf(self, conf):
        broad = [
            item.get("Sid", "?")
            for item in statements(conf)
            if item.get("Effect") == "Allow"
            and any(covers(item, {action}) for action in self.SENSITIVE)
            and any(self.names_everything(resource) for resource in names(item, "Resource"))
        ]
        return self.verdict(not broad, "policy")

    def names_everything(self, resource):
        """`*`, or an ARN whose resource part is only wildcards (`arn:aws:s3:::*/*`, `...:key/*`, `...:log-group:*`)."""
        if resource.startswith("${"):  # a reference names one block of the plan
            return False
        parts = resource.split(":", 5)
        rest = parts[5] if len(parts) == 6 else resource
        for type_ in self.RESOURCE_TYPES:
            rest = rest.removeprefix(type_)
        return set(rest) <= set("*/:")


check = CKV_PAY_43()
