"""The README tells the truth about the CLI, and no link in the docs leads nowhere."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from stack.contract import PROJECT_ROOT
from tap.cli import build_parser

README = PROJECT_ROOT / "README.md"
PAGES = sorted([README, *(PROJECT_ROOT / "docs").glob("*.md")])
LINK = re.compile(r"\]\(([^)\s]+)\)")


def commands(parser: argparse.ArgumentParser, prefix: str = "tap") -> dict[str, list[str]]:
    """Every command the CLI offers (`tap audit`, `tap engines diff`) -> its long options."""
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= commands(sub, f"{prefix} {name}")
    if prefix != "tap" and not found:
        options = [option for action in parser._actions for option in action.option_strings]
        found[prefix] = sorted(option for option in options if option.startswith("--") and option != "--help")
    return found


def table_rows() -> dict[str, str]:
    """The README's commands table: each row's command cell -> the whole row."""
    rows = {}
    for line in README.read_text().splitlines():
        match = re.match(r"\| `(tap(?: [a-z]+)+)", line)
        if match:
            rows[match.group(1).strip()] = line
    return rows


@pytest.mark.parametrize(("command", "options"), sorted(commands(build_parser()).items()))
def test_every_command_and_option_the_cli_offers_is_in_the_readme_table(command, options):
    row = table_rows().get(command)
    assert row is not None, f"{command} has no row in the README's commands table"
    cell = row.split(" | ")[0]
    assert [option for option in options if option not in cell] == []


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(heading) for heading in re.findall(r"(?m)^#{1,6} (.*)$", page.read_text())}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(PROJECT_ROOT).as_posix())
def test_every_link_in_the_docs_leads_to_a_file_and_heading_that_exist(page):
    broken = []
    for target in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", target):  # https:, mailto:: another site
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in anchors(linked)):
            broken.append(target)
    assert broken == []


def test_the_readme_links_every_page_of_the_docs():
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in LINK.findall(README.read_text())}
    assert [page.name for page in PAGES if page != README and page.resolve() not in linked] == []
