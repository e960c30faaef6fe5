from checkov.common.models.enums import CheckCategories

from policies.support import PaymentCheck, event_pattern, is_reference, listed
from stack.tamper import CLOUDTRAIL_API_CALL, TamperWatch, watches_of
from tap.expressions import whole_expression

# What a tamper rule may match on. Anything else narrows what it notifies of: an account, a region or
# the event's resources (which CloudTrail's API call events leave empty), an errorCode, a caller.
TOP_LEVEL = {"source", "detail-type", "detail"}
DETAIL = {"eventSource", "eventName", "requestParameters", "$or"}


class CKV_PAY_70(PaymentCheck):
    TITLE = "A rule on a watched service's API calls notifies on every tamper call of its resource family"
    CATEGORY = CheckCategories.LOGGING
    SEVERITY = "high"
    REMEDIATION = (
        "Match every API call stack/tamper.py lists for the family in the rule's eventName, and narrow it by "
        "nothing but the request parameters stack/tamper.py names for it, holding references to its resources."
    )
    RESOURCES = ("aws_cloudwatch_event_rule",)

    def scan_resource_conf(self, conf):
        pattern = event_pattern(conf)
        if CLOUDTRAIL_API_CALL not in listed(pattern.get("detail-type")):
            return self.out_of_scope("the rule does not match API calls recorded by CloudTrail")
        detail = pattern.get("detail", {})
        if not isinstance(detail, dict):
            return self._fails(["its detail is not a set of fields to match"])
        watches = served(pattern, detail, str(conf.get("description", "")))
        if not watches:
            return self.out_of_scope("the rule matches no tamper call of a family the stack watches")
        return self._fails(
            shape_problems(pattern, detail) or [*missed(detail, watches), *scope_problems(detail, watches)]
        )

    def _fails(self, problems: list[str]):
        """FAILED naming each reason the rule notifies of less than its family's tamper calls; else PASSED."""
        self.details.extend(problems)
        return self.verdict(not problems, "event_pattern")


def served(pattern: dict, detail: dict, description: str) -> list[TamperWatch]:
    """The watches a rule serves: of its services, those whose calls it names or whose resources it names
    (a rule naming an ACL but none of its calls, misspelt, serves the ACLs' watch and misses them all).
    A rule naming no call matches every call of its services: it serves all their watches."""
    names = set(listed(detail.get("eventName")))
    text = f"{pattern}{description}"
    return [
        watch
        for source in listed(pattern.get("source"))
        for watch in watches_of(source)
        if "eventName" not in detail or names & set(watch.apis) or f"${{{watch.resource_type}." in text
    ]


def shape_problems(pattern: dict, detail: dict) -> list[str]:
    """Fields beside the calls and the request parameters naming resources: each narrows the rule."""
    problems = [f"it also matches on {key}, which narrows it" for key in sorted(set(pattern) - TOP_LEVEL)]
    problems += [f"its detail also matches on {key}, which narrows it" for key in sorted(set(detail) - DETAIL)]
    alternatives = detail.get("$or", [])
    if not isinstance(alternatives, list) or not all(
        isinstance(branch, dict) and set(branch) == {"requestParameters"} for branch in alternatives
    ):
        problems.append("its $or holds something other than alternative request parameters, which narrows it")
    elif alternatives and "requestParameters" in detail:
        problems.append("it requires requestParameters beside $or's alternatives, which narrows it")
    return problems


def missed(detail: dict, watches: list[TamperWatch]) -> list[str]:
    """The calls of each family the rule does not match. A field it leaves out matches every value."""
    names, sources = set(listed(detail.get("eventName"))), set(listed(detail.get("eventSource")))
    problems = []
    for watch in watches:
        if "eventName" in detail and not set(watch.apis) <= names:
            problems.append(f"it misses {', '.join(sorted(set(watch.apis) - names))} ({watch.family})")
        if "eventSource" in detail and watch.event_source not in sources:
            problems.append(f"its eventSource misses {watch.event_source}, where CloudTrail records {watch.family}")
    return problems


def scope_problems(detail: dict, watches: list[TamperWatch]) -> list[str]:
    """Request parameters narrow a rule to the stack's resources only as its watch names them: each
    documented parameter, alone or as alternatives, holding references to resources of its type."""
    named = [detail["requestParameters"]] if "requestParameters" in detail else []
    named += [branch["requestParameters"] for branch in detail.get("$or", [])]
    if not named:
        return []
    if len(watches) != 1:
        return ["its request parameters narrow the calls of several families, which name resources differently"]
    (watch,) = watches
    if not watch.scopes:
        return [f"{watch.family} are watched region-wide: request parameters narrow it to calls naming them so"]
    problems = []
    for parameters in named:
        if not isinstance(parameters, dict) or len(parameters) != 1:
            problems.append("each requestParameters must name one parameter (several must all match at once)")
            continue
        ((parameter, values),) = parameters.items()
        problems += parameter_problems(watch, parameter, values)
    found = {parameter for parameters in named if isinstance(parameters, dict) for parameter in parameters}
    if watch.parameters - found:
        problems.append(f"it misses the calls naming {watch.family} by {', '.join(sorted(watch.parameters - found))}")
    return problems


def parameter_problems(watch: TamperWatch, parameter: str, values) -> list[str]:
    """A parameter CloudTrail records for the watch, listing references to its resources' right attribute."""
    attributes = {scope.attribute for scope in watch.scopes if scope.parameter == parameter}
    if not attributes:
        return [f"requestParameters.{parameter} is not what CloudTrail records {watch.family} by: it matches nothing"]
    if not isinstance(values, list) or not values:
        return [f"requestParameters.{parameter} is not a list of values"]
    wrong = [value for value in values if not names_resource(value, watch.resource_type, attributes)]
    return [
        f"requestParameters.{parameter} holds {value!r}, not the {' or '.join(sorted(attributes))} "
        f"of a {watch.resource_type}"
        for value in wrong
    ]


def names_resource(value, resource_type: str, attributes: set[str]) -> bool:
    """`${aws_kms_key.data.arn}` for a key's ARN: a reference to an attribute of a resource of the type."""
    if not is_reference(value, resource_type):
        return False
    return whole_expression(value).strip().rsplit(".", 1)[-1] in attributes


check = CKV_PAY_70()
