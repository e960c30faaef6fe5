"""Terraform expressions inside a plan: which ones the audit can read, which it cannot.

CDKTF writes every Terraform expression as a string template: `"${aws_kms_key.data.arn}"` (a
reference to another block of the plan), `"${true}"` (a constant), `"${var.size}"` or
`"${merge(local.tags, ...)}"` (known only when Terraform evaluates the plan). A reference is
evidence in itself (the bucket's key IS that key); a constant is folded to its value before
checkov reads the plan; anything else is unresolved: a check that reads it has no verdict.

Standard library only: tap reads plans with it, and so do the policies, inside checkov's own
virtualenv (`policies/support.py`).
"""

from __future__ import annotations

import json
import re
from typing import Any

# What an expression may name without the plan saying its value: inputs given at apply.
INPUT_ROOTS = ("var", "local", "module", "each", "count", "self", "path", "terraform")
# A traversal of a resource or data source: `type.name.attr`, `data.type.name.attr[0]`, splats.
_STEP = r"(?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"\\]*\"\]|\.\*|\[\*\])"
_REFERENCE = re.compile(rf"\s*(?:data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*{_STEP}*\s*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
# Inputs the audit refuses to guess: variables, locals and another state's outputs.
_INPUT = re.compile(r"(?<![\w.\"-])(?:(?:var|local)\.[A-Za-z_][\w-]*|data\.terraform_remote_state\.[A-Za-z_][\w-]*)")


class _Unterminated(ValueError):
    """A `${` with no closing brace: Terraform would refuse the plan; the audit cannot read it."""


def interpolations(text: str) -> list[str]:
    """The inside of every `${...}` in a string template (`$${` is an escaped literal `${`)."""
    found, index = [], 0
    while (start := _next_interpolation(text, index)) >= 0:
        try:
            end = _closing_brace(text, start + 2)
        except _Unterminated:
            found.append(text[start + 2 :])
            break
        found.append(text[start + 2 : end])
        index = end + 1
    return found


def _next_interpolation(text: str, index: int) -> int:
    while (start := text.find("${", index)) >= 0:
        if start > 0 and text[start - 1] == "$":  # `$${` is the literal text `${`
            index = start + 2
            continue
        return start
    return -1


def _closing_brace(text: str, index: int) -> int:
    """The index of the `}` closing the interpolation whose body starts at `index`: quoted strings
    (with their own templates) and object braces inside it are stepped over."""
    contexts = ["expression"]
    while index < len(text):
        char = text[index]
        if contexts[-1] == "string":
            if char == "\\":
                index += 1
            elif char == '"':
                contexts.pop()
            elif text.startswith("${", index):
                contexts.append("expression")
                index += 1
        elif char == '"':
            contexts.append("string")
        elif char == "{":
            contexts.append("expression")
        elif char == "}":
            contexts.pop()
            if not contexts:
                return index
        index += 1
    raise _Unterminated(text)


def whole_expression(found: Any) -> str | None:
    """The expression when a string is exactly one interpolation (`"${...}"`), else None."""
    if not isinstance(found, str) or not found.startswith("${"):
        return None
    try:
        end = _closing_brace(found, 2)
    except _Unterminated:
        return found[2:]
    return found[2:end] if end == len(found) - 1 else None


_NOT_CONSTANT = object()


def constant(expression: str) -> Any:
    """The value of a constant expression (`true`, `false`, `null`, a number, a quoted string without
    templates), else the marker `_NOT_CONSTANT`: Terraform's own semantics fix nothing else without
    evaluating the plan."""
    text = expression.strip()
    literals = {"true": True, "false": False, "null": None}
    if text in literals:
        return literals[text]
    if _NUMBER.fullmatch(text):
        return json.loads(text)
    if text.startswith('"') and "${" not in text and "%{" not in text:
        try:
            decoded = json.loads(text)
        except ValueError:
            return _NOT_CONSTANT
        return decoded if isinstance(decoded, str) else _NOT_CONSTANT
    return _NOT_CONSTANT


def is_constant(expression: str) -> bool:
    return constant(expression) is not _NOT_CONSTANT


def is_reference(expression: str) -> bool:
    """A traversal of a resource or data source of the plan (not of an input: var, local, module...)."""
    text = expression.strip()
    # Another state's outputs are inputs too: their value is in no plan.
    return (
        bool(_REFERENCE.fullmatch(text))
        and text.split(".", 1)[0] not in INPUT_ROOTS
        and not text.startswith("data.terraform_remote_state.")
    )


def unresolved(found: Any) -> list[str]:
    """The interpolations in a string that are neither references nor constants: their value is known
    only when Terraform evaluates the plan, so a check that reads them has nothing to judge."""
    if not isinstance(found, str) or "${" not in found:
        return []
    return [f"${{{inner}}}" for inner in interpolations(found) if not is_reference(inner) and not is_constant(inner)]


def inputs(found: Any) -> list[str]:
    """The variables, locals and remote states an expression in a string refers to."""
    if not isinstance(found, str) or "${" not in found:
        return []
    return sorted({name for inner in interpolations(found) for name in _INPUT.findall(inner)})


def fold(found: Any) -> Any:
    """The value with every whole-string constant expression (`"${true}"`) replaced by its constant."""
    if isinstance(found, dict):
        return {key: fold(item) for key, item in found.items()}
    if isinstance(found, list):
        return [fold(item) for item in found]
    expression = whole_expression(found)
    if expression is not None and (value := constant(expression)) is not _NOT_CONSTANT:
        return value
    return found


def leaves(found: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every (path, leaf value) below a value, paths in checkov's notation (`a/[0]/b`)."""
    if isinstance(found, dict):
        return [leaf for key, item in found.items() for leaf in leaves(item, f"{path}/{key}" if path else key)]
    if isinstance(found, list):
        return [leaf for index, item in enumerate(found) for leaf in leaves(item, f"{path}/[{index}]")]
    return [(path, found)]


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_KEY_FOLLOWS = re.compile(r"\s*:")


def fold_json(text: str) -> str:
    """A JSON document's text with its constant expressions folded string by string, so every block
    keeps the lines it had (checkov reports findings by line)."""

    def folded(match: re.Match[str]) -> str:
        if _KEY_FOLLOWS.match(text, match.end()):
            return match.group(0)
        original = json.loads(match.group(0))
        value = fold(original)
        return match.group(0) if value is original else json.dumps(value)

    return _JSON_STRING.sub(folded, text)
