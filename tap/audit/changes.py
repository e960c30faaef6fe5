"""What changed since a previous report (`tap audit --baseline PREVIOUS`).

Findings are matched by check and resource, not by evidence id: an evidence id names a
finding on one plan's bytes, and the point is to compare two plans.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tap import documents
from tap.audit.reports import REPORT_FILES
from tap.audit.waivers import EXPIRY_WARNING_DAYS
from tap.documents import Kind, MiB

BASELINE = Kind(
    "the baseline",
    "json",
    "baseline",
    max_bytes=64 * MiB,
    remedy=": pass a previous report folder or its compliance.json",
)


def load_baseline(path: Path) -> dict[str, Any]:
    """A previous compliance.json, given as the file or as the report folder holding it."""
    file = Path(path) / REPORT_FILES["json"] if Path(path).is_dir() else Path(path)
    return documents.read(file, BASELINE)


def compare(previous: dict[str, Any], current: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    before, after = _failing(previous), _failing(current)
    return {
        "baseline": {
            "generated_at": previous.get("provenance", {}).get("generated_at"),
            "plan_sha256": previous.get("provenance", {}).get("plan_sha256"),
        },
        "new_failures": [after[key] for key in sorted(after.keys() - before.keys())],
        "fixed": [before[key] for key in sorted(before.keys() - after.keys())],
        "requirements": _requirement_changes(previous, current),
        "waivers": _waiver_changes(previous["waivers"], current["waivers"], as_of),
    }


def _failing(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, str]]:
    return {
        (item["check_id"], item["resource"]): {
            "check_id": item["check_id"],
            "resource": item["resource"],
            "evidence_id": item.get("evidence_id", ""),
        }
        for item in document["evidence"]
        if item["status"] == "FAILED"
    }


def _requirement_changes(previous: dict[str, Any], current: dict[str, Any]) -> list[dict[str, str | None]]:
    # A report from before Report-on-Compliance results said "status"; show it rather than drop it.
    before = {item["id"]: item.get("result", item.get("status")) for item in previous["requirements"]}
    return [
        {"id": item["id"], "previous": before.get(item["id"]), "current": item["result"]}
        for item in current["requirements"]
        if before.get(item["id"]) != item["result"]
    ]


def _waiver_changes(previous: list[dict], current: list[dict], as_of: dt.date) -> dict[str, list[dict]]:
    before = {(item["check_id"], item["address"]): item for item in previous}
    soon = as_of + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    changes: dict[str, list[dict]] = {"added": [], "renewed": [], "expired": [], "expiring": [], "removed": []}
    for waiver in current:
        key = (waiver["check_id"], waiver["address"])
        expires = dt.date.fromisoformat(waiver["expires"])
        if key not in before:
            changes["added"].append(waiver)
        elif waiver["expires"] > before[key]["expires"]:
            changes["renewed"].append(waiver)
        if expires < as_of:
            changes["expired"].append(waiver)
        elif expires <= soon:
            changes["expiring"].append(waiver)
    now = {(item["check_id"], item["address"]) for item in current}
    changes["removed"] = [item for key, item in before.items() if key not in now]
    return changes
