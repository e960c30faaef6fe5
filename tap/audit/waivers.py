"""Waivers: accepted exceptions to a check on one resource, with a reason, an approver and an expiry.

Two sources, one shape: the plan (declared next to the resource with `stack.waivers.waive`,
carried in its `"//"` metadata) and a waivers file (TOML, `[[waiver]]` tables).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stack.contract import WAIVER_METADATA_KEY, below_project
from tap.errors import UsageError
from tap.plan import Plan, Resource
from tap.plan_file import kind_of

MIN_REASON_WORDS = 6
TEXT_FIELDS = ("check", "resource", "reason", "approver")


@dataclass(frozen=True)
class Waiver:
    check_id: str
    address: str
    reason: str
    approver: str
    expires: dt.date
    source: str  # "plan" or the waivers file's path

    @property
    def key(self) -> tuple[str, str]:
        return self.check_id, self.address

    def expired(self, as_of: dt.date) -> bool:
        return self.expires < as_of

    def describe(self) -> str:
        return f"the waiver of {self.check_id} on {self.address} ({self.source})"


def from_plan(plan: Plan) -> list[Waiver]:
    return [waiver for resource in plan.resources() for waiver in _declared_on(resource, plan.source)]


def _declared_on(resource: Resource, plan_source: str) -> list[Waiver]:
    """The waivers in a resource's `"//"` block, `{check id: {reason, approver, expires}}`."""
    declared = resource.annotations.get(WAIVER_METADATA_KEY, {})
    where = f"the plan {plan_source}"
    if not isinstance(declared, dict):
        raise UsageError(
            f"the waivers of {resource.address} in {where} are {kind_of(declared)}, not an object of check ids "
            "(declare them with stack.waivers.waive)"
        )
    waivers = []
    for check_id, fields in declared.items():
        label = f"the waiver of {check_id} on {resource.address} in {where}"
        if not isinstance(fields, dict):
            raise UsageError(f"{label} is {kind_of(fields)}, not an object of reason, approver and expires")
        waivers.append(_waiver({"check": check_id, "resource": resource.address, **fields}, "plan", label))
    return waivers


def from_file(path: Path) -> list[Waiver]:
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read the waivers file {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"the waivers file {path} is not text (TOML is UTF-8): pass a waivers.toml") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"the waivers file {path} is not valid TOML: {error}") from None
    entries = document.get("waiver", [])
    if not isinstance(entries, list):
        raise UsageError(f"`waiver` in the waivers file {path} is {kind_of(entries)}, not a list of [[waiver]] tables")
    # Reports name the file relative to the project when it lies inside it.
    source = str(below_project(path) or path)
    return [_file_entry(entry, f"waiver {number} in {path}", source) for number, entry in enumerate(entries, 1)]


def _file_entry(entry: Any, where: str, source: str) -> Waiver:
    if not isinstance(entry, dict):
        raise UsageError(f"{where} is {kind_of(entry)}, not a [[waiver]] table")
    names = [entry.get(field) for field in ("check", "resource")]
    label = f"{where} ({' on '.join(names)})" if all(isinstance(name, str) for name in names) else where
    return _waiver(entry, source, label)


def merge(*groups: list[Waiver]) -> list[Waiver]:
    """All waivers; the same check and resource waived twice is bad input."""
    seen: dict[tuple[str, str], Waiver] = {}
    for waiver in (waiver for group in groups for waiver in group):
        if waiver.key in seen:
            raise UsageError(f"{waiver.describe()} repeats {seen[waiver.key].describe()}: keep one of them")
        seen[waiver.key] = waiver
    return list(seen.values())


def _waiver(entry: dict[str, Any], source: str, label: str) -> Waiver:
    for field in TEXT_FIELDS:
        if field in entry and not isinstance(entry[field], str):
            raise UsageError(f"{label}: its {field} is {kind_of(entry[field])}, not text")
    missing = [field for field in (*TEXT_FIELDS, "expires") if not entry.get(field)]
    if missing:
        raise UsageError(f"{label} lacks {', '.join(missing)}: every waiver needs all five fields")
    reason = entry["reason"].strip()
    if len(reason.split()) < MIN_REASON_WORDS or not reason.endswith("."):
        raise UsageError(f"{label} needs a reason an auditor can read: a sentence of at least {MIN_REASON_WORDS} words")
    return Waiver(
        check_id=entry["check"],
        address=entry["resource"],
        reason=reason,
        approver=entry["approver"],
        expires=_date(entry["expires"], label),
        source=source,
    )


def _date(value: Any, label: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise UsageError(f"{label}: its expires is {kind_of(value)}, not a date (use YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{label} expires on {value!r}, which is not a date (use YYYY-MM-DD)") from None
