"""A moto server that forks: provisioned once, then copied (copy-on-write) for every mutant.

Run as its own process (`python -m tap.mutate.zygote`) and driven over stdin/stdout, one
line per command, one line per answer:

- at start it serves on a loopback port and prints `serving <port>`; the campaign
  provisions the rehearsal into it over HTTP;
- `freeze`: it stops serving (no thread left alive) and prints `frozen`;
- `fork`: it forks a child that serves the same in-memory account on a fresh loopback
  port, and prints `forked <pid> <port>`; whatever the campaign writes to the child stays
  in the child;
- `kill <pid>`: it ends that child (and reaps it), printing `killed <pid>`;
- end of input: it ends every child still alive, then itself.

Fork is what makes a campaign affordable: each mutant starts from the pristine account in
milliseconds instead of a re-provisioning of seconds. Test infrastructure; the server
listens on 127.0.0.1 only.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import socket
import sys
import threading
from typing import Any

from tap.console import say

HOST = "127.0.0.1"
# prctl(2): the signal a process gets when its parent dies.
PR_SET_PDEATHSIG = 1


def _app() -> Any:
    # AWS-managed IAM policies (AmazonSSMManagedInstanceCore...) exist in every account, as in emulator.py.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    from tap.live.moto_fixes import apply_fixes

    apply_fixes()  # the same emulator as emulator.py's
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def _server(app: Any, listener: socket.socket, threaded: bool) -> Any:
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    return make_server(HOST, 0, app, threaded=threaded, request_handler=MotoRequestHandler, fd=listener.fileno())


def _listener() -> socket.socket:
    # Bound and listening before the child exists: the campaign may connect at once, the kernel queues it.
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(128)
    return listener


def _answer(line: str) -> None:
    say(line, flush=True)


def _die_with(zygote: int) -> None:
    """The child ends with the zygote however the zygote ends: a killed campaign leaves no server behind."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != zygote:  # the zygote died before prctl took effect
        os._exit(0)


def _serve_child(app: Any, listener: socket.socket, zygote: int) -> None:
    """In the forked child: serve until killed. Never returns into the zygote's loop."""
    try:
        _die_with(zygote)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):  # the protocol pipes are the zygote's alone
            os.dup2(devnull, stream)
        # Threads are harmless here (the child is killed, never forked): keep-alive answers faster.
        _server(app, listener, threaded=True).serve_forever()
    finally:
        os._exit(0)


def _fork(app: Any, children: set[int]) -> None:
    alive = [thread.name for thread in threading.enumerate() if thread is not threading.main_thread()]
    if alive:  # a thread holding a lock at fork time would leave the child deadlocked on it
        raise RuntimeError(f"cannot fork with threads alive: {', '.join(alive)}")
    listener = _listener()
    port = listener.getsockname()[1]
    sys.stdout.flush()
    zygote = os.getpid()
    pid = os.fork()
    if pid == 0:
        _serve_child(app, listener, zygote)
    listener.close()
    children.add(pid)
    _answer(f"forked {pid} {port}")


def _kill(pid: int, children: set[int]) -> None:
    if pid not in children:  # only a child this zygote forked, never any other process
        raise RuntimeError(f"{pid} is not a child of this zygote")
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    children.discard(pid)


def _provision_phase(app: Any) -> None:
    """Serve single-threaded (HTTP/1.0: no connection outlives its answer) until `freeze`."""
    listener = _listener()
    server = _server(app, listener, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="provisioning server")
    thread.start()
    _answer(f"serving {listener.getsockname()[1]}")
    try:
        for line in sys.stdin:
            if line.strip() == "freeze":
                break
            _answer(f"error expected freeze, not {line.strip()!r}")
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        listener.close()
    _answer("frozen")


def _fork_phase(app: Any) -> None:
    # The provisioned account never changes here: keep the collector off it, so that a child's
    # collections do not touch (and so copy) every page of it. Children collect only their own objects.
    gc.collect()
    gc.freeze()
    children: set[int] = set()
    try:
        for line in sys.stdin:
            command, *arguments = line.split() or [""]
            try:
                if command == "fork":
                    _fork(app, children)
                elif command == "kill" and len(arguments) == 1 and arguments[0].isdigit():
                    _kill(int(arguments[0]), children)
                    _answer(f"killed {arguments[0]}")
                else:
                    _answer(f"error unknown command {line.strip()!r}")
            except (OSError, RuntimeError) as error:
                _answer(f"error {error}")
    finally:
        for pid in sorted(children):
            _kill(pid, children)


def main() -> None:
    app = _app()
    _provision_phase(app)
    _fork_phase(app)


if __name__ == "__main__":
    main()
