"""What the policies share: reading checkov's view of `cdk.tf.json`, and check shapes.

No check is defined here.

checkov wraps every attribute value in a one-item list, and nested blocks in lists of
dicts; CDKTF writes some booleans as the strings "true"/"false".

A policy never guesses: every reader below raises `NotEvaluated` on a value it cannot judge
(an expression Terraform evaluates only at apply, such as `${var.x}` or `${merge(...)}`, or a
value of the wrong shape), and `PaymentCheck` turns that into UNKNOWN naming the attribute,
which `tap audit` reports as NOT EVALUATED. A reference to another block of the plan
(`${aws_kms_key.data.arn}`) is readable: it says which block holds the value.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import json
import re
from typing import Any

from checkov.common.models.consts import ANY_VALUE
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from stack.contract import OUT_OF_SCOPE_MARK
from tap.expressions import is_reference as _is_traversal
from tap.expressions import unresolved, whole_expression

_SCALARS = (str, int, float, bool)


class NotEvaluated(Exception):
    """A value a policy cannot judge: known only when Terraform evaluates the plan, or not of the shape read."""

    def __init__(self, key: str, why: str):
        super().__init__(f"{key}: {why}")
        self.key = key


def _readable(found: Any, key: str) -> Any:
    if unresolved(found):
        raise NotEvaluated(key, f"{found} is known only when Terraform evaluates the plan")
    return found


def value(conf: dict[str, Any], key: str, default: Any = None) -> Any:
    """The value of `key`, unwrapped from checkov's list. A list's elements are read one by one; a map
    is returned as it is (read its keys with `value(map, key)`)."""
    found = conf.get(key, default) if isinstance(conf, dict) else _not_a_block(conf, key)
    if isinstance(found, list) and len(found) == 1:
        found = found[0]
    if isinstance(found, list):
        return [_readable(item, key) for item in found]
    return _readable(found, key)


def literal(conf: dict[str, Any], key: str, default: Any = None) -> Any:
    """A value that must be written in the plan itself: a reference to another block cannot be judged."""
    found = value(conf, key, default)
    if isinstance(found, str) and whole_expression(found) is not None:
        raise NotEvaluated(key, f"{found} is another block's value, not written in this one")
    return found


def text(conf: dict[str, Any], key: str) -> str | None:
    """A text attribute written in the plan (None when absent)."""
    found = literal(conf, key)
    if found is not None and not isinstance(found, str):
        raise NotEvaluated(key, f"{found!r} is not text")
    return found


def number(conf: dict[str, Any], key: str, default: float = 0) -> float:
    """A number written in the plan, as a number or as its text (`default` when absent)."""
    found = literal(conf, key)
    if found is None:
        return default
    try:
        if isinstance(found, bool):
            raise ValueError
        return float(found)
    except (TypeError, ValueError):
        raise NotEvaluated(key, f"{found!r} is not a number") from None


def items(conf: dict[str, Any], key: str, references: bool = False) -> list[Any]:
    """A list attribute's elements (none when absent); a lone value counts as a list of one. An element
    that is another block's value counts only with `references` (a group id, not a CIDR range)."""
    found = value(conf, key) if references else literal(conf, key)
    if found is None:
        return []
    listed = found if isinstance(found, list) else [found]
    for item in listed:
        if not isinstance(item, _SCALARS):
            raise NotEvaluated(key, f"{found!r} is not a list of values")
        if not references and isinstance(item, str) and whole_expression(item) is not None:
            raise NotEvaluated(key, f"{item} is another block's value, not written in this one")
    return listed


def mapping(conf: dict[str, Any], key: str) -> dict[str, Any]:
    """A map attribute such as `tags` (empty when absent)."""
    found = literal(conf, key)
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise NotEvaluated(key, f"{found!r} is not a map")
    return found


def blocks(conf: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The nested blocks under `key`, however checkov nested them (none when absent)."""
    found = conf.get(key) if isinstance(conf, dict) else _not_a_block(conf, key)
    if found is None:
        return []
    flat = []
    for item in found if isinstance(found, list) else [found]:
        flat.extend(item if isinstance(item, list) else [item])
    for item in flat:
        if not isinstance(item, dict):
            _readable(item, key)
            raise NotEvaluated(key, f"{item!r} is not a block")
    return flat


def parameters(conf: dict[str, Any]) -> dict[str, str]:
    """A parameter group's settings: name -> value, as text."""
    return {text(item, "name"): str(literal(item, "value")) for item in blocks(conf, "parameter")}


def _not_a_block(conf: Any, key: str) -> Any:
    _readable(conf, key)
    raise NotEvaluated(key, f"{conf!r} is not a block holding {key}")


def reaches_internet(cidr: Any, key: str) -> bool:
    """A range holding any address beyond the private and reserved ones (`0.0.0.0/0`, `0::/0`, `0.0.0.0/1`...)."""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except (TypeError, ValueError):
        raise NotEvaluated(key, f"{cidr!r} is not a network") from None
    return not network.is_private


def is_true(found: Any) -> bool:
    return found is True or (isinstance(found, str) and found.lower() == "true")


def is_false(found: Any) -> bool:
    return found is False or (isinstance(found, str) and found.lower() == "false")


def is_reference(found: Any, resource_type: str = "") -> bool:
    """A Terraform reference such as `${aws_kms_key.data.arn}`, to a block of `resource_type` if given."""
    expression = whole_expression(found)
    return (
        expression is not None
        and _is_traversal(expression)
        and (not resource_type or expression.strip().startswith(f"{resource_type}."))
    )


class PaymentCheck(BaseResourceCheck):
    """A resource check whose id is its class name; subclasses set TITLE, CATEGORY, RESOURCES, SEVERITY, REMEDIATION."""

    TITLE: str
    CATEGORY: CheckCategories
    RESOURCES: tuple[str, ...]
    # What the report shows with a failed or waived finding: critical, high, medium or low, and the fix in a line.
    SEVERITY: str
    REMEDIATION: str

    def __init__(self) -> None:
        super().__init__(
            name=self.TITLE, id=type(self).__name__, categories=[self.CATEGORY], supported_resources=self.RESOURCES
        )

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:
        try:
            return super().scan_entity_conf(conf, entity_type)
        except NotEvaluated as error:
            self.evaluated_keys = [error.key]
            self.details.append(str(error))
            return CheckResult.UNKNOWN

    def verdict(self, passed: bool, *keys: str) -> CheckResult:
        """PASSED or FAILED, recording the keys the decision read (the report shows them)."""
        self.evaluated_keys = list(keys)
        return CheckResult.PASSED if passed else CheckResult.FAILED

    def out_of_scope(self, reason: str) -> CheckResult:
        """The resource is of a type this check selects but has nothing for it to judge: not applicable."""
        self.details.append(f"{OUT_OF_SCOPE_MARK}{reason}")
        return CheckResult.UNKNOWN


def value_check(
    check_id: str,
    title: str,
    category: CheckCategories,
    resources: tuple[str, ...],
    key: str,
    expected: Any,
    *,
    severity: str,
    remediation: str,
) -> PaymentCheck:
    """A declarative check: `key` (a path such as `access_logs/[0]/enabled`) holds `expected` (ANY_VALUE: is set).

    Read with this module's readers, not checkov's value check, which raises on map keys Terraform allows.
    """

    def scan_resource_conf(self: PaymentCheck, conf: dict[str, Any]) -> CheckResult:
        if expected == ANY_VALUE:
            return self.verdict(value_at(conf, key) not in (None, "", []), key)
        return self.verdict(holds(conf, key, expected), key)

    members = {
        "TITLE": title,
        "CATEGORY": category,
        "RESOURCES": resources,
        "SEVERITY": severity,
        "REMEDIATION": remediation,
        "scan_resource_conf": scan_resource_conf,
    }
    return type(check_id, (PaymentCheck,), members)()


def value_at(conf: dict[str, Any], key: str) -> Any:
    """The value at a path of attribute names and block indices (`a/[0]/b`); None where it leads nowhere."""
    *steps, last = key.split("/")
    for number, step in enumerate(steps):
        if re.fullmatch(r"\[\d+\]", step):
            continue  # the index is applied with the block's name, just before
        index = int(steps[number + 1][1:-1]) if number + 1 < len(steps) and steps[number + 1].startswith("[") else 0
        found = blocks(conf, step)
        if index >= len(found):
            return None
        conf = found[index]
    return value(conf, last)


def holds(conf: dict[str, Any], key: str, expected: Any) -> bool:
    """The value at `key` (a path, as `value_at` reads it) is `expected`, written in this block:
    true or false in either of CDKTF's spellings, anything else as it is."""
    found = value_at(conf, key)
    if isinstance(found, str) and whole_expression(found) is not None:
        raise NotEvaluated(key, f"{found} is another block's value, not written in this one")
    return is_true(found) if expected is True else is_false(found) if expected is False else found == expected


def plan_key(conf: dict[str, Any], key: str) -> bool:
    """The key named at `key` is a KMS key created in this plan (`${aws_kms_key.x.arn}`): not an AWS-managed
    key, an alias or a literal id, which the plan cannot show to be customer-managed."""
    return is_reference(value_at(conf, key), "aws_kms_key")


def statements(conf: dict[str, Any], key: str = "policy") -> list[dict[str, Any]]:
    """The statements of a JSON policy document attribute (a string in `cdk.tf.json`); none when absent."""
    document = literal(conf, key)
    if document is None:
        return []
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            raise NotEvaluated(key, "is not a JSON policy document") from None
    if not isinstance(document, dict):
        raise NotEvaluated(key, f"{document!r} is not a policy document")
    found = document.get("Statement", [])
    listed = [found] if isinstance(found, dict) else found
    if not isinstance(listed, list) or not all(isinstance(item, dict) for item in listed):
        raise NotEvaluated(key, "its Statement is not a list of statements")
    return listed


def as_list(found: Any) -> list[Any]:
    """A policy element that may be one value or a list of them."""
    return found if isinstance(found, list) else [found]


def names(item: dict[str, Any], element: str, key: str = "policy") -> list[str]:
    """A statement's Action, Resource or principal list: names only (IAM refuses anything else)."""
    found = as_list(item.get(element, []))
    if not all(isinstance(name, str) for name in found):
        raise NotEvaluated(key, f"a statement's {element} holds something other than names")
    return found


def conditions(item: dict[str, Any], key: str = "policy") -> dict[str, dict[str, Any]]:
    """A statement's Condition block: operator -> {condition key: values}."""
    found = item.get("Condition") or {}
    if not isinstance(found, dict) or not all(isinstance(keys, dict) for keys in found.values()):
        raise NotEvaluated(key, "a statement's Condition is not a map of operators to condition keys")
    return found


def is_everyone(principal: Any) -> bool:
    return principal == "*" or (isinstance(principal, dict) and as_list(principal.get("AWS")) == ["*"])


def covers(item: dict[str, Any], wanted: set[str]) -> bool:
    """The statement's actions (wildcards allowed, case-insensitive as in IAM) include every wanted one."""
    patterns = [action.lower() for action in names(item, "Action")]
    return all(any(fnmatch.fnmatchcase(action.lower(), pattern) for pattern in patterns) for action in wanted)


def receives_deliveries(statements: list[dict[str, Any]]) -> bool:
    """A bucket whose policy lets some principal put objects: a sink AWS delivery services write logs into.

    Data is written by principals IAM allows, so a data bucket's policy grants no one s3:PutObject.
    """
    return any(item.get("Effect") == "Allow" and covers(item, {"s3:PutObject"}) for item in statements)


def only_condition(item: dict[str, Any], operators: set[str], key: str) -> bool:
    """The statement's only condition is `key`, under these operators, with some value.

    A deny with any further condition denies less: each condition must hold for it to apply.
    """
    condition = conditions(item)
    return bool(condition) and all(
        operator in operators and set(keys) == {key} and as_list(keys[key]) for operator, keys in condition.items()
    )


def event_pattern(conf: dict[str, Any]) -> dict[str, Any]:
    """An EventBridge rule's event pattern (a JSON string in `cdk.tf.json`); empty when absent."""
    found = text(conf, "event_pattern")
    try:
        pattern = json.loads(found or "{}")
    except ValueError:
        raise NotEvaluated("event_pattern", "is not a JSON event pattern") from None
    if not isinstance(pattern, dict):
        raise NotEvaluated("event_pattern", f"{pattern!r} is not an event pattern")
    return pattern


def listed(found: Any) -> list[str]:
    """An event pattern field's values: a list of strings (anything else matches no plain value)."""
    return [item for item in found if isinstance(item, str)] if isinstance(found, list) else []


def classic_protocols(conf: dict[str, Any]) -> set[str]:
    """The protocols a classic load balancer (aws_elb) accepts clients on: HTTP, HTTPS, TCP, SSL."""
    return {(text(listener, "lb_protocol") or "").upper() for listener in blocks(conf, "listener")}
