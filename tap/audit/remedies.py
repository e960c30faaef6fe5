"""How grave a failed check is and how to fix it, in a line: what the report shows with a failed or waived finding.

Our policies declare theirs in their own file (`SEVERITY` and `REMEDIATION` on the check class,
`severity=`/`remediation=` to `value_check`, `severity`/`remediation` in a YAML check's metadata);
the built-ins the mapping relies on get theirs from its `[remedies]` table. The policies are read
as text here: importing them needs checkov, which lives in a virtualenv of its own.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tap.errors import UsageError

SEVERITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class Remedy:
    severity: str
    remediation: str


def remedy(fields: dict[str, Any], where: str) -> Remedy:
    """A remedy from its two fields; a severity not in SEVERITIES or an empty remediation is refused in one sentence."""
    severity, remediation = fields.get("severity"), fields.get("remediation")
    if severity not in SEVERITIES or not isinstance(remediation, str) or not remediation.strip():
        choices = ", ".join(SEVERITIES)
        raise UsageError(f"{where} needs a severity ({choices}) and a one-line remediation, not {severity!r}")
    return Remedy(severity, " ".join(remediation.split()))


def policy_remedy(path: Path) -> Remedy | None:
    """The remedy a policy file declares; None when it declares neither field."""
    fields = _yaml_fields(path) if path.suffix == ".yaml" else _python_fields(path)
    return remedy(fields, f"the policy {path.name}") if fields else None


def _yaml_fields(path: Path) -> dict[str, Any]:
    metadata = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("metadata") or {}
    return {key: metadata[key] for key in ("severity", "remediation") if key in metadata}


def _python_fields(path: Path) -> dict[str, Any]:
    """SEVERITY/REMEDIATION assigned in a class body, or severity=/remediation= given to a call (value_check)."""
    fields: dict[str, Any] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in ("SEVERITY", "REMEDIATION"):
                    fields[target.id.lower()] = node.value.value
        elif (
            isinstance(node, ast.keyword)
            and node.arg in ("severity", "remediation")
            and isinstance(node.value, ast.Constant)
        ):
            fields[node.arg] = node.value.value
    return fields
