"""Every document a command reads from outside, read one way: each way it can be wrong is one sentence.

A document (a plan, a waivers file, a baseline report, a mutation result, live results, an
outputs file, a Terraform state, a manifest, a signature, a key, an engine record) is read
by `read` under one `Kind`: a regular file, at most `max_bytes` (never read whole before that
is known), UTF-8 where it is text, its syntax (JSON as Terraform reads it: no NaN, no repeated
key; TOML; XML), at most `MAX_DEPTH` levels deep, no lone surrogate, and, when the kind names
one, the JSON Schema in tap/schemas. Whatever is wrong is a `UsageError` naming the file.
"""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tap.errors import UsageError

MiB = 1 << 20
# Deeper than any document the tools write or read (a plan's deepest, a policy condition, is under 20).
MAX_DEPTH = 64
SCHEMAS = Path(__file__).parent / "schemas"
KINDS_OF_VALUE = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
KINDS_OF_VALUE |= {int: "a number", float: "a number"}


@dataclass(frozen=True)
class Kind:
    """What a document is: named in sentences ("the baseline"), its syntax and limits, and its schema."""

    what: str
    syntax: str  # json, toml, xml or bytes
    schema: str | None = None  # a file in tap/schemas, without .schema.json
    max_bytes: int = 16 * MiB
    remedy: str = ""  # what to pass instead, ending the sentence


def read(path: Path | str, kind: Kind, shown: Path | str | None = None) -> Any:
    """The document at `path`, parsed and checked; `shown` is the path sentences name when `path` is a copy."""
    return parse(read_bytes(path, kind, shown), kind, shown or path)


def read_bytes(path: Path | str, kind: Kind, shown: Path | str | None = None) -> bytes:
    """The bytes of a regular file of at most `kind.max_bytes`, never more read than that."""
    shown = shown or path
    try:
        # Non-blocking: opening a FIFO to read would wait for a writer, forever.
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise _refused(kind, shown, "is not a regular file")
            data = file.read(kind.max_bytes + 1)
    except FileNotFoundError:
        raise _refused(kind, shown, "does not exist") from None
    except OSError as error:
        raise UsageError(f"cannot read {kind.what} {shown}: {error.strerror or error}") from None
    if len(data) > kind.max_bytes:
        raise _refused(kind, shown, f"is larger than {_size(kind.max_bytes)}, more than any such document")
    return data


def parse(data: bytes, kind: Kind, shown: Path | str) -> Any:
    """Bytes already read (at most the kind's size), parsed and checked as `read` does."""
    if kind.syntax == "bytes":
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refused(kind, shown, "is not UTF-8 text") from None
    document = _parsed(text, kind, shown)
    problem = _xml_problem(document) if kind.syntax == "xml" else text_problem(document)
    if problem is None and kind.schema:
        problem = schema_problem(document, kind.schema)
    if problem:
        raise _refused(kind, shown, problem)
    return document


def _parsed(text: str, kind: Kind, shown: Path | str) -> Any:
    # TOML and XML readers are imported only where such a document is read: not on the pre-commit path.
    import tomllib
    import xml.etree.ElementTree as ET

    try:
        if kind.syntax == "json":
            return json.loads(text, parse_constant=not_json, parse_float=finite, object_pairs_hook=unique_keys)
        if kind.syntax == "toml":
            return tomllib.loads(text)
        return ET.fromstring(text)
    except RecursionError:
        raise _refused(kind, shown, f"nests deeper than {MAX_DEPTH} levels, which no such document does") from None
    except json.JSONDecodeError as error:
        raise _refused(kind, shown, f"is not JSON ({error.msg} at line {error.lineno})") from None
    except tomllib.TOMLDecodeError as error:
        raise _refused(kind, shown, f"is not TOML ({error})") from None
    except ET.ParseError as error:
        raise _refused(kind, shown, f"is not XML ({error})") from None
    except ValueError as error:  # NaN, 1e999, a repeated key, an integer of thousands of digits
        raise _refused(kind, shown, f"is not {kind.syntax.upper()} as every reader reads it: {error}") from None


def not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def finite(text: str) -> float:
    """A JSON number as a float, refused when it is none (1e999 reads as infinity, which JSON cannot write)."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:40]} is not a finite number")
    return number


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object, refused when a key repeats: Python would keep the last and drop the rest unseen,
    where Terraform's JSON syntax keeps both."""
    found = dict(pairs)
    if len(found) != len(pairs):
        repeated = next(key for number, (key, _) in enumerate(pairs) if key in dict(pairs[:number]))
        raise ValueError(f"the key {repeated!r} repeats in one object")
    return found


def text_problem(document: Any) -> str | None:
    """Nesting no document has, or text that is no Unicode (a lone surrogate such as `\\ud800`)."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return f"nests deeper than {MAX_DEPTH} levels, which no such document does"
        if isinstance(value, dict):
            pending += [(key, depth) for key in value] + [(item, depth + 1) for item in value.values()]
        elif isinstance(value, list):
            pending += [(item, depth + 1) for item in value]
        elif isinstance(value, str) and not _is_unicode(value):
            return f"holds the text {value[:60]!r}, which is not valid Unicode"
    return None


def _xml_problem(root: Any) -> str | None:
    pending = [(root, 1)]
    while pending:
        element, depth = pending.pop()
        if depth > MAX_DEPTH:
            return f"nests deeper than {MAX_DEPTH} levels, which no such document does"
        pending += [(child, depth + 1) for child in element]
    return None


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def schema_problem(document: Any, schema: str) -> str | None:
    """The first way the document breaks its schema, as a clause naming where, or None."""
    error = next(iter(sorted(_validator(schema).iter_errors(document), key=_depth_first)), None)
    return None if error is None else f"is not {_schema_title(schema)}: {_where(error)} {_what(error)}"


@cache
def _validator(schema: str) -> Any:
    import jsonschema  # only where a document is checked: never on the pre-commit path

    document = json.loads((SCHEMAS / f"{schema}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(document, format_checker=jsonschema.FormatChecker())


def _schema_title(schema: str) -> str:
    return _validator(schema).schema.get("title", schema)


def _depth_first(error: Any) -> tuple[int, str]:
    # The deepest error names the smallest thing to fix; ties in the order of the path.
    return -len(error.absolute_path), str(list(error.absolute_path))


def _where(error: Any) -> str:
    path = "".join(f"[{step}]" if isinstance(step, int) else f".{str(step)[:40]}" for step in error.path)
    return f"`{path.lstrip('.')}`" if path else "it"


def _what(error: Any) -> str:
    """The broken rule in words that never repeat the value (it may be huge, or a secret)."""
    rule, expected, instance = error.validator, error.validator_value, error.instance
    if rule == "type":
        return f"is {kind_of(instance)}, not {_kinds(expected)}"
    if rule == "required":
        missing = [key for key in expected if isinstance(instance, dict) and key not in instance]
        return f"lacks {', '.join(missing)}"
    if rule == "additionalProperties":
        extra = sorted(set(instance) - set(error.schema.get("properties", {})))
        return f"has keys no such document has ({', '.join(extra)[:80]})"
    if rule in ("enum", "const"):
        options = expected if rule == "enum" else [expected]
        return f"is none of {', '.join(json.dumps(option) for option in options)}"
    if rule == "pattern" or rule == "format":
        return f"is not {error.schema.get('description') or f'a {expected}'}"
    if rule in ("minProperties", "minItems") and expected == 1:
        return "is empty"
    if rule in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"is out of range ({rule} {expected})"
    return f"breaks the rule {rule} {json.dumps(expected)[:60]}"


def _kinds(expected: str | list[str]) -> str:
    names = {"object": "an object", "array": "a list", "string": "a string", "integer": "a whole number"}
    names |= {"number": "a number", "boolean": "a boolean", "null": "null"}
    return " or ".join(names[name] for name in ([expected] if isinstance(expected, str) else expected))


def kind_of(value: Any) -> str:
    """What a JSON (or TOML) value is, for a sentence: "a list", "an object"..."""
    return "null" if value is None else KINDS_OF_VALUE.get(type(value), f"a {type(value).__name__}")


def _size(count: int) -> str:
    return f"{count // MiB} MiB" if count >= MiB else f"{count // 1024} KiB"


def _refused(kind: Kind, shown: Path | str, problem: str) -> UsageError:
    return UsageError(f"{kind.what} {shown} {problem}{kind.remedy}")
