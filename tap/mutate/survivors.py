"""The survivors file: mutants the suite rightly lets live, each with a one-line reason.

    [[survivor]]
    match = "plan:*:aws_*:*tags.Name:drop:*"   # shell-style pattern over the mutant id
    verdict = "irrelevant"                     # or "equivalent"
    reason = "a Name tag is a label for people; nothing reads it"

`equivalent`: the mutant is not a misconfiguration at all (the same resource, or a plan
Terraform itself rejects); it leaves the score. `irrelevant`: a real change nobody needs
caught (a label, a description, a stronger setting); it stays in the score as a survivor
that is explained. Any other survivor fails the campaign.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from stack.contract import PROJECT_ROOT
from tap import documents
from tap.documents import Kind, MiB
from tap.errors import UsageError

SURVIVORS_FILE = PROJECT_ROOT / "survivors.toml"
SURVIVORS = Kind("the survivors file", "toml", max_bytes=4 * MiB, remedy=": pass a survivors.toml")
VERDICTS = ("equivalent", "irrelevant")


@dataclass(frozen=True)
class Explanation:
    match: str
    verdict: str
    reason: str

    def explains(self, mutant_id: str) -> bool:
        return _compiled(self.match).fullmatch(mutant_id) is not None


@functools.cache
def _compiled(match: str) -> re.Pattern:
    return re.compile(fnmatch.translate(match))


def read(path: Path = SURVIVORS_FILE) -> list[Explanation]:
    """The file's explanations, in order (the first that matches a mutant wins); bad input stops."""
    entries = documents.read(path, SURVIVORS).get("survivor", [])
    if not isinstance(entries, list):
        raise UsageError(f"survivors file {path}: `survivor` must be an array of tables ([[survivor]])")
    return [_explanation(entry, f"{path.name} survivor #{index}") for index, entry in enumerate(entries, 1)]


def _explanation(entry: object, label: str) -> Explanation:
    if not isinstance(entry, dict) or set(entry) != {"match", "verdict", "reason"}:
        raise UsageError(f"{label} must have exactly match, verdict and reason")
    if not all(isinstance(entry[key], str) and entry[key].strip() for key in entry):
        raise UsageError(f"{label}: match, verdict and reason must be non-empty strings")
    if entry["verdict"] not in VERDICTS:
        raise UsageError(f"{label}: verdict must be one of {', '.join(VERDICTS)}, not {entry['verdict']!r}")
    return Explanation(entry["match"], entry["verdict"], entry["reason"])


def explain(mutant_id: str, explanations: list[Explanation]) -> Explanation | None:
    return next((item for item in explanations if item.explains(mutant_id)), None)
