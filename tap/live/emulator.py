"""The AWS emulator the live suite is rehearsed against: a moto server on loopback.

Test infrastructure. moto answers as account 123456789012 and accepts any credentials;
the rehearsal's plan names an IAM server certificate there (an ACM certificate ARN holds
a random id that cannot be made to match), which `tap rehearse` uploads, self-signed,
as a real account holds its certificate before the first deploy.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from stack.config import Config
from tap.live.child_env import emulator_env

MOTO_ACCOUNT = "123456789012"
REHEARSAL_CERTIFICATE = f"arn:aws:iam::{MOTO_ACCOUNT}:server-certificate/payment-rehearsal"
# Stands for the on-call addresses a deploy names (the emulator sends no mail).
REHEARSAL_ALARM_EMAILS = ("payment-oncall@rehearsal.example",)
# The rehearsal's deploy role: the default (payment-key-administrator) is a placeholder preflight blocks.
REHEARSAL_KEY_ADMINISTRATOR_ROLE = "payment-rehearsal-deployer"
# What moto's reset answers: a proxy's or another server's 200 is no reset.
RESET_ANSWER = b'{"status": "ok"}'


# dev's rehearsal declares an internet destination (a documentation range, RFC 5737), so
# the live NAT checks and the drift catalogue (which runs on dev) meet NAT gateways; prod's
# declares none, so the live suite also sees the closed shape: no NAT, no route out.
REHEARSAL_EGRESS = {"dev": ("203.0.113.0/24",), "prod": ()}
# Who provisions a rehearsal: our translator of the plan into boto3 calls, or Terraform itself.
PROVISIONERS = ("translator", "terraform")


def rehearsal_config(profile: str = "dev", environment_suffix: str | None = None) -> Config:
    """A deployment the emulator can hold: the given profile, with a certificate moto can be given."""
    return Config(
        environment_suffix=environment_suffix or f"rh-{profile}",
        profile=profile,
        certificate_arn=REHEARSAL_CERTIFICATE,
        internet_egress_cidrs=REHEARSAL_EGRESS[profile],
        alarm_emails=REHEARSAL_ALARM_EMAILS,
        key_administrator_role=REHEARSAL_KEY_ADMINISTRATOR_ROLE,
    )


@contextmanager
def moto_server(start_timeout: float = 60.0) -> Iterator[str]:
    """A moto server on 127.0.0.1 (a free port) in a process of its own; yields its URL.

    Its own process, because moto keeps one set of accounts per process: two servers in
    one process would share (and reset) each other's resources.
    """
    port = _free_port()
    server = subprocess.Popen(
        # moto's server with our fixes to it applied first (tap/live/moto_fixes/).
        [sys.executable, "-m", "tap.live.moto_fixes", "--host", "127.0.0.1", "--port", str(port)],
        # AWS-managed IAM policies (AmazonSSMManagedInstanceCore...) exist in every account.
        env=emulator_env(MOTO_IAM_LOAD_MANAGED_POLICIES="true"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, start_timeout)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the moto server at {url} exited with code {server.returncode}")
        if _answers_as_moto(url):
            return
        time.sleep(0.1)
    raise RuntimeError(f"the moto server at {url} did not answer within {timeout:.0f} s")


def _answers_as_moto(url: str) -> bool:
    """moto's state document is a JSON object: any other answer (a proxy's 200, a page) is not the emulator."""
    try:
        status, body = _moto_api(url, "GET", "data.json", timeout=2)
        return status == 200 and isinstance(json.loads(body), dict)
    except (OSError, http.client.HTTPException, ValueError):
        return False


def reset(url: str) -> None:
    """Empty the emulator: every resource of every service is gone."""
    status, body = _moto_api(url, "POST", "reset", timeout=30)
    if (status, body) != (200, RESET_ANSWER):
        raise RuntimeError(f"the emulator at {url} did not reset: it answered {status} {body[:100]!r}")


def _moto_api(url: str, method: str, name: str, timeout: float) -> tuple[int, bytes]:
    """One request to moto's own API at `url`, straight to its host and port.

    http.client, not urllib: urllib sends through any proxy the environment names, and a
    proxy elsewhere would answer for the emulator (and see the request).
    """
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
    try:
        connection.request(method, f"/moto-api/{name}")
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
