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
from tap.plan import Plan

MIN_REASON_WORDS = 6


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
    return [
        _waiver({"check": check_id, "resource": resource.address, **fields}, "plan")
        for resource in plan.resources()
        for check_id, fields in resource.annotations.get(WAIVER_METADATA_KEY, {}).items()
    ]


def from_file(path: Path) -> list[Waiver]:
    try:
        entries = tomllib.loads(Path(path).read_text()).get("waiver", [])
    except OSError as error:
        raise UsageError(f"cannot read the waivers file {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"the waivers file {path} is not valid TOML: {error}") from None
    # Reports name the file relative to the project when it lies inside it.
    return [_waiver(entry, str(below_project(path) or path)) for entry in entries]


def merge(*groups: list[Waiver]) -> list[Waiver]:
    """All waivers; the same check and resource waived twice is bad input."""
    seen: dict[tuple[str, str], Waiver] = {}
    for waiver in (waiver for group in groups for waiver in group):
        if waiver.key in seen:
            raise UsageError(f"{waiver.describe()} repeats {seen[waiver.key].describe()}: keep one of them")
        seen[waiver.key] = waiver
    return list(seen.values())


def _waiver(entry: dict[str, Any], source: str) -> Waiver:
    label = f"a waiver in {source} ({entry.get('check', '?')} on {entry.get('resource', '?')})"
    missing = [field for field in ("check", "resource", "reason", "approver", "expires") if not entry.get(field)]
    if missing:
        raise UsageError(f"{label} lacks {', '.join(missing)}: every waiver needs all five fields")
    reason = str(entry["reason"]).strip()
    if len(reason.split()) < MIN_REASON_WORDS or not reason.endswith("."):
        raise UsageError(f"{label} needs a reason an auditor can read: a sentence of at least {MIN_REASON_WORDS} words")
    return Waiver(
        check_id=str(entry["check"]),
        address=str(entry["resource"]),
        reason=reason,
        approver=str(entry["approver"]),
        expires=_date(entry["expires"], label),
        source=source,
    )


def _date(value: Any, label: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"{label} expires on {value!r}, which is not a date (use YYYY-MM-DD)") from None
