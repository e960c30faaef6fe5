"""Paths that talk to the emulator, run in a hostile environment inside a loopback-only namespace.

`python -m tests.rehearsal.hostile SCENARIO`, run through tests/rehearsal/namespace.py:
a recorder listens on 127.0.0.2 (loopback, but not the emulator's address) and answers 200 and
an empty JSON object to anything, as a proxy or an AWS endpoint would; the process then sets
every variable that could send traffic there or off the machine, runs the scenario, and prints
one JSON object: what the scenario gave, and every connection the recorder saw.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RECORDER_HOST = "127.0.0.2"
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
# The emulator's own traffic bypasses the proxies, so the process itself may talk to it; all else goes to the recorder.
EMULATOR_BYPASS = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
# The groups of hostile_variables that would send an AWS client to another endpoint (a CA bundle would not).
REDIRECTING = ("proxy", "service endpoint", "ignore configured endpoints", "config file")
# A mutant the live suite kills by a test of its own (tests/rehearsal/test_mutate_account.py).
ENCRYPTION_DELETED = "account:dev:payment-data-rh-dev:encryption:delete:"


class Recorder(ThreadingHTTPServer):
    """Notes every connection and request; answers 200 `{}` to all, the shape of a moto that is up."""

    daemon_threads = True

    def __init__(self) -> None:
        self.seen: list[str] = []
        super().__init__((RECORDER_HOST, 0), Answer)

    @property
    def url(self) -> str:
        return f"http://{RECORDER_HOST}:{self.server_address[1]}"

    def verify_request(self, request, client_address) -> bool:
        self.seen.append(f"connection from {client_address[0]}")
        return True


class Answer(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.server.seen.append(self.requestline)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = do_CONNECT = _answer

    def log_message(self, *args) -> None:
        pass


def hostile_variables(recorder: str, folder: Path) -> dict[str, dict[str, str]]:
    """Each way an environment can send an AWS client or an HTTP request somewhere else, by name."""
    config = folder / "aws-config"
    config.write_text(
        "[default]\nignore_configured_endpoint_urls = true\n"
        f"[profile hostile]\nendpoint_url = {recorder}\nignore_configured_endpoint_urls = true\n"
    )
    not_a_ca = folder / "not-a-ca.pem"
    not_a_ca.write_text("not a certificate\n")
    return {
        "proxy": dict.fromkeys(PROXIES, recorder),
        "service endpoint": {"AWS_ENDPOINT_URL_STS": recorder, "AWS_ENDPOINT_URL_S3": recorder},
        "ignore configured endpoints": {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
        "config file": {"AWS_CONFIG_FILE": str(config), "AWS_PROFILE": "hostile"},
        "certificates": {name: str(not_a_ca) for name in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")},
    }


def every_hostile_variable(recorder: str, folder: Path) -> dict[str, str]:
    return {name: value for group in hostile_variables(recorder, folder).values() for name, value in group.items()}


def children_environments() -> list[dict[str, str]]:
    """The environments of this process's children (of any of its threads), as the kernel holds them."""
    tasks = Path("/proc/self/task").iterdir()
    children = {pid for task in tasks for pid in (task / "children").read_text().split()}
    entries = [Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") for pid in children]
    return [dict(entry.decode().split("=", 1) for entry in environ if b"=" in entry) for environ in entries]


def inherited(hostile: dict[str, str]) -> list[str]:
    """The hostile variables any child process holds with the hostile value."""
    return sorted({name for env in children_environments() for name in hostile if env.get(name) == hostile[name]})


# ---- scenarios: each sets its environment, runs, and returns what it found -------------------------


def emulator_probe(recorder: Recorder, folder: Path) -> dict[str, Any]:
    """The readiness probe and the reset, with proxies at the recorder: of a dead emulator, then of a live one."""
    from tap.live.emulator import _free_port, _wait_until_up, moto_server, reset

    hostile = every_hostile_variable(recorder.url, folder)
    os.environ.update(hostile)
    dead = f"http://127.0.0.1:{_free_port()}"
    with subprocess.Popen(["sleep", "60"]) as alive_but_not_serving:
        dead_probe = _outcome(lambda: _wait_until_up(dead, alive_but_not_serving, 3))
        alive_but_not_serving.kill()
    found = {"dead probe": dead_probe, "dead reset": _outcome(lambda: reset(dead))}
    with moto_server() as url:
        found.update({"inherited": inherited(hostile), "live reset": _outcome(lambda: reset(url))})
    return found


def account_mutant(recorder: Recorder, folder: Path) -> dict[str, Any]:
    """The account campaign's path (the drift catalogue's too): a zygote, a control run and a mutant's run."""
    from tap.mutate.account import Runner, generate, provisioned

    hostile = {**every_hostile_variable(recorder.url, folder), **EMULATOR_BYPASS}
    os.environ.update(hostile)
    with provisioned(("dev",), folder) as accounts:
        account = accounts["dev"]
        found: dict[str, Any] = {"inherited": inherited(hostile)}
        case = next(case for case in generate(accounts, "dev") if case.mutant.id == ENCRYPTION_DELETED)
        runner = Runner(folder)
        found["control"] = _outcome(lambda: runner.control(account))
        found["verdict"] = _outcome(lambda: runner.run(account, case).killed["live"])
    return found


def nightly(recorder: Recorder, folder: Path) -> dict[str, Any]:
    """The nightly command as a person runs it against a rehearsal, once with each group of variables that
    would send a client elsewhere: {group: its exit code and output}."""
    from tap.live.child_env import emulator_env
    from tap.live.emulator import moto_server, rehearsal_config
    from tap.live.rehearsal import rehearse
    from tap.live.suite import SUITE
    from tap.synth.cache import cached_plan

    outputs_file = folder / "outputs.json"
    command = [*SUITE, "--live", f"--outputs-file={outputs_file}"]
    found = {}
    with moto_server() as url:
        rehearse(cached_plan(rehearsal_config("dev")), url, outputs_file)
        for group in REDIRECTING:
            # What the campaign would give the command, and one group of hostile variables on top.
            env = {**emulator_env(url), **hostile_variables(recorder.url, folder)[group]}
            result = subprocess.run(command, env=env, capture_output=True, text=True)
            found[group] = {"returncode": result.returncode, "output": result.stdout[-2000:] + result.stderr[-1000:]}
    return found


def _outcome(action: Callable[[], Any]) -> Any:
    """What the action gave ('done' for nothing), or the error it failed with."""
    try:
        result = action()
    except Exception as error:  # the scenario reports any failure; the test judges it
        return f"{type(error).__name__}: {error}"
    return "done" if result is None else result


SCENARIOS = {"emulator-probe": emulator_probe, "account-mutant": account_mutant, "nightly": nightly}


def main() -> None:
    (scenario,) = sys.argv[1:]
    recorder = Recorder()
    threading.Thread(target=recorder.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        found = SCENARIOS[scenario](recorder, Path(folder))
    recorder.shutdown()
    print(json.dumps({**found, "recorder saw": recorder.seen}))


if __name__ == "__main__":
    main()
