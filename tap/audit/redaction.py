"""What no report may hold: the secret-looking literals found in a plan (and the values too unreadable to
rule one out), and their redaction.

Apart from `tap/audit/leaks.py` (which finds them with detect-secrets), so reading a report's
redactions never imports the scanner.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

REDACTED = "<redacted>"


@dataclass(frozen=True)
class Leak:
    address: str  # the block: aws_launch_template.x, provider.aws, output.y
    attribute: str  # where in it: user_data, tags.DB_PASSWORD, policy.Statement[0].Resource
    kinds: tuple[str, ...]  # detect-secrets' secret types, e.g. "Secret Keyword"
    texts: frozenset[str]  # what no report may hold: each literal and the strings that carry it
    unreadable: str = ""  # why the scanner could not read the value whole (then `kinds` is empty)

    def describe(self) -> str:
        if self.unreadable:
            return (
                f"{self.address} {self.attribute} cannot be scanned for secrets whole ({self.unreadable}): "
                "what the audit cannot read fails it like a secret"
            )
        return (
            f"{self.address} {self.attribute} holds what looks like a secret ({', '.join(self.kinds)}): "
            "keep it in Secrets Manager and pass a reference, never the value"
        )


class Redactor:
    """Replaces every text of the leaks found, wherever it appears, by `<redacted>`."""

    def __init__(self, leaks: list[Leak]):
        # Longest first, so a string that carries a literal goes whole.
        texts = sorted({text for leak in leaks for text in leak.texts if text}, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, texts))) if texts else None

    def touches(self, value: Any) -> bool:
        """Whether any string inside `value` (nested in dicts and lists) holds a leaked text."""
        if self._pattern is None:
            return False
        if isinstance(value, dict):
            return any(self.touches(key) or self.touches(item) for key, item in value.items())
        if isinstance(value, list | tuple):
            return any(self.touches(item) for item in value)
        return isinstance(value, str) and bool(self._pattern.search(value))

    def apply(self, value: Any) -> Any:
        """`value` with every leaked text redacted: strings, dicts, lists, tuples and dataclasses, deeply."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self._pattern.sub(REDACTED, value)
        if isinstance(value, dict):
            return {self.apply(key): self.apply(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.apply(item) for item in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {field.name: self.apply(getattr(value, field.name)) for field in dataclasses.fields(value)}
            return dataclasses.replace(value, **changes)
        return value
