import json

from checkov.common.models.enums import CheckCategories

from policies.support import NotEvaluated, PaymentCheck, is_true, literal, text


class CKV_PAY_42(PaymentCheck):
    TITLE = "Session preferences encrypt and log the sessions started with them, ending them after 15 idle minutes"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "high"
    REMEDIATION = (
        "In the Session document set inputs.kmsKeyId to the stack's key, cloudWatchLogGroupName with "
        "cloudWatchEncryptionEnabled = true, and idleSessionTimeout to 15 or less."
    )
    RESOURCES = ("aws_ssm_document",)

    IDLE_MINUTES = 15

    def scan_resource_conf(self, conf):
        if text(conf, "document_type") != "Session":
            return self.out_of_scope("not a Session document: it holds no Session Manager preferences")
        inputs = self.inputs(conf)
        idle = str(inputs.get("idleSessionTimeout", ""))
        passed = (
            bool(inputs.get("kmsKeyId"))
            and bool(inputs.get("cloudWatchLogGroupName"))
            and is_true(inputs.get("cloudWatchEncryptionEnabled"))
            and idle.isdigit()
            and 1 <= int(idle) <= self.IDLE_MINUTES
        )
        return self.verdict(passed, "content")

    @staticmethod
    def inputs(conf):
        content = literal(conf, "content")
        try:
            document = json.loads(content) if isinstance(content, str) else content
        except ValueError:
            raise NotEvaluated("content", "is not a JSON document (YAML is not read)") from None
        inputs = document.get("inputs") if isinstance(document, dict) else None
        if not isinstance(inputs, dict):
            raise NotEvaluated("content", "has no inputs map")
        return inputs


check = CKV_PAY_42()
