"""The PCI DSS v4.0.1 mapping (`policies/pci_dss_v4.toml`): the standard, what the suite can and
cannot establish, each requirement's title and coverage, and the requirements each control
(check id) evidences."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tap import documents
from tap.audit.scan import POLICIES
from tap.documents import Kind, MiB
from tap.errors import UsageError

MAPPING_FILE = POLICIES / "pci_dss_v4.toml"
MAPPING = Kind("the requirement mapping", "toml", max_bytes=4 * MiB)
COVERAGES = ("automated", "partial", "manual")
# A requirement may be declared out of scope; every other result is judged from the evidence.
DECLARED_RESULTS = ("not_applicable",)


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    coverage: str  # automated, partial or manual
    still_needed: str | None = None  # what the assessor must still see (partial, manual)
    declared_result: str | None = None  # not_applicable, with a reason
    reason: str | None = None


@dataclass(frozen=True)
class Mapping:
    standard: str
    scope: dict[str, list[str]]  # "can" / "cannot": what the suite establishes
    requirements: dict[str, Requirement]  # id -> requirement, in the file's order
    controls: dict[str, tuple[str, ...]]  # check id -> requirement ids

    @classmethod
    def load(cls, path: Path = MAPPING_FILE) -> Mapping:
        data = documents.read(path, MAPPING)
        requirements = {rid: _requirement(rid, fields, path) for rid, fields in data.get("requirements", {}).items()}
        controls = {check: tuple(ids) for check, ids in data.get("controls", {}).items()}
        return cls(data.get("standard", ""), dict(data.get("scope", {})), requirements, controls)

    def requirements_of(self, check_id: str) -> tuple[str, ...]:
        return self.controls.get(check_id, ())

    def undefined_requirements(self) -> dict[str, list[str]]:
        """Controls that cite a requirement id the file does not define."""
        return {
            check: missing
            for check, ids in self.controls.items()
            if (missing := [i for i in ids if i not in self.requirements])
        }


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
