from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, covers, names, statements


class CKV_PAY_43(PaymentCheck):
    TITLE = "Role policies grant data, key and log-writing actions on named resources only"
    CATEGORY = CheckCategories.IAM
    SEVERITY = "high"
    REMEDIATION = (
        "Name the bucket objects, KMS keys and log groups the role needs in the statement's Resource, "
        'never "*" or a whole service\'s ARNs, and never through NotAction or NotResource.'
    )
    # A role's inline_policy blocks grant as its aws_iam_role_policy resources do.
    RESOURCES = ("aws_iam_role_policy", "aws_iam_policy", "aws_iam_role")

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
        if self.entity_type != "aws_iam_role":
            return self.verdict(not self.broad(statements(conf)), "policy")
        inline = blocks(conf, "inline_policy")
        if not inline:
            return self.out_of_scope("the role holds no inline_policy block: its policies are resources of their own")
        return self.verdict(not any(self.broad(statements(block)) for block in inline), "inline_policy")

    def broad(self, found):
        """The allowing statements that grant a sensitive action on more than named resources. NotAction allows
        every action it does not list, NotResource every resource it does not list: both are broad."""
        return [
            item.get("Sid", "?")
            for item in found
            if item.get("Effect") == "Allow"
            and (
                "NotAction" in item
                or (
                    any(covers(item, {action}) for action in self.SENSITIVE)
                    and ("NotResource" in item or any(self.names_everything(r) for r in names(item, "Resource")))
                )
            )
        ]

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
