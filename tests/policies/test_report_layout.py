"""The HTML report as an assessor reads it: in its order, and in a real browser (headless Chromium), on
screen and printed.

The browser runs in a loopback-only network namespace: the report must load nothing from anywhere,
and the browser could not reach another host if it tried.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import markupsafe
import pytest

from tap.audit import clock
from tap.audit.remedies import SEVERITIES
from tap.cli import main
from tests.policies.conftest import TODAY
from tests.rehearsal.namespace import namespace_refusal, without_network

BROWSER = "chromium"
# Written into the title of a copy of the report (never into the report itself, which holds no script).
MEASURE = (
    "<script>addEventListener('load', () => { document.title = JSON.stringify("
    "{scroll: document.documentElement.scrollWidth, inner: innerWidth}) })</script>"
)
# A4's 210 mm less the @page margins (12 mm each side), in CSS px (96 per inch).
PRINTED_WIDTH = round((210 - 2 * 12) / 25.4 * 96)
NETWORK_RULES = ("Network rules (1.2.5, 1.2.7)", "Checks: what each one judged")
RULE_COLUMNS = "Rule Direction Security group or ACL Protocol Ports Peer Justification"


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> list[str]:
    """Headless Chromium's command line, with a profile folder of its own; the test fails when none can run."""
    refusal = namespace_refusal()
    if refusal:
        pytest.skip(refusal)
    missing = [tool for tool in (BROWSER, "pdftotext") if shutil.which(tool) is None]
    assert not missing, f"{' and '.join(missing)} not installed: `make setup` installs them"
    profile = tmp_path_factory.mktemp("chromium-profile")
    return [BROWSER, "--headless", "--disable-gpu", "--no-sandbox", f"--user-data-dir={profile}"]


@pytest.fixture(scope="module")
def prod_report(plans, tmp_path_factory) -> tuple[Path, dict]:
    """The production plan's report (its network rules are the ones an assessor reads): HTML path and JSON."""
    out = tmp_path_factory.mktemp("prod-report")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "today", lambda: TODAY)
        assert main(["audit", "--plan", str(plans["prod"].source), "--out", str(out), "--as-of", str(TODAY)]) == 0
    return out / "compliance.html", json.loads((out / "compliance.json").read_text())


def run_browser(browser: list[str], *arguments: str) -> str:
    result = without_network(*browser, *arguments)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def page_width(browser: list[str], html: str, width: int, folder: Path) -> int:
    """How wide the page lays out in a window `width` px wide (what document.documentElement scrolls to)."""
    probe = folder / "probe.html"
    probe.write_text(html.replace("</head>", MEASURE + "</head>", 1))
    dom = run_browser(browser, f"--window-size={width},2000", "--dump-dom", probe.as_uri())
    measured = json.loads(re.search(r"<title>(.*?)</title>", dom).group(1).replace("&quot;", '"'))
    assert measured["inner"] == width
    return measured["scroll"]


@pytest.mark.parametrize("width", [1000, 1400])
def test_report_has_no_horizontal_overflow_at_width(browser, prod_report, tmp_path, width):
    scroll = page_width(browser, prod_report[0].read_text(), width, tmp_path)
    assert scroll <= width, f"the page is {scroll} px wide in a {width} px window"


def test_report_with_its_print_rules_fits_the_printed_page_width(browser, prod_report, tmp_path):
    """On paper a table wider than the page loses its right-hand columns: laid out with the print rules at
    the width A4 leaves between its margins, nothing is wider (a collapsed border's half pixel aside)."""
    html = prod_report[0].read_text()
    assert html.count("@media print {") == 1
    scroll = page_width(browser, html.replace("@media print {", "@media all {"), PRINTED_WIDTH, tmp_path)
    assert scroll <= PRINTED_WIDTH + 1, f"printed, the page is {scroll} px wide on a page {PRINTED_WIDTH} px wide"


@pytest.fixture(scope="module")
def printed(browser, prod_report, tmp_path_factory) -> str:
    """The report printed to PDF by the browser, as text in the order it was drawn, whitespace collapsed."""
    html, _ = prod_report
    pdf = tmp_path_factory.mktemp("printed") / "compliance.pdf"
    run_browser(browser, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri())
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_printed_report_keeps_every_network_rule_column_and_justification(printed, prod_report):
    _, document = prod_report
    start, end = (printed.index(heading) for heading in NETWORK_RULES)
    section = printed[start:end]
    assert RULE_COLUMNS in section
    assert document["network_rules"]
    for rule in document["network_rules"]:
        assert rule["justification"] and rule["justification"] in section, rule["address"]


def test_printed_pages_each_name_the_stack_the_plan_and_the_page(printed, prod_report):
    _, document = prod_report
    pages = [int(total) for total in re.findall(r"page \d+ of (\d+)", printed)]
    assert pages and set(pages) == {len(pages)}, "every page says page x of y, y the number of pages"
    stack, digest = document["provenance"]["stack"], document["provenance"]["plan_sha256"]
    assert printed.count(f"plan SHA-256 {digest}") == len(pages)
    assert printed.count(f"Compliance report: {stack} (prod, prod)") == len(pages)


# What the first screen says, then the summary, the findings, the index and the evidence itself.
READING_ORDER = (
    "stage",
    "verdict",
    "binding",
    "scope",
    "boundary",
    "families",
    "requirements",
    "findings",
    "waivers",
    "evidence-index",
    "evidence",
)


def test_report_sections_come_in_reading_order(prod_report):
    html = prod_report[0].read_text()
    ids = re.findall(r'<[a-z0-9]+ id="([a-z-]+)"', html)
    assert [section for section in ids if section in READING_ORDER] == list(READING_ORDER)


def test_family_summary_counts_every_requirement_and_finding(prod_report):
    html, document = prod_report
    section = html.read_text().split('id="families"')[1].split('id="requirements"')[0]
    rows = re.findall(r'<tr class="family"><td><strong>(\d+)</strong>.*?</td><td>(\d+)</td>', section)
    numbers = sorted({int(requirement["id"].split(".")[0]) for requirement in document["requirements"]})
    assert [int(number) for number, _ in rows] == numbers
    assert sum(int(count) for _, count in rows) == len(document["requirements"])


def test_findings_section_lists_every_finding_that_is_not_a_plain_pass(prod_report):
    html, document = prod_report
    section = html.read_text().split('id="findings"')[1].split('id="evidence-index"')[0]
    flagged = [item["evidence_id"] for item in document["evidence"] if item["status"] in ("FAILED", "WAIVED")]
    assert flagged and all(f'href="#{evidence_id}"' in section for evidence_id in flagged)
    index = html.read_text().split('id="evidence-index"')[1].split('id="evidence"')[0]
    assert all(f'href="#{item["evidence_id"]}"' in index for item in document["evidence"])


def test_every_failed_or_waived_finding_shows_its_severity_and_remediation(prod_report):
    html, document = prod_report
    section = html.read_text().split('id="findings"')[1].split('id="evidence-index"')[0]
    flagged = [item for item in document["evidence"] if item["status"] in ("FAILED", "WAIVED")]
    assert flagged
    for item in flagged:
        assert item["severity"] in SEVERITIES and item["remediation"], item["check_id"]
        row = section[section.index(f'href="#{item["evidence_id"]}"') :].split("</tr>")[0]
        assert f'class="severity {item["severity"]}"' in row and str(markupsafe.escape(item["remediation"])) in row


def rows_of(html: Path, start: str, end: str, row_class: str) -> list[tuple[int, str]]:
    """A section's rows of `row_class`: how many findings each stands for, and its HTML."""
    section = html.read_text().split(f'id="{start}"')[1].split(f'id="{end}"')[0]
    return [
        (int(count), row)
        for count, row in re.findall(rf'<tr class="{row_class}" data-count="(\d+)">(.*?)</tr>', section, re.S)
    ]


def test_evidence_index_gives_a_check_s_passes_one_row_with_their_count(prod_report):
    """147 rows saying one tag check passed read as strength: a check's passes (or not-applicable findings)
    with the same requirements are one row giving their count; every open finding keeps a row of its own."""
    html, document = prod_report
    rows = rows_of(html, "evidence-index", "evidence", "indexed")
    assert sum(count for count, _ in rows) == len(document["evidence"])  # every finding counted, once
    settled = Counter(
        (item["check_id"], item["status"], tuple(item["requirements"]))
        for item in document["evidence"]
        if item["status"] in ("PASSED", "NOT_APPLICABLE")
    )
    opened = len(document["evidence"]) - sum(settled.values())
    assert len(rows) == len(settled) + opened
    (check_id, status, _), most = settled.most_common(1)[0]
    assert most > 50
    assert any(count == most and check_id in row and f"{status} &times; {most}" in row for count, row in rows)


def test_findings_that_read_alike_share_a_row_naming_each_resource(prod_report):
    html, document = prod_report
    rows = rows_of(html, "findings", "evidence-index", "finding")
    opened = [item for item in document["evidence"] if item["status"] in ("FAILED", "WAIVED", "NOT_EVALUATED")]
    assert sum(count for count, _ in rows) == len(opened) and len(rows) < len(opened)
    for item in opened:
        (row,) = [row for _, row in rows if f'href="#{item["evidence_id"]}"' in row]
        assert f"<code>{item['resource']}</code>" in row and item["check_id"] in row


def test_a_long_value_several_checks_read_is_shown_once_per_resource(prod_report):
    """A key policy read by four checks of one key is printed once; the other rows point to it."""
    html, document = prod_report
    text = html.read_text()
    by_resource: dict[str, dict[tuple[str, str], list[str]]] = {}
    for item in document["evidence"]:
        for key, value in item["attributes"].items():
            if len(value) >= 80:
                by_resource.setdefault(item["resource"], {}).setdefault((key, value), []).append(item["evidence_id"])
    repeated = [ids for values in by_resource.values() for ids in values.values() if len(ids) > 1]
    assert repeated
    for first, *later in repeated:
        for evidence_id in later:
            row = text[text.index(f'<tr id="{evidence_id}">') :].split("</tr>")[0]
            assert f'as shown for <a href="#{first}">' in row, evidence_id
