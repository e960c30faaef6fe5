"""Preflight's verdict: the exit code, and the results as a table or as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict

from tap.console import printable
from tap.preflight.deployment import BLOCKER, Result


def exit_code(results: list[Result]) -> int:
    return 1 if any(result.status == BLOCKER for result in results) else 0


def render_table(results: list[Result]) -> list[str]:
    """The table's lines; an account's answers are escaped before the columns are measured."""
    rows = [("CHECK", "RESULT", "WHY", "WHAT TO DO")] + [
        tuple(map(printable, (r.check, r.status, r.why, r.action))) for r in results
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return ["  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip() for row in rows]


def render_json(results: list[Result]) -> str:
    return json.dumps(
        {"blockers": sum(r.status == BLOCKER for r in results), "results": [asdict(r) for r in results]}, indent=2
    )
