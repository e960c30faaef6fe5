"""The AWS emulator the live suite is rehearsed against: a moto server on loopback.

Test infrastructure. moto answers as account 123456789012 and accepts any credentials;
the rehearsal's plan names an IAM server certificate there (an ACM certificate ARN holds
a random id that cannot be made to match), which `tap rehearse` uploads, self-signed,
as a real account holds its certificate before the first deploy.
"""

from __future__ import annotations

import logging
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from stack.config import Config

MOTO_ACCOUNT = "123456789012"
REHEARSAL_CERTIFICATE = f"arn:aws:iam::{MOTO_ACCOUNT}:server-certificate/payment-rehearsal"


def rehearsal_config(profile: str = "dev") -> Config:
    return Config(environment_suffix=f"rh-{profile}", profile=profile, certificate_arn=REHEARSAL_CERTIFICATE)


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 (a free port) for the duration; yields its URL."""
    # AWS-managed IAM policies (AmazonSSMManagedInstanceCore...) exist in every account.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def reset(url: str) -> None:
    """Empty the emulator: every resource of every service is gone."""
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=30).close()
