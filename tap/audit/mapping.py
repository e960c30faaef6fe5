"""The PCI DSS v4.0.1 mapping (`policies/pci_dss_v4.toml`): the standard, the scope (the entity type,
the CDE boundary, what the suite can and cannot establish), each requirement's title and coverage,
the requirements each control (check id) evidences or only supports, and the built-ins deliberately
left unmapped, with why."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tap import documents
from tap.audit.remedies import Remedy, remedy
from tap.audit.scan import POLICIES
from tap.documents import Kind, MiB
from tap.errors import UsageError

MAPPING_FILE = POLICIES / "pci_dss_v4.toml"
MAPPING = Kind("the requirement mapping", "toml", max_bytes=4 * MiB)
COVERAGES = ("automated", "partial", "manual")
# A requirement may be declared out of scope; every other result is judged from the evidence.
DECLARED_RESULTS = ("not_applicable",)
ENTITIES = ("merchant", "service_provider")
# Where a resource stands in the CDE boundary: the CDE stores, processes or transmits cardholder
# data; connected-to or security-impacting components are in scope and hold none.
ROLES = ("stores", "processes", "transmits", "connected")


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    coverage: str  # automated, partial or manual
    still_needed: str | None = None  # what the assessor must still see (partial, manual)
    declared_result: str | None = None  # not_applicable, with a reason
    reason: str | None = None


@dataclass(frozen=True)
class Boundary:
    """Resources of the plan, named by construct path prefixes, and their role in the CDE boundary."""

    role: str  # one of ROLES
    paths: tuple[str, ...]  # construct path prefixes below the stack, each ending in "/"
    why: str

    def holds(self, construct_path: str) -> bool:
        """`database/` names the construct `database` and everything below it."""
        return any(f"{construct_path}/".startswith(prefix) for prefix in self.paths)


@dataclass(frozen=True)
class Mapping:
    standard: str
    scope: dict[str, Any]  # entity, entity_reason, "can" / "cannot": what the suite establishes
    requirements: dict[str, Requirement]  # id -> requirement, in the file's order
    controls: dict[str, tuple[str, ...]]  # check id -> requirement ids it evidences
    supporting: dict[str, tuple[str, ...]] = field(default_factory=dict)  # check id -> ids it only supports
    unmapped: dict[str, str] = field(default_factory=dict)  # built-in check id -> why it evidences nothing
    boundary: tuple[Boundary, ...] = ()
    remedies: dict[str, Remedy] = field(default_factory=dict)  # built-in check id -> severity and fix

    @classmethod
    def load(cls, path: Path = MAPPING_FILE) -> Mapping:
        data = documents.read(path, MAPPING)
        requirements = {rid: _requirement(rid, fields, path) for rid, fields in data.get("requirements", {}).items()}
        scope = dict(data.get("scope", {}))
        entries = scope.pop("boundary", [])
        boundary = tuple(_boundary(fields, path) for fields in (entries if isinstance(entries, list) else [entries]))
        entity = scope.get("entity")
        if entity not in ENTITIES or not scope.get("entity_reason"):
            choices = ", ".join(ENTITIES)
            raise UsageError(f"{path} declares entity {entity!r}: use one of {choices}, with an entity_reason")
        return cls(
            data.get("standard", ""),
            scope,
            requirements,
            _cited(data.get("controls", {})),
            _cited(data.get("supporting", {})),
            _unmapped(data.get("unmapped", []), path),
            boundary,
            _remedies(data.get("remedies", {}), path),
        )

    def requirements_of(self, check_id: str) -> tuple[str, ...]:
        return self.controls.get(check_id, ())

    @property
    def relied_on(self) -> list[str]:
        """Every check the mapping cites, as evidence or as support only."""
        return list(dict.fromkeys([*self.controls, *self.supporting]))

    def is_mapped(self, check_id: str) -> bool:
        """Whether the mapping says what the check is to a requirement: evidence, or support only."""
        return check_id in self.controls or check_id in self.supporting

    def undefined_requirements(self) -> dict[str, list[str]]:
        """Controls (evidencing or supporting) that cite a requirement id the file does not define."""
        return {
            check: missing
            for table in (self.controls, self.supporting)
            for check, ids in table.items()
            if (missing := [i for i in ids if i not in self.requirements])
        }

    def role_of(self, construct_path: str) -> list[Boundary]:
        """The boundary entries that hold a resource: exactly one for a resource the scope classifies."""
        return [entry for entry in self.boundary if entry.holds(construct_path)]


def _cited(table: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {check: tuple(ids) for check, ids in table.items()}


def _remedies(table: Any, path: Path) -> dict[str, Remedy]:
    """Each built-in's severity and one-line fix, from `[remedies]`: `CHECK = { severity = ..., remediation = ... }`."""
    if not isinstance(table, dict):
        raise UsageError(f"[remedies] in {path} must be a table of checks, each with a severity and a remediation")
    return {
        check: remedy(fields if isinstance(fields, dict) else {}, f"[remedies] {check} in {path}")
        for check, fields in table.items()
    }


def _unmapped(groups: list[dict[str, Any]], path: Path) -> dict[str, str]:
    """Built-ins left unmapped on purpose: every group says why."""
    unmapped = {}
    for group in groups if isinstance(groups, list) else [None]:
        if not isinstance(group, dict) or not group.get("reason") or not _strings(group.get("checks")):
            raise UsageError(f"an [[unmapped]] group in {path} needs its checks and a reason")
        unmapped |= dict.fromkeys(group["checks"], group["reason"])
    return unmapped


def _strings(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, str) for item in value)


def _boundary(fields: Any, path: Path) -> Boundary:
    if not isinstance(fields, dict):
        raise UsageError(f"a [[scope.boundary]] entry in {path} is not a table")
    role, paths = fields.get("role"), fields.get("paths")
    if role not in ROLES:
        raise UsageError(f"a [[scope.boundary]] entry in {path} has role {role!r}: use one of {', '.join(ROLES)}")
    if not _strings(paths) or not fields.get("why") or not all(prefix.endswith("/") for prefix in paths):
        raise UsageError(f"the {role} entry of [[scope.boundary]] in {path} needs paths ending in '/' and a why")
    return Boundary(role, tuple(paths), str(fields["why"]))


def _requirement(rid: str, fields: dict[str, Any], path: Path) -> Requirement:
    """One requirement, refused when its coverage would overstate or leave unsaid what is missing."""
    where = f"requirement {rid} in {path}"
    coverage = fields.get("coverage")
    if coverage not in COVERAGES:
        raise UsageError(f"{where} has coverage {coverage!r}: use one of {', '.join(COVERAGES)}")
    if coverage != "automated" and not fields.get("still_needed") and not fields.get("reason"):
        raise UsageError(f"{where} is {coverage}: say in still_needed what the assessor must still see")
    declared = fields.get("result")
    if declared is not None and (declared not in DECLARED_RESULTS or not fields.get("reason")):
        raise UsageError(f"{where} declares result {declared!r}: only not_applicable, with a reason, may be declared")
    return Requirement(
        rid, fields.get("title", ""), coverage, fields.get("still_needed"), declared, fields.get("reason")
    )
