"""The synth's stand-ins for values a real deployment must give, found in a plan.

`tap synth` works without a certificate, alarm recipients or a key administrator role (the
tests and the rehearsal need none), so the plan holds stand-ins for them. A plan holding one
cannot be deployed as it is: the audit names each (a design-only report, never a plain pass),
and whatever deploys or reads a real account (preflight, an audit with live results) fails on it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from stack.config import DEFAULT_KEY_ADMINISTRATOR_ROLE, PLACEHOLDER_ACCOUNT, PLACEHOLDER_ALARM_EMAIL
from tap.expressions import fold, leaves
from tap.plan import Plan


@dataclass(frozen=True)
class Placeholder:
    setting: str  # the variable that replaces it
    what: str  # what the stand-in is, in a clause
    pattern: re.Pattern[str]

    def holders(self, plan: Plan) -> list[str]:
        """The resources whose attributes hold the stand-in, however written: in a template of constants
        (`...inv${"alid"}`) or inside a JSON policy document (with `\\/` for `/`)."""
        return [
            resource.address
            for resource in plan.resources()
            if any(self.pattern.search(text) for text in _texts(resource.properties))
        ]

    def matches(self, value: Any) -> bool:
        return any(self.pattern.search(text) for text in _texts(value))


CERTIFICATE = Placeholder(
    "ALB_CERTIFICATE_ARN",
    f"the listener certificate is the synth's stand-in in account {PLACEHOLDER_ACCOUNT}",
    re.compile(rf"arn:aws[\w-]*:acm:[\w-]*:{PLACEHOLDER_ACCOUNT}:certificate/"),
)
ALARM_ADDRESS = Placeholder(
    "ALARM_EMAILS",
    f"alarms go to {PLACEHOLDER_ALARM_EMAIL}, which never delivers",
    re.compile(re.escape(PLACEHOLDER_ALARM_EMAIL), re.IGNORECASE),  # an address's domain has no case
)
KEY_ADMINISTRATOR = Placeholder(
    "KEY_ADMINISTRATOR_ROLE",
    f"the keys are administered by the default role {DEFAULT_KEY_ADMINISTRATOR_ROLE}, not the role that deploys",
    # IAM role names are unique whatever their case.
    re.compile(rf":role/{re.escape(DEFAULT_KEY_ADMINISTRATOR_ROLE)}(?![\w+=,.@-])", re.IGNORECASE),
)
PLACEHOLDERS = (CERTIFICATE, ALARM_ADDRESS, KEY_ADMINISTRATOR)


def _texts(value: Any) -> Iterator[str]:
    """Every string below a value as Terraform renders it, and the strings of JSON documents it holds."""
    for _, leaf in leaves(value):
        if not isinstance(leaf, str):
            continue
        rendered = fold(leaf)
        text = rendered if isinstance(rendered, str) else leaf
        yield text
        if text.lstrip().startswith(("{", "[")):
            yield from _texts(_document(text))


def _document(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def placeholders(plan: Plan) -> list[str]:
    """One sentence per stand-in the plan holds: what it is, where, and what to set."""
    found = []
    for placeholder in PLACEHOLDERS:
        holders = placeholder.holders(plan)
        if holders:
            others = f" and {len(holders) - 1} more" if len(holders) > 1 else ""
            found.append(f"{placeholder.what} ({holders[0]}{others}): set {placeholder.setting}")
    return found
