"""Declared exceptions to a finding: waivers, and Not Applicable declarations.

A waiver accepts a failing check on one resource: a reason, who approved it and on what
record (a ticket or pull request), the environments it was approved for, and an expiry. It
may carry the content of PCI DSS's compensating-control worksheet. A Not Applicable
declaration says a check does not apply to a resource at all (a log bucket holds no
cardholder data): a reason and who decided it, no expiry; its finding is neither a pass
nor a waiver.

Two sources, one shape each: the plan (declared next to the resource with
`stack.waivers.waive` / `declare_not_applicable`, carried in its `"//"` metadata) and a
waivers file (TOML, `[[waiver]]` and `[[not_applicable]]` tables).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stack.config import ENVIRONMENTS_FILE, environments
from stack.contract import NOT_APPLICABLE_METADATA_KEY, WAIVER_METADATA_KEY, CompensatingControl, below_project
from tap import documents
from tap.documents import Kind, MiB
from tap.errors import UsageError
from tap.plan import Plan, Resource
from tap.plan_file import kind_of

MIN_REASON_WORDS = 6
EXPIRY_WARNING_DAYS = 30
# Who decided, and where that decision is recorded: both, for every exception of either kind.
DECIDED_FIELDS = ("check", "resource", "reason", "approver", "reference")
# PCI DSS's compensating-control worksheet (Appendix B/C): optional, shown when present.
WORKSHEET_FIELDS = tuple(item.name for item in dataclasses.fields(CompensatingControl))
# A ticket key (SEC-1234) or the address of a pull request or ticket: something an assessor can open.
# Its declarations are each a few hundred bytes; a waivers file of megabytes is no waivers file.
WAIVERS = Kind("the waivers file", "toml", max_bytes=4 * MiB, remedy=": pass a waivers.toml")
REFERENCE = re.compile(r"[A-Z][A-Z0-9]*-[0-9]+|https://[^\s/]+/\S+")


@dataclass(frozen=True)
class Waiver:
    check_id: str
    address: str
    reason: str
    approver: str
    reference: str  # the ticket or pull request that records the approval
    expires: dt.date
    environments: tuple[str, ...]  # the environments (environments.toml) it was approved for
    source: str  # "plan" or the waivers file's path
    compensating_control: CompensatingControl | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.check_id, self.address

    def expired(self, as_of: dt.date) -> bool:
        return self.expires < as_of

    def applies_in(self, environment: str | None) -> bool:
        return environment in self.environments

    def describe(self) -> str:
        return f"the waiver of {self.check_id} on {self.address} ({self.source})"


@dataclass(frozen=True)
class NotApplicable:
    check_id: str
    address: str
    reason: str
    approver: str
    reference: str
    source: str

    @property
    def key(self) -> tuple[str, str]:
        return self.check_id, self.address

    def describe(self) -> str:
        return f"the not-applicable declaration of {self.check_id} on {self.address} ({self.source})"


@dataclass(frozen=True)
class Declared:
    """Every exception declared, whatever the environment: the audit picks those of its own."""

    waivers: list[Waiver] = field(default_factory=list)
    not_applicable: list[NotApplicable] = field(default_factory=list)


# ---- reading -------------------------------------------------------------------------------


def from_plan(plan: Plan) -> Declared:
    where = f"the plan {plan.source}"
    return Declared(
        waivers=[
            _waiver(entry, "plan", label)
            for resource in plan.resources()
            for entry, label in _declared_on(resource, WAIVER_METADATA_KEY, "waiver", where)
        ],
        not_applicable=[
            _not_applicable(entry, "plan", label)
            for resource in plan.resources()
            for entry, label in _declared_on(resource, NOT_APPLICABLE_METADATA_KEY, "not-applicable declaration", where)
        ],
    )


def _declared_on(resource: Resource, key: str, kind: str, where: str) -> list[tuple[dict[str, Any], str]]:
    """The entries in a resource's `"//"` block under `key`, `{check id: {fields}}`, with a label each."""
    declared = resource.annotations.get(key, {})
    if not isinstance(declared, dict):
        raise UsageError(
            f"the {key} of {resource.address} in {where} are {kind_of(declared)}, not an object of check ids "
            "(declare them with stack.waivers)"
        )
    entries = []
    for check_id, fields in declared.items():
        label = f"the {kind} of {check_id} on {resource.address} in {where}"
        if not isinstance(fields, dict):
            raise UsageError(f"{label} is {kind_of(fields)}, not an object of its fields")
        entries.append(({"check": check_id, "resource": resource.address, **fields}, label))
    return entries


def from_file(path: Path, shown: Path | None = None) -> Declared:
    """The declarations of a waivers file; `shown`: the file named in sentences and reports when `path`
    is a private copy of it."""
    path, read = shown or path, path
    document = documents.read(read, WAIVERS, path)
    source = shown_source(path)
    return Declared(
        waivers=[_waiver(entry, source, label) for entry, label in _tables(document, "waiver", path)],
        not_applicable=[
            _not_applicable(entry, source, label) for entry, label in _tables(document, "not_applicable", path)
        ],
    )


def shown_source(path: Path) -> str:
    """How reports name a waivers file: relative to the project when it lies inside it."""
    return str(below_project(path) or path)


def _tables(document: dict[str, Any], name: str, path: Path) -> list[tuple[dict[str, Any], str]]:
    entries = document.get(name, [])
    if not isinstance(entries, list):
        raise UsageError(f"`{name}` in the waivers file {path} is {kind_of(entries)}, not a list of [[{name}]] tables")
    tables = []
    for number, entry in enumerate(entries, 1):
        where = f"{name.replace('_', ' ')} {number} in {path}"
        if not isinstance(entry, dict):
            raise UsageError(f"{where} is {kind_of(entry)}, not a [[{name}]] table")
        names = [entry.get(key) for key in ("check", "resource")]
        tables.append((entry, f"{where} ({' on '.join(names)})" if all(isinstance(n, str) for n in names) else where))
    return tables


def merge(*groups: Declared) -> Declared:
    """All declarations; the same check and resource declared twice (of either kind) is bad input."""
    seen: dict[tuple[str, str], Waiver | NotApplicable] = {}
    for item in (item for group in groups for item in (*group.waivers, *group.not_applicable)):
        if item.key in seen:
            raise UsageError(f"{item.describe()} repeats {seen[item.key].describe()}: keep one of them")
        seen[item.key] = item
    return Declared(
        waivers=[item for group in groups for item in group.waivers],
        not_applicable=[item for group in groups for item in group.not_applicable],
    )


# ---- checking one entry ----------------------------------------------------------------------


def _decided(entry: dict[str, Any], label: str, required: tuple[str, ...]) -> dict[str, str]:
    """The text fields every exception needs, refused in one sentence when absent or unreadable."""
    for name in (*DECIDED_FIELDS, *WORKSHEET_FIELDS):
        if name in entry and not isinstance(entry[name], str):
            raise UsageError(f"{label}: its {name} is {kind_of(entry[name])}, not text")
    missing = [name for name in required if not entry.get(name) or not str(entry[name]).strip()]
    if missing:
        raise UsageError(f"{label} lacks {', '.join(missing)}: every one needs {', '.join(required)}")
    reason = entry["reason"].strip()
    if len(reason.split()) < MIN_REASON_WORDS or not reason.endswith("."):
        raise UsageError(f"{label} needs a reason an auditor can read: a sentence of at least {MIN_REASON_WORDS} words")
    if not REFERENCE.fullmatch(entry["reference"].strip()):
        raise UsageError(
            f"{label}: its reference {entry['reference']!r} is neither a ticket key (SEC-1234) nor the https "
            "address of the pull request or ticket that records the approval"
        )
    return {name: entry[name].strip() for name in DECIDED_FIELDS}


def _waiver(entry: dict[str, Any], source: str, label: str) -> Waiver:
    fields = _decided(entry, label, (*DECIDED_FIELDS, "expires", "environments"))
    worksheet = {name: entry[name].strip() for name in WORKSHEET_FIELDS if entry.get(name, "").strip()}
    return Waiver(
        check_id=fields["check"],
        address=fields["resource"],
        reason=fields["reason"],
        approver=fields["approver"],
        reference=fields["reference"],
        expires=_date(entry["expires"], label),
        environments=_environments(entry["environments"], label),
        source=source,
        compensating_control=CompensatingControl(**worksheet) if worksheet else None,
    )


def _not_applicable(entry: dict[str, Any], source: str, label: str) -> NotApplicable:
    fields = _decided(entry, label, DECIDED_FIELDS)
    return NotApplicable(
        fields["check"], fields["resource"], fields["reason"], fields["approver"], fields["reference"], source
    )


def _environments(value: Any, label: str) -> tuple[str, ...]:
    """The environments a waiver was approved for: declared ones only, so a typo cannot widen or void it."""
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise UsageError(f"{label}: its environments is {kind_of(value)}, not a list of environment names")
    unknown = sorted(set(value) - set(environments()))
    if unknown:
        raise UsageError(
            f"{label} names environment {', '.join(unknown)}, which {ENVIRONMENTS_FILE.name} does not declare: "
            f"name declared ones ({', '.join(environments())})"
        )
    return tuple(value)


def _date(value: Any, label: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise UsageError(f"{label}: its expires is {kind_of(value)}, not a date (use YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{label} expires on {value!r}, which is not a date (use YYYY-MM-DD)") from None


# ---- judging, in one environment --------------------------------------------------------------


def problems(
    declared: Declared, checks: set[str], addresses: set[str], failed: set[tuple[str, str]], as_of: dt.date
) -> list[str]:
    """What fails the audit: a waiver expired, or naming a check or resource gone, or a finding that passes;
    a not-applicable declaration naming a check or resource gone. Give only the audit environment's waivers:
    one approved for another environment is neither used nor unused here."""
    found = []
    for item in (*declared.waivers, *declared.not_applicable):
        if isinstance(item, Waiver) and item.expired(as_of):
            found.append(
                f"{item.describe()} expired on {item.expires}; renew it with a new approval or fix the finding"
            )
        elif item.check_id not in checks:
            found.append(f"{item.describe()} names a check that no longer exists; remove it")
        elif item.address not in addresses:
            found.append(f"{item.describe()} names a resource that is not in the plan; remove it")
        elif isinstance(item, Waiver) and item.key not in failed:
            found.append(f"{item.describe()} covers a finding that no longer fails; remove the waiver")
    return found


def expiring(waivers: list[Waiver], as_of: dt.date) -> list[str]:
    soon = as_of + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    return [
        f"{waiver.describe()} expires on {waiver.expires}, within {EXPIRY_WARNING_DAYS} days: renew or fix it"
        for waiver in sorted(waivers, key=lambda waiver: waiver.expires)
        if as_of <= waiver.expires <= soon
    ]
