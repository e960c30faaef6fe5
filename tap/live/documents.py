"""IAM policy documents in one canonical form, so the live suite compares what they mean, not how they are written.

IAM takes a lone statement or a list of them, in any order, and a lone value or a list of values
(`"Action": "s3:GetObject"` is `["s3:GetObject"]`); AWS may hand a document back either way. The
canonical form makes every multi-valued element (principals, actions, resources, condition values)
a sorted list without repeats, and sorts the statements. Nothing else changes: `"*"` stays `"*"`, an
`{"AWS": "*"}` principal stays apart from a service principal, a condition is never dropped.
"""

from __future__ import annotations

import json
from typing import Any

# Elements that hold one value; every other element of a statement may hold a value or a list of them.
SINGLE_VALUED = frozenset({"Sid", "Effect"})


def canonical(document: str | dict[str, Any]) -> dict[str, Any]:
    """A policy document (JSON text, or as boto3 decodes it) in the canonical form."""
    parsed = json.loads(document) if isinstance(document, str) else document
    statements = parsed.get("Statement", [])
    listed = [statements] if isinstance(statements, dict) else statements
    return {**parsed, "Statement": sorted((_values(statement) for statement in listed), key=_text)}


def _values(element: Any, key: str = "") -> Any:
    if isinstance(element, dict):
        return {inner: _values(value, inner) for inner, value in element.items()}
    if key in SINGLE_VALUED:
        return element
    listed = element if isinstance(element, list) else [element]
    return sorted({_text(value): value for value in listed}.values(), key=_text)


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
