from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, event_pattern, listed
from stack.tamper import CLOUDTRAIL_API_CALL, watch_of


class CKV_PAY_70(PaymentCheck):
    TITLE = "A rule on a watched service's API calls notifies on every tamper call of its resource family"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "high"
    REMEDIATION = (
        "Match every API call stack/tamper.py lists for the service in the rule's eventName, "
        "and narrow it by nothing but the request parameters naming the stack's resources."
    )
    RESOURCES = ("aws_cloudwatch_event_rule",)

    # What a tamper rule's detail may hold: anything else (an errorCode, a user) narrows what it notifies.
    MATCHED = {"eventSource", "eventName", "requestParameters", "$or"}

    def scan_resource_conf(self, conf):
        pattern = event_pattern(conf)
        if CLOUDTRAIL_API_CALL not in listed(pattern.get("detail-type")):
            return self.out_of_scope("the rule does not match API calls recorded by CloudTrail")
        watches = [watch for watch in map(watch_of, listed(pattern.get("source"))) if watch]
        if not watches:
            return self.out_of_scope("the rule matches no service whose tamper calls the stack watches")
        detail = pattern.get("detail", {})
        if not isinstance(detail, dict):
            return self.verdict(False, "event_pattern")
        # A field the detail leaves out matches every value: every call, from every event source.
        names, sources = set(listed(detail.get("eventName"))), set(listed(detail.get("eventSource")))
        complete = all(
            ("eventName" not in detail or set(watch.apis) <= names)
            and ("eventSource" not in detail or watch.event_source in sources)
            for watch in watches
        )
        return self.verdict(complete and narrows_only_by_resource(detail), "event_pattern")


def narrows_only_by_resource(detail: dict) -> bool:
    """The detail matches the calls and, beside them, only the request parameters that name resources:
    as alternatives (`$or`) too. Anything else (an errorCode, a caller) notifies of less."""
    alternatives = detail.get("$or", [])
    return (
        set(detail) <= CKV_PAY_70.MATCHED
        and isinstance(alternatives, list)
        and all(isinstance(branch, dict) and set(branch) == {"requestParameters"} for branch in alternatives)
    )


check = CKV_PAY_70()
