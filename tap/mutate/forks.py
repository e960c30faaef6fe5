"""The campaign's side of the zygote (tap/mutate/zygote.py): provision once, then fork an account per mutant."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from stack.contract import PROJECT_ROOT
from tap.live.child_env import emulator_env

LOOPBACK = "http://127.0.0.1"


class ZygoteError(RuntimeError):
    """The zygote did not answer as its protocol says: the campaign cannot go on."""


class Zygote:
    """One emulator process: `url` serves until `freeze()`; then `fork()` gives a copy of the account."""

    def __init__(self) -> None:
        # Its log (moto's request lines) goes to a file, read back only when it fails.
        self._log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in close(), with the process)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tap.mutate.zygote"],
            cwd=PROJECT_ROOT,
            env=emulator_env(),  # the allow-list's: nothing in it can send the emulator's traffic elsewhere
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        self._lock = threading.Lock()  # lanes share it: one command and its answer at a time
        (port,) = self._expect(None, "serving")
        self.url = f"{LOOPBACK}:{port}"

    def freeze(self) -> None:
        self._expect("freeze", "frozen")

    @contextmanager
    def fork(self) -> Iterator[str]:
        """A copy of the frozen account, served until the block ends; yields its URL."""
        pid, port = self._expect("fork", "forked")
        try:
            yield f"{LOOPBACK}:{port}"
        finally:
            self._expect(f"kill {pid}", "killed")

    def close(self) -> None:
        """End of input: the zygote ends every child still alive, then itself."""
        if self._process.stdin and not self._process.stdin.closed:
            with suppress(BrokenPipeError):  # a zygote already gone: nothing left to tell
                self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()  # only the process this object started
            self._process.wait()
        self._log.close()

    def _expect(self, command: str | None, answer: str) -> list[str]:
        with self._lock:
            try:
                if command is not None:
                    self._process.stdin.write(command + "\n")
                    self._process.stdin.flush()
                line = self._process.stdout.readline()
            except OSError as error:
                raise ZygoteError(f"the emulator zygote is gone ({error}){self._tail()}") from None
        word, *rest = line.split() or ["(nothing)"]
        if word != answer:
            raise ZygoteError(f"the emulator zygote answered {line.strip()!r} to {command!r}{self._tail()}")
        return rest

    def _tail(self) -> str:
        self._log.seek(0)
        tail = self._log.read()[-1500:].strip()
        return f"; its log ends: {tail}" if tail else ""


@contextmanager
def zygote() -> Iterator[Zygote]:
    process = Zygote()
    try:
        yield process
    finally:
        process.close()
