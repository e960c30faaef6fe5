from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, covers, is_everyone, only_condition, receives_deliveries, statements


class CKV_PAY_33(PaymentCheck):
    TITLE = "S3 data bucket policies keep object data to named principals reaching it through a VPC endpoint"
    CATEGORY = CheckCategories.IAM
    SEVERITY = "critical"
    REMEDIATION = (
        "Restrict object actions in the data bucket's policy to the named roles and to requests through the "
        "stack's VPC endpoint (aws:SourceVpce)."
    )
    RESOURCES = ("aws_s3_bucket_policy",)

    OBJECT_DATA = {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    # Two denies: conditions within one statement must all hold, so one deny on both keys
    # would refuse only requests that are wrong twice over.
    ENDPOINT = ({"StringNotEquals", "StringNotEqualsIfExists"}, "aws:SourceVpce")
    PRINCIPAL = ({"ArnNotEquals", "ArnNotLike", "StringNotEquals", "StringNotLike"}, "aws:PrincipalArn")

    def scan_resource_conf(self, conf):
        found = statements(conf)
        if receives_deliveries(found):
            return self.out_of_scope(
                "a log bucket, written by a delivery service from outside the VPC: CKV_PAY_30 judges it"
            )
        denies = [item for item in found if self.denies_object_data(item)]
        confined = all(
            any(only_condition(item, operators, key) for item in denies)
            for operators, key in (self.ENDPOINT, self.PRINCIPAL)
        )
        return self.verdict(confined, "policy")

    def denies_object_data(self, item):
        return item.get("Effect") == "Deny" and is_everyone(item.get("Principal")) and covers(item, self.OBJECT_DATA)


check = CKV_PAY_33()
