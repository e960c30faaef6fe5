"""The environment of every process that talks to an emulator: built from an allow-list, never inherited.

A child given the parent's environment would take from it where to send its requests:
a proxy (HTTP_PROXY, ALL_PROXY...), a service's own endpoint (AWS_ENDPOINT_URL_STS), the
order to ignore the emulator's (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS), a CA bundle, or an
AWS config file naming an endpoint_url. So a child gets only what it needs to run (the
path, the home, the locale, Python's and tap's own settings), the emulator's endpoint and
credentials, and no AWS config file to read: nothing on the list can say where to connect.
"""

from __future__ import annotations

import os

# Credentials for the emulator only: it accepts any, and no real ones should ever reach it.
EMULATOR_CREDENTIALS = {"aws_access_key_id": "rehearsal", "aws_secret_access_key": "rehearsal"}

KEPT = frozenset({"PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TERM", "VIRTUAL_ENV"})
KEPT_PREFIXES = ("LC_", "PYTHON", "TAP_")
# No AWS config or credentials file (either could name an endpoint_url, a services section,
# ignore_configured_endpoint_urls or a credential_process), and no instance metadata to ask
# for credentials: a child given no emulator holds no credentials, so it cannot sign a request.
SEALED = {
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def emulator_env(url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a child process that talks to the emulator at `url` (None: serves one), plus `extra`."""
    kept = {key: value for key, value in os.environ.items() if key in KEPT or key.startswith(KEPT_PREFIXES)}
    endpoint = (
        {
            "AWS_ENDPOINT_URL": url,
            "AWS_ACCESS_KEY_ID": EMULATOR_CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": EMULATOR_CREDENTIALS["aws_secret_access_key"],
        }
        if url
        else {}
    )
    return {**kept, **SEALED, **endpoint, **extra}
