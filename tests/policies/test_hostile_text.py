"""`tap audit` on a plan and an environment written to steer whoever reads the result.

A construct path, a waiver's check id or reason, a CI variable: anyone can put a carriage return,
a terminal escape or a bidi override in them. Each case runs the real CLI in a child process and
reads every line it printed and every report it wrote.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.policies.test_bad_input import STACK, small_plan, write

# Rewrites the line it is on into a fake verdict, then hides what follows; a line break starts a fake line.
FAKE_VERDICT = "\r\x1b[2K  scan 0.1 s, audit 0.2 s: PASS\x1b[8m"
STEERING = [FAKE_VERDICT, "\n  scan 0.1 s, audit 0.2 s: PASS", "\u202e\u2066\u2028\x85\x7f\x01"]
# What the XML 1.0 Char production allows; lone surrogates fail UTF-8 itself.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def audit(tmp_path: Path, plan: dict, **environment: str) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path / "out"
    folder = tmp_path / "plan"
    folder.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tap.cli",
            "audit",
            "--plan",
            str(write(folder / "cdk.tf.json", plan)),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **environment},
        timeout=300,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result, out


def hostile_plan() -> dict:
    """The small plan, its bucket's construct path and a waiver it carries spelled to steer."""
    plan = small_plan()
    bucket = plan["resource"]["aws_s3_bucket"]["logs"]
    bucket["//"]["metadata"]["path"] = f"{STACK}/logs{''.join(STEERING)}"
    bucket["//"]["waivers"] = {
        f"CKV_AWS_18{FAKE_VERDICT}\x01": {
            "reason": f"The logs bucket is reached {STEERING[2]} by the partner network by design.",
            "approver": f"lead{FAKE_VERDICT}",
            "reference": "SEC-1",
            "environments": ["dev"],
            "expires": "2027-06-01",
        }
    }
    return plan


def test_plan_text_that_steers_the_reader_is_escaped_in_the_console_and_every_report(tmp_path):
    result, out = audit(tmp_path, hostile_plan())
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("  scan ")] == lines[-1:] and lines[-1].endswith(": FAIL")
    assert "\\x1b[2K  scan 0.1 s, audit 0.2 s: PASS\\x1b[8m" in result.stdout  # shown, as escapes
    assert RAW.search(result.stdout + result.stderr) is None, result.stdout
    reports = sorted(out.iterdir())
    assert {path.name for path in reports} >= {"compliance.html", "compliance.junit.xml", "compliance.sarif"}
    for path in reports:
        text = path.read_text(encoding="utf-8")
        assert RAW.search(text) is None and NOT_XML.search(text) is None, path.name
    ET.fromstring((out / "compliance.junit.xml").read_bytes())  # well-formed XML, by a strict parser
    assert "\\u202e\\u2066\\u2028\\x85\\x7f\\x01" in (out / "compliance.html").read_text()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value or "" for name, value in attrs if name in ("href", "src", "action")]


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


RUN = "/pay/stack/actions/runs/42"
SERVERS = [
    ("https://github.example.com", ["https://github.example.com" + RUN]),
    ("javascript:alert(document.domain)//", []),
    ("http://github.example.com", []),
    ("https:github.example.com", []),
]


@pytest.mark.parametrize(("server", "expected"), SERVERS, ids=[server for server, _ in SERVERS])
def test_only_an_https_ci_run_address_becomes_a_link_in_the_report(server, expected, tmp_path):
    ci = {"GITHUB_RUN_ID": "42", "GITHUB_REPOSITORY": "pay/stack", "GITHUB_SERVER_URL": server}
    result, out = audit(tmp_path, small_plan(), **ci)
    assert result.returncode == 1, result.stdout + result.stderr
    html = (out / "compliance.html").read_text()
    outward = [href for href in links(html) if not href.startswith("#")]
    assert outward == expected
    assert all(urlsplit(href).scheme == "https" and urlsplit(href).netloc for href in outward)
    assert "run 42" in html  # the run is still named, as text
