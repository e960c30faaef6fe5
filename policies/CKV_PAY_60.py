from checkov.common.models.enums import CheckCategories

from policies.support import NotEvaluated, PaymentCheck, names, statements


class CKV_PAY_60(PaymentCheck):
    TITLE = "Log data protection policies audit and mask card numbers"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "high"
    REMEDIATION = (
        "Give the data protection policy an Audit statement and a Deidentify statement with MaskConfig, each naming "
        "the managed data identifier arn:aws:dataprotection::aws:data-identifier/CreditCardNumber."
    )
    RESOURCES = ("aws_cloudwatch_log_data_protection_policy",)

    CARD_NUMBER = "arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"
    KEY = "policy_document"

    def scan_resource_conf(self, conf):
        found = [
            item for item in statements(conf, self.KEY) if self.CARD_NUMBER in names(item, "DataIdentifier", self.KEY)
        ]
        operations = [self.operation(item) for item in found]
        audits = any("Audit" in operation for operation in operations)
        masks = any(
            isinstance(operation.get("Deidentify"), dict) and "MaskConfig" in operation["Deidentify"]
            for operation in operations
        )
        return self.verdict(audits and masks, self.KEY)

    def operation(self, item):
        found = item.get("Operation", {})
        if not isinstance(found, dict):
            raise NotEvaluated(self.KEY, "a statement's Operation is not a map")
        return found


check = CKV_PAY_60()
