"""What the policies share: reading checkov's view of `cdk.tf.json`, and check shapes.

No check is defined here.

checkov wraps every attribute value in a one-item list, and nested blocks in lists of
dicts; CDKTF writes some booleans as the strings "true"/"false".
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from checkov.terraform.checks.resource.base_resource_value_check import BaseResourceValueCheck

WORLD = ("0.0.0.0/0", "::/0")


def value(conf: dict[str, Any], key: str, default: Any = None) -> Any:
    """The value of `key`, unwrapped from checkov's list."""
    found = conf.get(key, default)
    if isinstance(found, list) and len(found) == 1:
        return found[0]
    return found


def blocks(conf: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The nested blocks under `key`, however checkov nested them."""
    found = conf.get(key) or []
    if isinstance(found, dict):
        return [found]
    flat = []
    for item in found:
        flat.extend(item if isinstance(item, list) else [item])
    return [item for item in flat if isinstance(item, dict)]


def is_true(found: Any) -> bool:
    return found is True or (isinstance(found, str) and found.lower() == "true")


def is_reference(found: Any, resource_type: str = "") -> bool:
    """A Terraform reference such as `${aws_kms_key.data.arn}`, to `resource_type` if given."""
    return isinstance(found, str) and found.startswith(f"${{{resource_type}")


class PaymentCheck(BaseResourceCheck):
    """A resource check whose id is its class name; subclasses set TITLE, CATEGORY, RESOURCES."""

    TITLE: str
    CATEGORY: CheckCategories
    RESOURCES: tuple[str, ...]

    def __init__(self) -> None:
        super().__init__(
            name=self.TITLE, id=type(self).__name__, categories=[self.CATEGORY], supported_resources=self.RESOURCES
        )

    def verdict(self, passed: bool, *keys: str) -> CheckResult:
        """PASSED or FAILED, recording the keys the decision read (the report shows them)."""
        self.evaluated_keys = list(keys)
        return CheckResult.PASSED if passed else CheckResult.FAILED


def value_check(
    check_id: str, title: str, category: CheckCategories, resources: tuple[str, ...], key: str, expected: Any
) -> BaseResourceValueCheck:
    """A declarative check: `key` (a checkov path such as `access_logs/[0]/enabled`) holds `expected`."""
    members = {
        "__init__": lambda self: BaseResourceValueCheck.__init__(
            self, name=title, id=check_id, categories=[category], supported_resources=resources
        ),
        "get_inspected_key": lambda self: key,
        "get_expected_value": lambda self: expected,
    }
    return type(check_id, (BaseResourceValueCheck,), members)()


def statements(conf: dict[str, Any], key: str = "policy") -> list[dict[str, Any]]:
    """The statements of a JSON policy document attribute (a string in `cdk.tf.json`), or none."""
    document = value(conf, key)
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    found = document.get("Statement", []) if isinstance(document, dict) else []
    return [found] if isinstance(found, dict) else [item for item in found if isinstance(item, dict)]


def as_list(found: Any) -> list[Any]:
    """A policy element that may be one value or a list of them."""
    return found if isinstance(found, list) else [found]


def is_everyone(principal: Any) -> bool:
    return principal == "*" or (isinstance(principal, dict) and as_list(principal.get("AWS")) == ["*"])


def covers(granted: Any, wanted: set[str]) -> bool:
    """The statement's actions (wildcards allowed, case-insensitive as in IAM) include every wanted one."""
    patterns = [item.lower() for item in as_list(granted) if isinstance(item, str)]
    return all(any(fnmatch.fnmatchcase(action.lower(), pattern) for pattern in patterns) for action in wanted)


def receives_deliveries(items: list[dict[str, Any]]) -> bool:
    """A bucket whose policy lets some principal put objects: a sink AWS delivery services write logs into.

    Data is written by principals IAM allows, so a data bucket's policy grants no one s3:PutObject.
    """
    return any(item.get("Effect") == "Allow" and covers(item.get("Action"), {"s3:PutObject"}) for item in items)


def only_condition(item: dict[str, Any], operators: set[str], key: str) -> bool:
    """The statement's only condition is `key`, under these operators, with some value.

    A deny with any further condition denies less: each condition must hold for it to apply.
    """
    condition = item.get("Condition") or {}
    return bool(condition) and all(
        operator in operators and set(keys) == {key} and as_list(keys[key]) for operator, keys in condition.items()
    )
