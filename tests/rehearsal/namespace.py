"""A child process in a network namespace of its own: loopback only, and no route anywhere.

Tests of what must never leave this machine run their subject here: a regression finds no
network to send a packet on, and any listener the subject could reach is one the test started.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from stack.contract import PROJECT_ROOT


def namespace_refusal() -> str | None:
    """Why no network namespace can be made here (one sentence), or None when one can."""
    try:
        probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return "unshare is not installed: no network namespace to run in"
    if probe.returncode != 0:
        return f"creating a network namespace is not permitted here: {probe.stderr.strip()}"
    return None


def without_network(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`command` in the checkout, in a new network namespace, with only a path, a home and `env` in its environment."""
    environment = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(Path.home()), **(env or {})}
    # The command travels as "$@", never through the shell's parser.
    inside = ["sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]
    return subprocess.run(
        ["unshare", "--net", "--", *inside],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
