"""Set-up installs only what the locks hold, by hash: the nightly runs `make setup` before it holds credentials."""

from __future__ import annotations

import re

import pytest

from stack.contract import PROJECT_ROOT

LOCKS = sorted((PROJECT_ROOT / "requirements").glob("*.txt"))
MAKEFILE = PROJECT_ROOT / "Makefile"


def recipe_lines() -> list[str]:
    """The Makefile's recipe lines with their variables spelled out (one level), continuations joined."""
    text = MAKEFILE.read_text().replace("\\\n", " ")
    variables = dict(re.findall(r"(?m)^([A-Z_]+) *:?= *(.*)$", text))
    lines = [line.strip() for line in text.splitlines() if line.startswith("\t")]
    return [
        re.sub(r"\$\(([A-Z_]+)\)", lambda match: variables.get(match.group(1), match.group(0)), line) for line in lines
    ]


def test_every_environment_has_a_lock():
    assert [path.name for path in LOCKS] == ["cdktn.txt", "checkov.txt", "dev.txt", "lint.txt"]


@pytest.mark.parametrize("lock", LOCKS, ids=lambda path: path.name)
def test_every_locked_package_is_pinned_with_its_hashes(lock):
    # Each requirement: `name==version \` and its `--hash=sha256:...` lines, up to the next one.
    entries = re.findall(r"(?m)^(\S+?)(==[^\s\\]+)?\s*\\?\n((?:[ \t]+.*\n?)*)", lock.read_text())
    requirements = [(name, pin, rest) for name, pin, rest in entries if not name.startswith("#")]
    assert requirements
    unpinned = [name for name, pin, _ in requirements if not pin]
    unhashed = [name for name, _, rest in requirements if not re.search(r"--hash=sha256:[0-9a-f]{64}", rest)]
    assert (unpinned, unhashed) == ([], [])


def test_setup_installs_every_package_from_a_lock_by_hash():
    installs = [line for line in recipe_lines() if "pip install" in line and "pip-tools" not in line]
    assert installs
    for line in installs:
        project_itself = "--no-deps" in line and line.rstrip().endswith("-e .")
        assert project_itself or ("--require-hashes" in line and "requirements/" in line), line
    # The project itself brings nothing: its build runs on the lock's setuptools, without isolation.
    assert any("--no-build-isolation" in line for line in installs if line.rstrip().endswith("-e ."))
