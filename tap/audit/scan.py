"""Scan plans with checkov: our policies and its built-in checks, one process per shard.

checkov 3.3.30 pins boto3==1.35.49 and packaging<24, which would hold back the project's
own boto3 and break pytest 9, so it lives in a virtualenv of its own (`make setup` builds
`.venv-checkov`; `$TAP_CHECKOV_PYTHON` points elsewhere). `checkov_worker.py` runs there
and drives checkov's runner in-process: one import, then every plan it was given.

Before the scan, each plan's constant expressions (`"${true}"`) are folded to their values,
as Terraform would, into a copy that keeps every line where it was. After it, every result
is judged (`tap/audit/judgement.py`): checkov's UNKNOWN becomes not applicable or not evaluated.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stack.contract import PROJECT_ROOT
from tap.audit import findings_cache
from tap.audit.judgement import Finding, judge
from tap.errors import UsageError
from tap.expressions import fold_json

POLICIES = PROJECT_ROOT / "policies"
WORKER = Path(__file__).with_name("checkov_worker.py")
CHECKOV_PYTHON_VARIABLE = "TAP_CHECKOV_PYTHON"
DEFAULT_CHECKOV_PYTHON = PROJECT_ROOT / ".venv-checkov" / "bin" / "python"

__all__ = ["POLICIES", "CheckInfo", "Finding", "Scan", "Scanner", "scan"]


@dataclass(frozen=True)
class CheckInfo:
    """A check checkov has registered: what it is called and which block types it judges."""

    name: str
    section: str  # resource, data, provider or graph
    types: tuple[str, ...]
    reads: tuple[str, ...] = ()  # a graph check's: every resource type its definition names


@dataclass(frozen=True)
class Scan:
    checkov_version: str
    checks: dict[str, CheckInfo]  # every check checkov knows (built-in and ours), by id
    findings: dict[Path, list[Finding]]
    errors: tuple[str, ...] = ()  # a policy that did not load, a check that raised
    policies: Path = POLICIES  # the policies folder it ran

    def names(self) -> dict[str, str]:
        return {check_id: info.name for check_id, info in self.checks.items()}


def checkov_python() -> Path:
    python = Path(os.environ.get(CHECKOV_PYTHON_VARIABLE) or DEFAULT_CHECKOV_PYTHON)
    if not python.exists():
        raise UsageError(
            f"checkov's Python {python} does not exist: run `make setup` (or set ${CHECKOV_PYTHON_VARIABLE})"
        )
    return python


def scan(plans: list[Path], shards: int = 1, policies: Path = POLICIES) -> Scan:
    """Findings for every plan, from the findings cache where a plan was scanned before with the same
    policies, tool and checkov; the rest scanned, `shards` > 1 splitting them over that many processes."""
    plans = [Path(plan).resolve() for plan in plans]
    version = findings_cache.checkov_version(checkov_python())  # a missing checkov is the first thing to say
    contents = {plan: _read(plan) for plan in plans}
    inputs = findings_cache.inputs_digest(policies, version)
    keys = {plan: findings_cache.plan_key(contents[plan], inputs) for plan in plans}
    entries = {plan: entry for plan in plans if (entry := findings_cache.read(keys[plan])) is not None}
    registry = findings_cache.read(registry_key(inputs))
    unscanned = [plan for plan in plans if plan not in entries] or ([] if registry else plans[:1])
    if unscanned:
        with Scanner(min(shards, len(unscanned)), policies) as scanner:
            for plan in unscanned:
                scanner.submit(plan, contents[plan], cached=False)
            registry = scanner.finish()
        entries.update({plan: scanner.entries[keys[plan]] for plan in unscanned})
    documents = {plan: json.loads(contents[plan]) for plan in plans}
    findings = {plan: [judge(item, documents[plan]) for item in entries[plan]["findings"]] for plan in plans}
    checks = {
        check_id: CheckInfo(info["name"], info["section"], tuple(info["types"]), tuple(info.get("reads", ())))
        for check_id, info in registry["checks"].items()
    }
    errors = tuple(dict.fromkeys(error for plan in plans for error in entries[plan]["errors"]))
    return Scan(registry["checkov_version"], checks, findings, errors, policies)


def registry_key(inputs: str) -> str:
    return f"checks-{inputs[:40]}"


class Scanner:
    """checkov processes taking plans as they come: `submit` hands one over, `finish` waits for the last.

    The processes start (importing checkov, the slow part) with the first plan to scan, or earlier by
    `start`: the pre-commit suite starts them before the synth and hands each plan over as it is
    written. What is scanned is a copy of the bytes read at `submit` (constant expressions folded, as
    Terraform would, every line where it was); its findings go to the findings cache under those
    bytes' key as they arrive, so a plan changed or moved afterwards cannot lend them to other content.
    Then `scanned(plan)` is called, on a thread of the scanner's; it must not raise.
    """

    def __init__(
        self, processes: int = 1, policies: Path = POLICIES, scanned: Callable[[Path], None] | None = None
    ) -> None:
        self.inputs = findings_cache.inputs_digest(policies, findings_cache.checkov_version(checkov_python()))
        self.entries: dict[str, dict] = {}  # by plan key, as each arrives
        self.registry: dict | None = None  # checkov's checks, from the first process to load ours
        self._folder = tempfile.TemporaryDirectory(prefix="tap-scan-")
        self._plans: dict[str, tuple[Path, str]] = {}  # the scanned copy's path -> its plan and the plan's key
        self._processes, self._policies, self._scanned = max(1, processes), policies, scanned
        self._workers: list[_Worker] = []
        self._lock, self._closed = threading.Lock(), False  # a plan may come on another thread than `close`

    def __enter__(self) -> Scanner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the checkov processes now, ahead of the plans."""
        while len(self._workers) < self._processes:
            self._workers.append(_Worker(self._policies, self._receive))

    def submit(self, plan: Path, content: bytes | None = None, cached: bool = True) -> None:
        """Scan `plan` (its `content` when the caller read it already); with `cached`, only when the
        findings cache has nothing for it yet. Once the scanner is closed, nothing."""
        content = _read(plan) if content is None else content
        key = findings_cache.plan_key(content, self.inputs)
        if cached and findings_cache.read(key) is not None:
            return
        with self._lock:
            if self._closed:
                return
            number = len(self._plans)
            # The same file name in a folder of its own: checkov reads `*.tf.json` by name.
            copy = Path(self._folder.name) / str(number) / Path(plan).name
            copy.parent.mkdir()
            copy.write_bytes(_folded(content))
            self._plans[str(copy)] = (Path(plan), key)
            self.start()
            self._workers[number % len(self._workers)].send(copy)

    def finish(self) -> dict | None:
        """Wait for every submitted plan's findings; return checkov's registry of checks, or None when
        nothing was submitted (a process that scanned nothing has not loaded our policies)."""
        for worker in self._workers:
            worker.finish()
        unanswered = [Path(copy).name for copy, (_, key) in self._plans.items() if key not in self.entries]
        if unanswered:
            raise UsageError(f"checkov gave no findings for {', '.join(unanswered)}")
        self.close()
        return self.registry

    def close(self) -> None:
        """Stop whatever is still running and remove the copies."""
        with self._lock:
            self._closed = True
            for worker in self._workers:
                worker.stop()
            self._folder.cleanup()

    def _receive(self, reply: dict) -> None:
        if "plan" not in reply:
            if self.registry is None:
                self.registry = reply
                findings_cache.write(registry_key(self.inputs), reply)
            return
        plan, key = self._plans[reply["plan"]]
        self.entries[key] = {"findings": reply["findings"], "errors": reply["errors"]}
        findings_cache.write(key, self.entries[key])
        if self._scanned:
            self._scanned(plan)


class _Worker:
    """One `checkov_worker.py`: plans in, a line each; each reply handed to `receive` as it comes."""

    def __init__(self, policies: Path, receive: Callable[[dict], None]) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - open while the process runs; closed by `stop`
        self._process = subprocess.Popen(
            [str(checkov_python()), str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            cwd=PROJECT_ROOT,
        )
        self._names: list[str] = []
        self._registered = False
        self._failure = ""
        self._reader = threading.Thread(target=self._read, args=(receive,), daemon=True)
        self._reader.start()
        self._send({"policies": str(policies)})

    def send(self, plan: Path) -> None:
        self._names.append(plan.name)
        self._send(str(plan))

    def finish(self) -> None:
        """Return once every plan sent is scanned; a process that was sent none is stopped."""
        if not self._names:
            self.stop()
            return
        self._close_input()
        self._reader.join()
        code = self._process.wait()
        if code != 0 or self._failure or not self._registered:
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
            detail = self._failure or (lines or ["no output"])[-1]
            raise UsageError(f"checkov could not scan {', '.join(self._names)}: {detail}")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._reader.join()
        self._close_input()
        self._stderr.close()

    def _send(self, document: object) -> None:
        with contextlib.suppress(BrokenPipeError, ValueError):  # the process ended: `finish` says why
            self._process.stdin.write(json.dumps(document) + "\n")
            self._process.stdin.flush()

    def _close_input(self) -> None:
        with contextlib.suppress(BrokenPipeError):
            self._process.stdin.close()

    def _read(self, receive: Callable[[dict], None]) -> None:
        try:
            for line in self._process.stdout:
                reply = json.loads(line)
                self._registered = self._registered or "checks" in reply
                receive(reply)
        except Exception as error:  # noqa: BLE001 - said by `finish`, on the caller's thread
            self._failure = f"{type(error).__name__}: {error}"
            self._process.kill()  # nothing reads its output any more
        finally:
            self._process.stdout.close()


def _read(plan: Path) -> bytes:
    try:
        return Path(plan).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read the plan {plan}: {error.strerror or 'not a file'}") from None


def _folded(content: bytes) -> bytes:
    """The plan with its constant expressions folded; bytes that are not UTF-8 as they are (checkov says
    what is wrong with them)."""
    try:
        return fold_json(content.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:
        return content
