"""What changed since a previous report (`tap audit --baseline PREVIOUS`).

A baseline is evidence only as a sealed report of the same deployment: its folder verifies (signed
by the same key as the new report, when that one is signed), and it names the same stack and
environment. Anything else could make a forged or foreign report the yardstick (waivers "renewed"
against a copy that extends them, or another environment's failures "fixed").

Findings are matched by check and resource, not by evidence id: an evidence id names a
finding on one plan's bytes, and the point is to compare two plans.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from tap import documents
from tap.audit import bundle
from tap.audit.reports import REPORT, REPORT_FILES, preview_as_of
from tap.audit.waivers import EXPIRY_WARNING_DAYS
from tap.errors import UsageError
from tap.plan import Plan


def load_baseline(path: Path, signing_key: str | None) -> dict[str, Any]:
    """A previous compliance.json, given as its report folder or as the file in it; the folder must verify,
    signed by the key whose fingerprint is `signing_key` when the new report is signed."""
    path = Path(path)
    folder, file = (path, path / REPORT_FILES["json"]) if path.is_dir() else (path.parent, path)
    data = documents.read_bytes(file, REPORT)  # read once: the bytes compared are the bytes verified
    document = documents.parse(data, REPORT, file)
    if file.name != REPORT_FILES["json"]:
        raise UsageError(f"the baseline {path} is not a report's {REPORT_FILES['json']}: pass the report folder")
    if (day := preview_as_of(folder)) is not None:
        raise UsageError(f"the baseline {path} is a preview as of {day}, not evidence: pass a sealed report folder")
    result = bundle.verify(folder, pinned=signing_key)
    if not result.intact:
        more = f" and {len(result.differences) - 1} more" if len(result.differences) > 1 else ""
        raise UsageError(
            f"the baseline {path} is not a sealed report that verifies ({result.differences[0]}{more}): "
            "pass the folder of an intact report"
        )
    if result.files.get(file.name) != hashlib.sha256(data).hexdigest():
        raise UsageError(f"the baseline {path} changed while it was verified: pass the folder of an intact report")
    return document


def check_same_deployment(previous: dict[str, Any], path: Path, plan: Plan) -> None:
    """A baseline of another stack or environment is no yardstick for this one."""
    recorded = previous["provenance"]
    before, now = (recorded["stack"], recorded["environment"]), (plan.stack_name, plan.environment)
    if before != now:
        raise UsageError(
            f"the baseline {path} is a report of {before[0]} (environment {before[1]}), not of {now[0]} "
            f"(environment {now[1]}): pass a previous report of the same deployment"
        )


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
    changes: dict[str, list[dict]] = {
        "added": [],
        "renewed": [],
        "shortened": [],
        "expired": [],
        "expiring": [],
        "removed": [],
    }
    for waiver in current:
        key = (waiver["check_id"], waiver["address"])
        expires = dt.date.fromisoformat(waiver["expires"])
        if key not in before:
            changes["added"].append(waiver)
        elif waiver["expires"] > before[key]["expires"]:
            changes["renewed"].append(waiver)
        elif waiver["expires"] < before[key]["expires"]:
            changes["shortened"].append(waiver)
        if expires < as_of:
            changes["expired"].append(waiver)
        elif expires <= soon:
            changes["expiring"].append(waiver)
    now = {(item["check_id"], item["address"]) for item in current}
    changes["removed"] = [item for key, item in before.items() if key not in now]
    return changes
