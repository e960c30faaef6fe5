"""Secret-looking literals anywhere in a plan, found with Yelp's detect-secrets, and kept out of every report.

The stack keeps its secrets in Secrets Manager, so a literal one in the plan is a leak: it
would sit in the state, the plan file and, through the audit, in every report. Each string
of the plan (attribute values, tags, parameters, policy documents parsed from their JSON,
user_data decoded from base64 and gunzipped) is shown to detect-secrets as the lines of a config
file, `<name>: "<line>"`: its keyword detector sees the attribute or tag name and `KEY=value` or
`key: value` inside scripts, its entropy detectors the quoted value, and its pattern
detectors (AWS keys, private keys, tokens) the text.

A value the scanner cannot read whole (over its decompression limit, a gzip bomb, truncated or
corrupt gzip, user_data that does not decode to text, encodings nested past its depth) is a leak
too, named with the reason: what was not read may hold a secret, so it never passes.
"""

from __future__ import annotations

import base64
import dataclasses
import email
import email.policy
import functools
import gzip
import io
import json
import re
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
# What a value may decompress to: user_data is at most 16 KiB; more is not a script. A value past
# a limit here is unreadable, and fails the audit like a secret: what was not read may hold one.
MAX_DECODED = 1 << 20
MAX_LAYERS = 4  # encodings inside one another (base64, gzipped or not; a JSON document in a string)
GZIP_MAGIC = b"\x1f\x8b"
# Attributes that hold base64 by definition (user_data of a launch template, user_data_base64, content_base64):
# if it looks like base64, it must decode to text. Elsewhere base64 of bytes (a digest) is scanned as it is.
ENCODED_NAMES = re.compile(r"(user_data|_base64)$", re.IGNORECASE)
BASE64_ALPHABET = re.compile(r"[A-Za-z0-9+/]+=*")
# A MIME multi-part archive, as cloud-init takes user data of several parts (each with its own encoding).
MIME_HEADER = re.compile(r"\s*(content-type:\s*multipart/|mime-version:)", re.IGNORECASE)


class Unreadable(ValueError):
    """A value the scanner cannot read whole; the message says why."""


@dataclass(frozen=True)
class _String:
    path: tuple[str | int, ...]  # from the document's root
    name: str  # what detect-secrets' keyword detector reads as the key
    text: str  # what is scanned (decoded when the plan holds it encoded)
    raw: str  # as the plan holds it
    decoded: bool
    unreadable: str = ""  # why it could not be read whole: then it counts as a leak


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
    address, attribute = _location(string.path)
    if string.unreadable:
        return Leak(address, attribute, kinds=(), texts=frozenset({string.raw}), unreadable=string.unreadable)
    found = _detected(string.name, string.text)
    if not found:
        return None
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


def _strings(
    value: Any, path: tuple[str | int, ...], name: str = "value", layers: int = 0, budget: _Budget | None = None
) -> Iterator[_String]:
    """Every string in `value`; `layers`: the encodings it was found under, `budget`: what they may still
    decompress to (a plan's own strings: none, and each its own)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not (path[-1:] == ("//",) and key in BOOKKEEPING):
                yield from _strings(item, (*path, key), _name_of(value, key, name), layers, budget)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index), name, layers, budget)
    elif isinstance(value, str):
        yield from _inside(value, path, name, layers, budget)


def _name_of(block: dict, key: str, block_name: str) -> str:
    """The name a value goes by: its key, unless that only says "value" or "default". Then it is its
    sibling's name (`{"name": "DB_PASSWORD", "value": ...}`: tags, parameters, environment) or else
    its block's (`variable.db_password.default`, `output.db_password.value`)."""
    if key.lower() not in GENERIC_KEYS:
        return key
    sibling = next((block[field] for field in SIBLING_NAMES if isinstance(block.get(field), str)), None)
    return sibling or block_name


def _inside(
    raw: str, path: tuple[str | int, ...], name: str, layers: int = 0, budget: _Budget | None = None
) -> Iterator[_String]:
    """The strings a plan string holds: a JSON document's own, or the text under its encodings. What cannot be
    read whole is yielded as unreadable, never passed over: a secret past a limit is still a secret."""
    budget = _Budget() if budget is None else budget  # one per plan string, shared by all it holds
    try:
        document, text, depth = _unwrapped(raw, _declared_encoded(path), layers, budget)
        parts = _mime_parts(text, budget) if document is None else None
    except Unreadable as why:
        yield _String(path, name, raw, raw, decoded=False, unreadable=str(why))
        return
    if document is not None:  # a policy document: its keys name its values
        yield from _strings(document, path, name, depth, budget)
        return
    if parts is None:
        yield _String(path, name, text, raw, decoded=depth > layers)
    elif depth + 1 > MAX_LAYERS:
        yield _String(path, name, raw, raw, decoded=False, unreadable=f"more than {MAX_LAYERS} encodings deep")
    else:  # each part of a cloud-init archive (its headers, its decoded body), as the plan's value
        for part in parts:
            for string in _inside(part, path, name, depth + 1, budget):
                yield dataclasses.replace(string, raw=raw, decoded=True)


def _mime_parts(text: str, budget: _Budget) -> list[str] | None:
    """The headers and decoded bodies of a MIME multi-part text (cloud-init's user data archive), or None
    when it is none. A part that does not decode whole (its transfer encoding, gzip, not text) makes it
    unreadable."""
    if not MIME_HEADER.match(text):
        return None
    message = email.message_from_string(text, policy=email.policy.compat32)
    if not message.is_multipart():
        return None
    parts = []
    for part in message.walk():
        parts.append("\n".join(f"{key}: {value}" for key, value in part.items()))
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if payload is None or part.defects:
            raise Unreadable("a MIME part that does not decode")
        decoded = _text(budget.gunzip(payload) if payload.startswith(GZIP_MAGIC) else payload)
        if decoded is None and payload:
            raise Unreadable("a MIME part that is not text")
        parts.append(decoded or "")
    return parts


def _declared_encoded(path: tuple[str | int, ...]) -> bool:
    """Whether the attribute holds base64 by definition (user_data and its kin): then it must decode to text."""
    names = [part for part in path if isinstance(part, str)]
    return bool(names) and bool(ENCODED_NAMES.search(names[-1]))


@dataclass
class _Budget:
    """What one plan string may decompress to, all its layers together: a bomb is stopped, not read."""

    left: int = MAX_DECODED

    def gunzip(self, data: bytes) -> bytes:
        try:
            unzipped = gzip.GzipFile(fileobj=io.BytesIO(data)).read(self.left + 1)
        except (OSError, EOFError, zlib.error):  # gzip.BadGzipFile is an OSError
            raise Unreadable("truncated or corrupt gzip") from None
        if len(unzipped) > self.left:
            raise Unreadable(f"over {MAX_DECODED >> 20} MiB once decompressed: too large to scan")
        self.left -= len(unzipped)
        return unzipped


def _unwrapped(text: str, encoded: bool, layers: int, budget: _Budget) -> tuple[dict | list | None, str, int]:
    """(the JSON document it is, or None; the text under its encodings; the layers peeled, counting those before)."""
    while True:
        document = _json_document(text)
        decoded = None if document is not None else _base64_text(text, encoded, budget)
        if document is None and decoded is None:
            return None, text, layers
        if layers == MAX_LAYERS:
            raise Unreadable(f"more than {MAX_LAYERS} encodings deep")
        if document is not None:
            return document, text, layers + 1
        text, layers = decoded, layers + 1


def _json_document(text: str) -> dict | list | None:
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        document = json.loads(text)
    except RecursionError:
        raise Unreadable("JSON nested too deep to parse") from None
    except ValueError:
        return None
    return document if isinstance(document, dict | list) else None


def _base64_text(text: str, encoded: bool, budget: _Budget) -> str | None:
    """The text a base64 string encodes (gunzipped when gzipped, as cloud-init takes it), or None when it
    encodes none. In an attribute that holds base64 by definition, base64 that does not decode to text is
    unreadable; so is gzip anywhere that does not decompress whole."""
    compact = text.replace("\r", "").replace("\n", "")
    if not compact:
        return None
    try:
        data = base64.b64decode(compact, validate=True)
    except ValueError:  # binascii.Error, and non-ASCII text
        if encoded and BASE64_ALPHABET.fullmatch(compact):
            raise Unreadable("base64 that does not decode") from None
        return None
    gzipped = data.startswith(GZIP_MAGIC)
    decoded = _text(budget.gunzip(data) if gzipped else data)
    if decoded is None and (encoded or gzipped):  # gzip of gzip too: cloud-init decompresses once
        raise Unreadable("base64 of bytes that are not text")
    return decoded


def _text(data: bytes) -> str | None:
    """Text, or None. Random bytes are never all printable text: what passes is an encoded script or document."""
    try:
        decoded = data.decode("utf-8")
    except ValueError:
        return None
    return decoded if decoded and all(char.isprintable() or char in "\t\r\n" for char in decoded) else None


def _location(path: tuple[str | int, ...]) -> tuple[str, str]:
    """(block address, attribute path inside it) of a path from the document's root."""
    width = 3 if path[0] in ("resource", "data") else 2
    head, rest = (path[:width], path[width:]) if len(path) > width else (path[:-1], path[-1:])
    address = ".".join(str(part) for part in (head[1:] if head[0] == "resource" else head))
    attribute = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in rest).lstrip(".")
    return address, attribute
