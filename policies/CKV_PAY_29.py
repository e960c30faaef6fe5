from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, conditions, names, statements


class CKV_PAY_29(PaymentCheck):
    TITLE = "Resource policies admit an AWS service only on behalf of this account's resources"
    CATEGORY = CheckCategories.IAM
    SEVERITY = "high"
    REMEDIATION = (
        "Add aws:SourceAccount (or aws:SourceArn) conditions to every statement that admits an AWS service principal."
    )
    RESOURCES = ("aws_kms_key", "aws_sns_topic_policy", "aws_s3_bucket_policy")

    # Condition keys that bind a service to this account's resources (confused deputy):
    # the source account or resource, or a KMS encryption context the service sets to its resource.
    BINDING = ("aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "kms:EncryptionContext:")

    def scan_resource_conf(self, conf):
        loose = [
            item.get("Sid", "?")
            for item in statements(conf)
            if item.get("Effect") == "Allow" and services(item) and not self.binds(item)
        ]
        return self.verdict(not loose, "policy")

    def binds(self, item):
        keys = [key for operator in conditions(item).values() for key in operator]
        return any(key.startswith(self.BINDING) for key in keys)


def services(item):
    principal = item.get("Principal")
    return names(principal, "Service") if isinstance(principal, dict) else []


check = CKV_PAY_29()
