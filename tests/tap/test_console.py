"""tap/console.py: the one way text reaches a terminal or a report, made inert on the way."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tap.console import is_https_url, make_printable, printable
from tap.preflight.deployment import Result
from tap.preflight.report import render_table

# What the XML 1.0 Char production allows, and what would steer a terminal or a reader.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
STEERS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
EVERY_CHARACTER = "".join(map(chr, range(0x110000)))


def test_printable_leaves_nothing_that_steers_or_that_xml_forbids():
    shown = printable(EVERY_CHARACTER)
    assert STEERS.search(shown) is None and NOT_XML.search(shown) is None


def test_an_xml_tree_made_printable_is_well_formed_whatever_it_held():
    root = ET.Element("testsuites", name=EVERY_CHARACTER)
    ET.SubElement(root, "failure", message=EVERY_CHARACTER).text = EVERY_CHARACTER
    make_printable(root)
    ET.fromstring(ET.tostring(root, encoding="utf-8"))  # expat: strict about well-formedness


def test_printable_shows_each_as_its_escape_and_keeps_ordinary_text():
    assert printable("a\r\n\t\x1b[2K\x7f\x85\u202e\u2066\u2028\ud800") == (
        "a\\r\\n\\t\\x1b[2K\\x7f\\x85\\u202e\\u2066\\u2028\\ud800"
    )
    ordinary = "Zahlung für 日本 → aws_s3_bucket.logs C:\\path 'q' \"q\" <b>&"
    assert printable(ordinary) == ordinary and printable(printable("\x1b")) == printable("\x1b")


@pytest.mark.parametrize(
    ("text", "linked"),
    [
        ("https://github.com/pay/stack/actions/runs/42", True),
        ("https://jira.example.com/browse/SEC-1", True),
        ("javascript:alert(document.domain)///pay/stack/actions/runs/42", False),
        ("JAVASCRIPT://github.com/%0aalert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("http://github.com/pay", False),
        ("https:github.com/pay", False),
        ("https:///pay", False),
        ("//github.com/pay", False),
        ("https://[::1/pay", False),
        ("https://github.com/pay\x1b[8m", False),
        ("https://github.com/pay run", False),
        ("https://github.com\\@evil.example/", False),
        (None, False),
    ],
)
def test_only_an_https_address_with_a_host_is_a_link(text, linked):
    assert is_https_url(text) is linked


def test_a_preflight_table_escapes_an_accounts_answer_and_keeps_its_columns():
    results = [Result("suffix", "OK", "free\r\x1b[2KBLOCKER", "none"), Result("quota\u202e", "BLOCKER", "full")]
    lines = render_table(results)
    assert len(lines) == 3 and STEERS.search("".join(lines)) is None
    assert len({line.index(status) for line, status in zip(lines, ("RESULT", "OK", "BLOCKER"), strict=True)}) == 1
