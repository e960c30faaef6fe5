from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, blocks, text


class CKV_PAY_26(PaymentCheck):
    TITLE = "WAF logs redact the authorization header, cookies and the query string"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "high"
    REMEDIATION = (
        "Add redacted_fields for the authorization header, the cookie header and the query string to the WAF "
        "logging configuration."
    )
    RESOURCES = ("aws_wafv2_web_acl_logging_configuration",)

    # Credentials, and where a client can put a PAN: none may be written to a log in clear.
    HEADERS = {"authorization", "cookie"}

    def scan_resource_conf(self, conf):
        fields = blocks(conf, "redacted_fields")
        headers = {
            (text(header, "name") or "").lower() for field in fields for header in blocks(field, "single_header")
        }
        query_string = any("query_string" in field for field in fields)
        return self.verdict(headers >= self.HEADERS and query_string, "redacted_fields")


check = CKV_PAY_26()
