"""Terraform expressions inside a plan: which ones the audit can read, which it cannot.

CDKTF writes every Terraform expression as a string template: `"${aws_kms_key.data.arn}"` (a
reference to another block of the plan), `"${true}"` (a constant), `"${var.size}"`,
`"${merge(local.tags, ...)}"` or a directive such as `"%{ if ... }...%{ endif }"` (known only when
Terraform evaluates the plan). A reference is evidence in itself (the bucket's key IS that key); a
template made only of text and constants is folded to the value Terraform gives it before checkov
reads the plan; anything else is unresolved: a check that reads it has no verdict.

Standard library only: tap reads plans with it, and so do the policies, inside checkov's own
virtualenv (`policies/support.py`).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# What an expression may name without the plan saying its value: inputs given at apply.
INPUT_ROOTS = ("var", "local", "module", "each", "count", "self", "path", "terraform")
# A traversal of a resource or data source: `type.name.attr`, `data.type.name.attr[0]`, splats.
_STEP = r"(?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"\\]*\"\]|\.\*|\[\*\])"
_REFERENCE = re.compile(rf"\s*(?:data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*{_STEP}*\s*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
# Inputs the audit refuses to guess: variables, locals and another state's outputs (HCL allows
# spaces around the dots). What precedes one must not make it part of another name.
_INPUT = re.compile(r"(var|local)\s*\.\s*([A-Za-z_][\w-]*)|data\s*\.\s*terraform_remote_state\s*\.\s*([A-Za-z_][\w-]*)")
_NAME_CHARACTER = re.compile(r"[\w.\"-]")
# A template's pieces: `${...}` interpolations and `%{...}` directives (`$${` and `%%{` are escapes).
INTERPOLATION, DIRECTIVE, TEXT = "${", "%{", "text"


class _Unterminated(ValueError):
    """A `${` with no closing brace: Terraform would refuse the plan; the audit cannot read it."""


_OPENER = re.compile(r"\$\$\{|%%\{|\$\{|%\{")


def segments(text: str) -> list[tuple[str, str]]:
    """A string template as (kind, content) pieces: TEXT, INTERPOLATION or DIRECTIVE with its inside."""
    found, index, literal = [], 0, []
    while (opener := _OPENER.search(text, index)) is not None:
        literal.append(text[index : opener.start()])
        if len(opener.group()) == 3:  # an escape: the literal text `${` or `%{`
            literal.append(opener.group()[1:])
            index = opener.end()
            continue
        if any(literal):
            found.append((TEXT, "".join(literal)))
        literal = []
        try:
            end = _closing_brace(text, opener.end())
        except _Unterminated:
            return [*found, (opener.group(), text[opener.end() :])]
        found.append((opener.group(), text[opener.end() : end]))
        index = end + 1
    literal.append(text[index:])
    return [*found, (TEXT, "".join(literal))] if any(literal) else found


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


def interpolations(text: str) -> list[str]:
    """The inside of every `${...}` and `%{...}` of a string template."""
    return [content for kind, content in segments(text) if kind != TEXT]


def whole_expression(found: Any) -> str | None:
    """The expression when a string is exactly one interpolation (`"${...}"`), else None."""
    if not isinstance(found, str) or not found.startswith(INTERPOLATION):
        return None
    pieces = segments(found)
    return pieces[0][1] if len(pieces) == 1 and pieces[0][0] == INTERPOLATION else None


_NOT_CONSTANT = object()


def constant(expression: str) -> Any:
    """The value of a constant expression (`true`, `false`, `null`, a finite number, a quoted string
    without templates), else the marker `_NOT_CONSTANT`: Terraform's own semantics fix nothing else
    without evaluating the plan."""
    text = expression.strip()
    literals = {"true": True, "false": False, "null": None}
    if text in literals:
        return literals[text]
    if _NUMBER.fullmatch(text):
        number = json.loads(text)
        return number if math.isfinite(number) else _NOT_CONSTANT
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


# What a reference may name and still be evidence: which block (its id, ARN, name...), never a value
# computed there (`${terraform_data.x.output}`, `${aws_vpc.v.cidr_block}`), which checkov cannot read.
IDENTITY_ATTRIBUTES = frozenset(
    {"id", "arn", "name", "arn_suffix", "identifier", "key_id", "prefix_list_id", "account_id", "hex"}
    | {"latest_version", "default_version", "partition", "region"}
)
# A block's own attribute: `type.name.attr`, `type.name[0].attr`, `data.type.name.attr` (nothing deeper).
_BLOCK = r"\s*(?:data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*(?:\[\d+\]|\[\"[^\"\\]*\"\])?"
_OWN_ATTRIBUTE = re.compile(rf"{_BLOCK}\.([A-Za-z_][\w-]*)\s*")


def borrowed(found: Any) -> list[str]:
    """The references in a string template to a value another block computes, not to a block's identity."""
    if not isinstance(found, str) or "${" not in found:
        return []
    return [
        f"${{{content}}}"
        for kind, content in segments(found)
        if kind == INTERPOLATION and is_reference(content) and _attribute(content) not in IDENTITY_ATTRIBUTES
    ]


def _attribute(reference: str) -> str:
    """The block's own attribute a traversal names: `arn` of `aws_kms_key.k.arn`, `id` of `aws_subnet.s[0].id`;
    none for a traversal deeper into a value (`terraform_data.x.output.id`) or of a whole block."""
    own = _OWN_ATTRIBUTE.fullmatch(reference)
    return own.group(1) if own else ""


def unresolved(found: Any) -> list[str]:
    """The pieces of a string template whose value is known only when Terraform evaluates the plan:
    every directive, and every interpolation that is neither a reference nor a constant. A template
    of text and constants alone renders to a known string (`fold`)."""
    if not isinstance(found, str) or ("${" not in found and "%{" not in found):
        return []
    return [
        f"{kind}{content}}}"
        for kind, content in segments(found)
        if kind == DIRECTIVE or (kind == INTERPOLATION and not is_reference(content) and not is_constant(content))
    ]


def inputs(found: Any) -> list[str]:
    """The variables, locals and remote states a string template refers to."""
    if not isinstance(found, str) or ("${" not in found and "%{" not in found):
        return []
    return sorted({name for inner in interpolations(found) for name in _inputs_in(inner)})


def _inputs_in(expression: str) -> list[str]:
    named = []
    for match in _INPUT.finditer(expression):
        before = expression[: match.start()]
        if before.endswith("-"):  # unary minus, unless the dash belongs to a name (`my-var.x`)
            if before[:-1] and _NAME_CHARACTER.fullmatch(before[-2]) and before[-2] != '"':
                continue
        elif before and _NAME_CHARACTER.fullmatch(before[-1]):
            continue
        root, name, state = match.groups()
        named.append(f"{root}.{name}" if root else f"data.terraform_remote_state.{state}")
    return named


def render(found: str) -> Any:
    """The value Terraform gives a string: itself without templates, the constant of a whole-string
    constant expression, the rendered text of a template of text and constants; else `_NOT_CONSTANT`."""
    pieces = segments(found)
    if len(pieces) == 1 and pieces[0][0] == INTERPOLATION:
        return constant(pieces[0][1])
    text = []
    for kind, content in pieces:
        value = constant(content) if kind == INTERPOLATION else content if kind == TEXT else _NOT_CONSTANT
        if value is _NOT_CONSTANT or value is None:  # a directive, an unknown, or null (an error in a template)
            return _NOT_CONSTANT
        text.append(str(value).lower() if isinstance(value, bool) else str(value))
    return "".join(text)


def fold(found: Any) -> Any:
    """The value with every string that renders to a known value replaced by that value (`"${true}"`
    becomes true, `"${\\"tr\\"}ue"` becomes "true"). A rendered text that would read as a template
    again (from an escaped `$${`) is left as written."""
    if isinstance(found, dict):
        return {key: fold(item) for key, item in found.items()}
    if isinstance(found, list):
        return [fold(item) for item in found]
    if not isinstance(found, str) or ("${" not in found and "%{" not in found):
        return found
    value = render(found)
    if value is _NOT_CONSTANT or (isinstance(value, str) and ("${" in value or "%{" in value)):
        return found
    return value


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
