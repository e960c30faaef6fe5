from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, event_pattern, listed
from stack.tamper import DB_EVENT_CATEGORIES, RDS_INSTANCE_EVENT


class CKV_PAY_71(PaymentCheck):
    TITLE = (
        "A rule on RDS instance events notifies on failures, configuration changes, maintenance, deletion and security"
    )
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "medium"
    REMEDIATION = "Match every event category stack/tamper.py lists in the rule's detail.EventCategories."
    RESOURCES = ("aws_cloudwatch_event_rule",)

    def scan_resource_conf(self, conf):
        pattern = event_pattern(conf)
        if RDS_INSTANCE_EVENT not in listed(pattern.get("detail-type")):
            return self.out_of_scope("the rule does not match RDS instance events")
        detail = pattern.get("detail", {})
        if not isinstance(detail, dict):
            return self.verdict(False, "event_pattern")
        if "EventCategories" not in detail:  # every category notifies
            return self.verdict(True, "event_pattern")
        return self.verdict(set(DB_EVENT_CATEGORIES) <= set(listed(detail["EventCategories"])), "event_pattern")


check = CKV_PAY_71()
