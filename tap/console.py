"""Everything `tap` writes for a person to read passes through here, made inert first.

A plan, a report folder's file names, an account's answers and the environment are input
anyone can shape: a carriage return, a terminal escape or a bidirectional override in them
would rewrite what the console, a CI log or a report shows (a fake PASS, a hidden TAMPERED).
So they are shown as escapes instead (`\\r`, `\\x1b`, `\\u202e`). The same characters, and
lone surrogates, are what XML 1.0 forbids, so an escaped text is also safe in any XML.
`tests/tap/test_architecture.py` keeps every other module from printing by itself.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from typing import Any, TextIO
from urllib.parse import urlsplit

# C0 controls (line breaks too: a value never starts a line of its own), DEL and C1 controls;
# the bidirectional marks, embeddings, overrides and isolates; the line and paragraph
# separators; lone surrogates (undecodable file names) and the two non-characters XML forbids.
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff\ufffe\uffff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    code = ord(character)
    return _NAMED.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """`text` with every character that could steer a terminal or a reader shown as its escape."""
    text = str(text)
    if text.isascii() and text.isprintable():  # the common case, at C speed: a report holds thousands
        return text
    return UNSAFE.sub(_escape, text)


def printable_data(value: Any) -> Any:
    """`value` (JSON-shaped data) with `printable` applied to every string in it, keys included."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_data(key): printable_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printable_data(item) for item in value]
    return value


def make_printable(root: ET.Element) -> None:
    """Every text and attribute value in the XML tree under `root` made `printable`, in place."""
    for element in root.iter():
        element.attrib = {name: printable(value) for name, value in element.attrib.items()}
        element.text = printable(element.text) if element.text else element.text
        element.tail = printable(element.tail) if element.tail else element.tail


def is_https_url(text: Any) -> bool:
    """Whether `text` may be a link in a report: an https address with a host, nothing to escape in it.

    Anything else (`javascript:`, `data:`, a relative path, a host missing) is shown as text only.
    """
    if not isinstance(text, str) or not text.isascii() or not text.isprintable() or any(c in text for c in " \\"):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:  # a malformed host, e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme == "https" and bool(parts.hostname)


def say(*lines: str, to: TextIO | None = None, flush: bool = False) -> None:
    """Write each of `lines` as one line (to stdout unless `to` is given), escaped by `printable`."""
    stream = to or sys.stdout
    for line in lines:
        print(printable(line), file=stream)
    if flush:
        stream.flush()
