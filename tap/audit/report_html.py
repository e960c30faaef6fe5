"""The HTML report: the JSON document rendered for people, on screen and on paper."""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from tap.audit import findings_cache
from tap.console import is_https_url, printable_data

# The twelve principal requirements of PCI DSS v4.0.1, by number: the report sums its results under them.
FAMILIES = {
    1: "Install and maintain network security controls",
    2: "Apply secure configurations to all system components",
    3: "Protect stored account data",
    4: "Protect cardholder data with strong cryptography during transmission over open, public networks",
    5: "Protect all systems and networks from malicious software",
    6: "Develop and maintain secure systems and software",
    7: "Restrict access to system components and cardholder data by business need to know",
    8: "Identify users and authenticate access to system components",
    9: "Restrict physical access to cardholder data",
    10: "Log and monitor all access to system components and cardholder data",
    11: "Test security of systems and networks regularly",
    12: "Support information security with organizational policies and programs",
}


def _template_cache() -> Path:
    folder = findings_cache.cache_dir() / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def render_html(document: dict[str, Any]) -> str:
    document = printable_data(document)
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("tap.audit", "templates"),
        # The compiled template, kept beside the findings: compiling it costs more than the rest of a report.
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(_template_cache())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.tests["https_url"] = is_https_url  # only these become links
    environment.filters["css_string"] = css_string
    by_resource: dict[str, list[dict]] = {}
    for item in document["evidence"]:
        by_resource.setdefault(item["resource"], []).append(item)
    repeats = {item["evidence_id"]: repeated for items in by_resource.values() for item, repeated in shown_once(items)}
    open_findings = [item for item in document["evidence"] if item["status"] in OPEN]
    return environment.get_template("compliance.html.j2").render(
        report=document,
        by_resource=by_resource,
        families=requirement_families(document["requirements"]),
        family_titles=FAMILIES,
        repeats=repeats,
        finding_rows=collapsed(open_findings, _finding_key),
        index_rows=collapsed(document["evidence"], _index_key),
    )


# The findings an assessor must look at one by one: the rest are read as a count.
OPEN = ("FAILED", "NOT_EVALUATED", "WAIVED")


def collapsed(items: list[dict[str, Any]], key: Callable[[dict[str, Any]], Hashable]) -> list[list[dict[str, Any]]]:
    """`items` in rows, those with the same key in one (in the order each key first appears): a check
    that passed on 147 resources is one row saying 147, not 147 rows saying the same."""
    rows: dict[Hashable, list[dict[str, Any]]] = {}
    for item in items:
        rows.setdefault(key(item), []).append(item)
    return list(rows.values())


def _finding_key(item: dict[str, Any]) -> Hashable:
    """Findings read alike: the same check, result, reason, requirements and waiver (but for whom it names)."""
    waiver = {name: value for name, value in (item["waiver"] or {}).items() if name != "address"}
    return json.dumps([item["check_id"], item["status"], item["reason"], item["requirements"], waiver])


def _index_key(item: dict[str, Any]) -> Hashable:
    """In the index, every finding that is not open is one row per check, result and requirements;
    an open one is a row of its own."""
    if item["status"] in OPEN:
        return item["evidence_id"]
    return json.dumps([item[name] for name in ("check_id", "status", "requirements")])


# A value this long, read again by another check of the same resource, is shown once (a key policy, a
# bucket policy): the later rows point to the row that shows it.
LONG_VALUE = 80


def shown_once(items: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, dict[str, Any]]]]:
    """Each finding of one resource with the attributes it shares with an earlier row: key -> that row."""
    first: dict[tuple[str, str], dict[str, Any]] = {}
    rows = []
    for item in items:
        repeated = {}
        for key, value in item["attributes"].items():
            if len(value) < LONG_VALUE:
                continue
            earlier = first.setdefault((key, value), item)
            if earlier is not item:
                repeated[key] = earlier
        rows.append((item, repeated))
    return rows


def requirement_families(requirements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's requirements summed per principal requirement (1 to 12): how many, their results, their findings."""
    families: dict[int, dict[str, Any]] = {}
    for requirement in requirements:
        number = int(requirement["id"].split(".")[0])
        family = families.setdefault(
            number,
            {
                "number": number,
                "title": FAMILIES[number],
                "requirements": 0,
                "results": {},
                "findings": dict.fromkeys(requirement["findings"], 0),
            },
        )
        family["requirements"] += 1
        result = family["results"].setdefault(requirement["result"], {"label": requirement["label"], "count": 0})
        result["count"] += 1
        for status, count in requirement["findings"].items():
            family["findings"][status] += count
    return [families[number] for number in sorted(families)]


def css_string(value: object) -> markupsafe.Markup:
    """`value` as a quoted CSS string (a printed page's header or footer): every character but letters,
    digits and a few plain marks as a CSS escape, so nothing in it can end the string or the style sheet."""
    plain = {" ", ".", "-", "_", ":", ",", "(", ")"}
    escaped = "".join(
        char if char.isascii() and (char.isalnum() or char in plain) else f"\\{ord(char):x} " for char in str(value)
    )
    return markupsafe.Markup(f'"{escaped}"')
