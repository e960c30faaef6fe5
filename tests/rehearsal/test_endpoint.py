"""The loopback check: the host it accepts is the host the client connects to.

The refused rows also go through the real `tap rehearse`, in a network namespace that
holds only loopback, so a regression cannot send a packet anywhere.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from urllib3.util import parse_url

from tap.errors import UsageError
from tap.live.emulator import rehearsal_config
from tap.live.endpoint import is_loopback
from tap.live.guard import Account, read_only_session
from tap.live.rehearsal import check_loopback
from tap.synth.cache import cached_plan
from tests.rehearsal.hostile import REDIRECTING, hostile_variables
from tests.rehearsal.namespace import without_network

# URL -> the host urllib3 connects to for it.
LOOPBACK = {
    "http://127.0.0.1:5000": "127.0.0.1",
    "http://127.0.0.1": "127.0.0.1",
    "http://127.0.0.1:5000/": "127.0.0.1",
    "http://127.0.0.1:5000/path": "127.0.0.1",
    "https://127.0.0.1:5443": "127.0.0.1",
    "http://127.255.255.254:5000": "127.255.255.254",  # all of 127.0.0.0/8 is loopback
    "http://[::1]:5000": "[::1]",
    "http://localhost:5000": "localhost",
    "https://localhost": "localhost",
}

NOT_LOOPBACK = [
    "http://10.0.0.1\\@127.0.0.1:5077",  # urllib.parse reads 127.0.0.1; urllib3, the client, connects to 10.0.0.1
    "http://127.0.0.1:5000\\@10.0.0.1",  # the mirror image: urllib.parse reads 10.0.0.1
    "http://127.0.0.1@10.0.0.1",  # userinfo: the host is 10.0.0.1
    "http://127.0.0.1:5000@10.0.0.1",
    "http://127.0.0.1;@10.0.0.1",
    "http://127.0.0.1:5000/@10.0.0.1",  # any '@', even in the path
    "http://127.0.0.1:5000#@10.0.0.1",  # a fragment: parsers agree on 127.0.0.1, but an endpoint has none
    "http://127.0.0.1:5000?@10.0.0.1",  # a query: likewise
    "http://10.0.0.1#@127.0.0.1",
    "HTTP://127.0.0.1:5000",  # one spelling only: urllib3 lowercases it, so its reading is not the text
    "http://LOCALHOST:5000",
    "http://127.0.0.1:65536",  # no such port
    "http://127.0.0.1:0",
    "http://127.0.0.1:05000",  # urllib3 reads 5000
    "http://127.0.0.1:",
    "http://127.0.0.1\t:5000",  # urllib.parse drops the tab (bpo-43882), urllib3 refuses it
    "http://127.0.0.1:5000\n",
    "http://127.0.0.1:5000/\r\nHost: 10.0.0.1",
    " http://127.0.0.1:5000",
    "http://127.0.0.\u0661:5000",  # ARABIC-INDIC DIGIT ONE, which int() reads as 1
    "http://\uff11\uff12\uff17.0.0.1:5000",  # fullwidth digits, 127 after NFKC
    "http://0.0.0.0:5000",  # the unspecified address: every interface, not loopback
    # IPv4-mapped: it reaches 127.0.0.1 only through a dual-stack socket (not IPV6_V6ONLY), and
    # ipaddress calls it loopback only since gh-117566 (Python 3.13). 127.0.0.1 says it plainly.
    "http://[::ffff:127.0.0.1]:5000",
    "http://[::ffff:7f00:1]:5000",
    "http://[0:0:0:0:0:0:0:1]:5000",  # ::1 in another spelling
    "http://[::1%25lo]:5000",  # a zone id
    "http://::1:5000",  # IPv6 without brackets
    "http://2130706433:5000",  # 127.0.0.1 to inet_aton, not to ipaddress
    "http://0x7f.0.0.1:5000",
    "http://0177.0.0.1:5000",  # octal 127 to inet_aton
    "http://127.1:5000",
    "http://127.0.0.01:5000",  # octal to inet_aton, decimal elsewhere
    "http://localhost.:5000",  # another name to a resolver than 'localhost'
    "http://emulator.localhost:5000",  # names under localhost are left to DNS
    "http://127.0.0.1.nip.io:5000",  # a public name that answers 127.0.0.1 today
    "http://%31%32%37.0.0.1:5000",  # urllib3 decodes it to 127.0.0.1, botocore does not
    "http://127.0.0.1:5000/%2e%2e/",
    "http://10.0.0.5:5000",
    "http://moto:5000",
    "https://ec2.ap-southeast-1.amazonaws.com",
    "ftp://127.0.0.1:5000",
    "file:///etc/hosts",
    "//127.0.0.1:5000",
    "127.0.0.1:5000",
    "http://",
    "http:///path",
    "",
]

PROXY_VARIABLES = ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")
REFUSAL = "tap rehearse provisions only into an emulator on loopback, not "


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch):
    for variable in PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(scope="module")
def session():
    return read_only_session(region_name="ap-southeast-1", aws_access_key_id="x", aws_secret_access_key="y")


@pytest.mark.parametrize("url", LOOPBACK)
def test_loopback_endpoint_is_accepted(url, session):
    assert is_loopback(url)
    assert Account(session, url).emulated
    check_loopback(url)


@pytest.mark.parametrize("url", NOT_LOOPBACK)
def test_endpoint_off_loopback_is_refused(url, session):
    assert not is_loopback(url)
    assert not Account(session, url).emulated
    with pytest.raises(UsageError) as refused:
        check_loopback(url)
    assert str(refused.value).startswith(REFUSAL + ascii(url) + ": ")
    assert "\n" not in str(refused.value)


class Sent(Exception):
    """Raised in place of sending: the request URL is all the test needs."""


def _stop_before_sending(request, **_):
    raise Sent(request.url)


@pytest.mark.parametrize(("url", "host"), LOOPBACK.items())
def test_accepted_endpoint_is_the_host_the_client_connects_to(url, host):
    client = boto3.Session(region_name="ap-southeast-1", aws_access_key_id="x", aws_secret_access_key="y").client(
        "sts", endpoint_url=url
    )
    client.meta.events.register("before-send.*.*", _stop_before_sending)
    with pytest.raises(Sent) as sent:
        client.get_caller_identity()
    # botocore joins the endpoint and the operation's path; urllib3 parses the result to connect.
    assert parse_url(str(sent.value)).host == host


def test_endpoint_behind_a_proxy_is_refused(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://user:secret@10.0.0.1:3128")
    with pytest.raises(UsageError, match="proxy would carry it off this machine; add 127.0.0.1 to NO_PROXY") as refused:
        check_loopback("http://127.0.0.1:5000")
    assert "secret" not in str(refused.value)
    assert is_loopback("https://127.0.0.1:5000")  # an http proxy carries http only


def test_endpoint_the_proxy_is_told_to_bypass_is_accepted(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://10.0.0.1:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    assert is_loopback("http://127.0.0.1:5000")
    assert is_loopback("http://localhost:5000")


def test_emulated_reads_the_endpoint_from_the_environment(monkeypatch, session):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://10.0.0.1\\@127.0.0.1:5077")
    assert not Account(session).emulated
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5077")
    assert Account(session).emulated


def _guarded_session():
    """A new session: one made earlier has read the environment and the config file already."""
    return read_only_session(region_name="ap-southeast-1", aws_access_key_id="x", aws_secret_access_key="y")


@pytest.mark.parametrize("group", REDIRECTING)
def test_emulated_account_refuses_a_client_sent_elsewhere(group, monkeypatch, tmp_path):
    # Made, never called: the refusal comes before the client could send anything.
    for name, value in hostile_variables("http://127.0.0.2:9", tmp_path)[group].items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5077")
    account = Account(_guarded_session())
    with pytest.raises(
        UsageError, match="^the account is the emulator at 'http://127.0.0.1:5077', but its STS client "
    ) as refused:
        account("sts")
    assert "\n" not in str(refused.value)
    assert not account.emulated


def test_emulated_account_refuses_a_client_behind_a_proxy(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://user:secret@10.0.0.1:3128")
    account = Account(_guarded_session(), "https://127.0.0.1:5077")
    with pytest.raises(UsageError, match="proxy would carry it off this machine; add 127.0.0.1 to NO_PROXY") as refused:
        account("kms")
    assert "secret" not in str(refused.value) and "\n" not in str(refused.value)
    assert not account.emulated


# The real CLI, in a network namespace of its own.


@pytest.fixture(scope="module")
def plan() -> Path:
    # A real plan: were the endpoint let through, the rehearsal would start, not fail on the plan.
    return cached_plan(rehearsal_config())


def tap_without_network(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return without_network(sys.executable, "-m", "tap.cli", *arguments, env=env)


def assert_refused_in_one_line(result: subprocess.CompletedProcess, url: str, outputs: Path) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("tap: " + REFUSAL + ascii(url)), result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result.stderr
    assert not outputs.exists()


@pytest.mark.parametrize("url", NOT_LOOPBACK)
def test_cli_refuses_endpoint_off_loopback_in_one_line(url, network_namespace, plan, tmp_path):
    outputs = tmp_path / "o.json"
    result = tap_without_network("rehearse", "--endpoint-url", url, "--outputs-file", str(outputs), "--plan", str(plan))
    assert_refused_in_one_line(result, url, outputs)


def test_cli_refuses_endpoint_behind_a_proxy_in_one_line(network_namespace, plan, tmp_path):
    outputs, url = tmp_path / "o.json", "http://127.0.0.1:5000"
    arguments = ["rehearse", "--endpoint-url", url, "--outputs-file", str(outputs), "--plan", str(plan)]
    result = tap_without_network(*arguments, env={"HTTP_PROXY": "http://10.0.0.1:3128"})
    assert_refused_in_one_line(result, url, outputs)
