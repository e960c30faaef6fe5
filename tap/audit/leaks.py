"""Secret-looking literals anywhere in a plan, found with Yelp's detect-secrets, and kept out of every report.

The stack keeps its secrets in Secrets Manager, so a literal one in the plan is a leak: it
would sit in the state, the plan file and, through the audit, in every report. Each string
of the plan (attribute values, tags, parameters, policy documents parsed from their JSON,
user_data decoded from base64) is shown to detect-secrets as the lines of a config file,
`<name>: "<line>"`: its keyword detector sees the attribute or tag name and `KEY=value` or
`key: value` inside scripts, its entropy detectors the quoted value, and its pattern
detectors (AWS keys, private keys, tokens) the text.
"""

from __future__ import annotations

import base64
import functools
import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.core.scan import _process_line_based_plugins
from detect_secrets.plugins.keyword import KeywordDetector
from detect_secrets.settings import transient_settings

from tap.audit.redaction import Leak

# CDKTF's bookkeeping inside a "//" block: construct paths, ids and output names, never deployed.
BOOKKEEPING = frozenset({"metadata", "outputs"})
# A config file: detect-secrets then reads `KEY=value` and `key: value` without quotes.
SCANNED_AS = "plan-strings.conf"
# Public IP addresses are network configuration in a plan, not secrets.
UNUSED_PLUGINS = {"IPPublicDetector"}
# Secrets Manager's own names (IAM actions and condition keys `secretsmanager:...`, ARNs
# `...:secret:name`) read like `secret: value` to the keyword detector; they name, not hold, a secret.
AWS_SECRET_NAMES = r"secretsmanager:|:secret:"
# `# pragma: allowlist secret` on a line hides it from detect-secrets; a plan cannot waive its own
# secret that way (exceptions are waivers: approved, dated and shown in the reports).
INLINE_ALLOWLIST = "detect_secrets.filters.allowlist.is_line_allowlisted"
# Keys that do not name their value, and the sibling keys that do.
GENERIC_KEYS = {"value", "default"}
SIBLING_NAMES = ("name", "key", "Name", "Key")
MAX_DECOMPRESSED = 1 << 20  # user_data is at most 16 KiB; more is not a script


@dataclass(frozen=True)
class _String:
    path: tuple[str | int, ...]  # from the document's root
    name: str  # what detect-secrets' keyword detector reads as the key
    text: str  # what is scanned (decoded when the plan holds it encoded)
    raw: str  # as the plan holds it
    decoded: bool


def find_leaks(document: dict) -> list[Leak]:
    with transient_settings(_settings()) as settings:
        settings.disable_filters(INLINE_ALLOWLIST)
        return [leak for string in _strings(document, ()) if (leak := _scan(string))]


def _settings() -> dict:
    plugins = [
        {"name": plugin.__name__}
        for plugin in get_mapping_from_secret_type_to_class().values()
        if plugin.__name__ not in UNUSED_PLUGINS
    ]
    for plugin in plugins:
        if plugin["name"] == KeywordDetector.__name__:
            plugin["keyword_exclude"] = AWS_SECRET_NAMES
    return {"plugins_used": plugins}


def _scan(string: _String) -> Leak | None:
    found = _detected(string.name, string.text)
    if not found:
        return None
    address, attribute = _location(string.path)
    return Leak(
        address=address,
        attribute=attribute + (" (decoded from base64)" if string.decoded else ""),
        kinds=tuple(sorted({secret.type for secret in found})),
        texts=frozenset({string.raw, string.text, *(literal for secret in found for literal in _literals(secret))}),
    )


@functools.cache
def _detected(name: str, text: str) -> tuple[PotentialSecret, ...]:
    """What detect-secrets finds in a text under a name; the plans of one run share most of their texts."""
    lines = [(number, f'{name}: "{line}"') for number, line in enumerate(text.splitlines(), 1)]
    # The line scanner `detect-secrets scan` runs on each file, without the file (the version is pinned).
    return tuple(_process_line_based_plugins(lines, SCANNED_AS))


def _literals(secret: PotentialSecret) -> set[str]:
    """The secret as detect-secrets read it and, after a keyword (`KEY=value and the rest of the line`), the value."""
    if not secret.secret_value:
        return set()
    if secret.type == KeywordDetector.secret_type:
        return {secret.secret_value, secret.secret_value.split()[0]}
    return {secret.secret_value}


def _strings(value: Any, path: tuple[str | int, ...], name: str = "value") -> Iterator[_String]:
    if isinstance(value, dict):
        for key, item in value.items():
            if not (path[-1:] == ("//",) and key in BOOKKEEPING):
                yield from _strings(item, (*path, key), _name_of(value, key, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index), name)
    elif isinstance(value, str):
        yield from _inside(value, path, name)


def _name_of(block: dict, key: str, block_name: str) -> str:
    """The name a value goes by: its key, unless that only says "value" or "default". Then it is its
    sibling's name (`{"name": "DB_PASSWORD", "value": ...}`: tags, parameters, environment) or else
    its block's (`variable.db_password.default`, `output.db_password.value`)."""
    if key.lower() not in GENERIC_KEYS:
        return key
    sibling = next((block[field] for field in SIBLING_NAMES if isinstance(block.get(field), str)), None)
    return sibling or block_name


def _inside(raw: str, path: tuple[str | int, ...], name: str) -> Iterator[_String]:
    document = _json_document(raw)
    if document is not None:  # a policy document: its keys name its values
        yield from _strings(document, path, name)
        return
    decoded = _base64_text(raw)
    yield _String(path, name, decoded if decoded is not None else raw, raw, decoded is not None)


def _json_document(text: str) -> dict | list | None:
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict | list) else None


def _base64_text(text: str) -> str | None:
    """The text a base64 string encodes (gunzipped when gzipped, as cloud-init takes it), or None."""
    try:
        data = base64.b64decode(text.replace("\n", ""), validate=True)
        if data.startswith(b"\x1f\x8b"):
            data = gzip.GzipFile(fileobj=io.BytesIO(data)).read(MAX_DECOMPRESSED)
        decoded = data.decode("utf-8")
    except (ValueError, OSError, EOFError, zlib.error):  # binascii.Error and non-ASCII text are ValueErrors
        return None
    # Random bytes are never all printable text: what is left is an encoded script or document.
    return decoded if decoded and all(char.isprintable() or char in "\t\r\n" for char in decoded) else None


def _location(path: tuple[str | int, ...]) -> tuple[str, str]:
    """(block address, attribute path inside it) of a path from the document's root."""
    width = 3 if path[0] in ("resource", "data") else 2
    head, rest = (path[:width], path[width:]) if len(path) > width else (path[:-1], path[-1:])
    address = ".".join(str(part) for part in (head[1:] if head[0] == "resource" else head))
    attribute = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in rest).lstrip(".")
    return address, attribute
