"""Every result checkov gives, judged: passed, failed, not applicable, or not evaluated.

checkov answers UNKNOWN both when a resource is outside what a check judges and when it
cannot read what it judges (an expression, a document it cannot parse). Neither may pass in
silence, so each UNKNOWN is judged here:

- not applicable, when the check itself says the resource is outside its scope (our policies,
  `policies.support.PaymentCheck.out_of_scope`), or when `policies/checkov_scope.toml` says
  which literal attribute values put a resource outside a built-in check, and why;
- not evaluated otherwise, naming each attribute it could not read. Not evaluated fails the audit.

A pass that rests on an unresolved expression (`${var.x}`, `${1 == 1}`, a function call) is not
evaluated either: the value it judged is known only when Terraform evaluates the plan. A failure
stays a failure: it fails the audit either way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stack.contract import OUT_OF_SCOPE_MARK, PROJECT_ROOT
from tap import documents
from tap.documents import Kind, MiB
from tap.errors import UsageError
from tap.expressions import borrowed, fold, leaves, unresolved
from tap.plan import Plan

PASSED, FAILED = "PASSED", "FAILED"
NOT_APPLICABLE, NOT_EVALUATED = "NOT_APPLICABLE", "NOT_EVALUATED"
SCOPE_FILE = PROJECT_ROOT / "policies" / "checkov_scope.toml"
SCOPE = Kind("the built-in checks' scope", "toml", max_bytes=4 * MiB)


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one resource, named `<type>.<name>` whatever checkov said."""

    check_id: str
    check_name: str
    result: str  # PASSED, FAILED, NOT_APPLICABLE or NOT_EVALUATED; waivers are applied later
    address: str
    evaluated_keys: tuple[str, ...]
    guideline: str | None = None
    lines: tuple[int, int] = (0, 0)  # where the resource sits in the plan file
    reason: str | None = None  # why not applicable, or what could not be read

    @property
    def key(self) -> tuple[str, str]:
        """What a waiver or a not-applicable declaration names: the check and the resource."""
        return self.check_id, self.address


@dataclass(frozen=True)
class OutOfScope:
    """A built-in check's UNKNOWN that means "nothing to judge here", from checkov_scope.toml."""

    check_id: str
    types: tuple[str, ...]
    when: dict[str, tuple[Any, ...]]  # attribute -> the literal values that put a resource outside the check
    when_absent: tuple[str, ...]  # attributes whose absence does
    reason: str

    def covers(self, check_id: str, block_type: str, properties: dict[str, Any]) -> bool:
        """Every condition holds, on literal values only: an expression matches no value."""
        return (
            check_id == self.check_id
            and block_type in self.types
            and all(name not in properties for name in self.when_absent)
            and all(name in properties and fold(properties[name]) in values for name, values in self.when.items())
        )


def judge(item: dict[str, Any], document: dict[str, Any]) -> Finding:
    """The verdict of one worker result (`checkov_worker.finding`) on the plan it was read from."""
    properties = block_properties(document, item["address"])
    keys = tuple(item["evaluated_keys"])
    unread = unread_at(properties, keys)
    result, reason = item["result"], None
    if result == PASSED:
        # A pass that rests on a value known only at apply, or computed in another block, is no pass
        # (a failure still fails). Our Python policies refuse borrowed values themselves, where it matters.
        unread = unread or ([] if item.get("strict") else unread_at(properties, keys, borrowed))
        if unread:
            result, reason = NOT_EVALUATED, _cannot_read(unread)
    elif result == FAILED:
        # What the policy said of the failure (CKV_PAY_70 names the call a rule leaves out), for the report.
        reason = "; ".join(detail for detail in item["details"] if not detail.startswith(OUT_OF_SCOPE_MARK)) or None
    else:
        result, reason = _unknown(item, properties, unread)
    return Finding(
        check_id=item["check_id"],
        check_name=item["check_name"],
        result=result,
        address=item["address"],
        evaluated_keys=keys,
        guideline=item.get("guideline"),
        lines=tuple(item["lines"]),
        reason=reason,
    )


def _unknown(item: dict[str, Any], properties: dict[str, Any], unread: list[str]) -> tuple[str, str]:
    marks = [detail[len(OUT_OF_SCOPE_MARK) :] for detail in item["details"] if detail.startswith(OUT_OF_SCOPE_MARK)]
    if marks and not unread:
        return NOT_APPLICABLE, f"{marks[0]} ({item['check_id']}'s own scope)"
    block_type = item["address"].removeprefix("data.").rsplit(".", 1)[0]
    declared = [entry for entry in out_of_scope() if entry.covers(item["check_id"], block_type, properties)]
    if declared and not unread:
        return NOT_APPLICABLE, f"{declared[0].reason} ({SCOPE_FILE.relative_to(PROJECT_ROOT)})"
    unread = unread or unread_at(properties, ())
    if unread:
        return NOT_EVALUATED, _cannot_read(unread)
    read = [f"{key} = {found}" for key in item["evaluated_keys"] for found in values_at(properties, key)]
    said = "; ".join([*item["details"], *read]) or "it named nothing it read"
    return NOT_EVALUATED, f"checkov gave no verdict ({said})"


def _cannot_read(unread: list[str]) -> str:
    return f"cannot read {', '.join(unread)}: known only when Terraform evaluates the plan"


def unread_at(
    properties: dict[str, Any], keys: tuple[str, ...], unreadable: Callable[[Any], list[str]] = unresolved
) -> list[str]:
    """`path = expression` for each expression `unreadable` names below the keys a check read (all, without keys)."""
    roots = [(key, found) for key in keys for found in values_at(properties, key)] if keys else [("", properties)]
    found = []
    for root, value in roots:
        for path, leaf in leaves(value, root):
            found += [f"{path} = {expression}" for expression in unreadable(leaf)]
    return list(dict.fromkeys(found))


def block_properties(document: dict[str, Any], address: str) -> dict[str, Any]:
    """A block's attributes, by the address a finding names (`type.name`, `data.type.name`, `provider.name`)."""
    try:
        return Plan(document).block(address).properties
    except AssertionError:  # not in the plan: nothing of it was read
        return {}


def values_at(properties: dict[str, Any], key: str) -> list[Any]:
    """The values at a checkov key path (`a/[0]/b`, `a/*/b`); none when the path leads nowhere."""
    values: list[Any] = [properties]
    for part in key.split("/"):
        values = [item for value in values for item in _step(value, part)]
    return values


def _step(value: Any, part: str) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    if part == "*":
        return [element for item in items for element in (item if isinstance(item, list) else [item])]
    if re.fullmatch(r"\[\d+\]", part):
        index = int(part[1:-1])
        return [items[index]] if index < len(items) else []
    return [item[part] for item in items if isinstance(item, dict) and part in item]


@functools.cache
def out_of_scope(path: Path = SCOPE_FILE) -> tuple[OutOfScope, ...]:
    document = documents.read(path, SCOPE)
    entries = []
    for number, entry in enumerate(document.get("out_of_scope", []), 1):
        try:
            when = {name: tuple(values) for name, values in entry.get("when", {}).items()}
            scope = OutOfScope(
                entry["check"], tuple(entry["types"]), when, tuple(entry.get("when_absent", [])), entry["reason"]
            )
        except (KeyError, TypeError, AttributeError):
            scope = None
        if scope is None or not (scope.when or scope.when_absent):
            raise UsageError(
                f"out_of_scope entry {number} in {path} needs check, types, reason and when or when_absent"
            )
        entries.append(scope)
    return tuple(entries)
