"""The account campaign's forking emulator: a copy per mutant, and none left behind when the zygote dies."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest

from tap.mutate.forks import ZygoteError, zygote


def _serving(url: str) -> bool:
    address = urlsplit(url)
    try:
        socket.create_connection((address.hostname, address.port), timeout=1).close()
    except OSError:
        return False
    return True


def _stops_serving(url: str, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not _serving(url):
            return True
        time.sleep(0.1)
    return False


def test_a_fork_serves_until_released(tmp_path):
    with zygote() as emulator:
        emulator.freeze()
        with emulator.fork() as url:
            assert _serving(url)
        assert _stops_serving(url)


def test_forks_die_with_a_killed_zygote():
    # SIGKILL gives the zygote no chance to end its children: the kernel must (PR_SET_PDEATHSIG).
    with zygote() as emulator:
        emulator.freeze()
        with pytest.raises(ZygoteError), emulator.fork() as url:
            assert _serving(url)
            emulator._process.kill()
            emulator._process.wait()
        assert _stops_serving(url)
