"""Whether a boto3 client given an endpoint URL would connect to this machine's loopback.

A URL can be read two ways. For 'http://10.0.0.1\\@127.0.0.1:5077', urllib.parse reads
the host as 127.0.0.1, but botocore hands the URL to urllib3, which reads the host as
10.0.0.1 and connects there. So the check reads the URL with urllib3, the client's own
parser, and accepts only the one plain spelling of a loopback endpoint, which every
parser reads alike: http or https, a canonical 127.x.y.z, [::1] or localhost, an optional
port and path, nothing else. And a proxy in the environment would carry the request off
the machine whatever the host, so the check asks botocore, as the client does, whether
it would use one.
"""

from __future__ import annotations

import ipaddress

from botocore.utils import get_environ_proxies
from urllib3.exceptions import LocationParseError
from urllib3.util import Url, parse_url

# No '@' (userinfo), '\\', '%' (percent-encoding), '?', '#', whitespace, control or
# non-ASCII character: each is where parsers part ways on which host a URL names.
PLAIN_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:/[]_~-")
SCHEMES = frozenset({"http", "https"})
# One spelling each: '[0:0:0:0:0:0:0:1]', 'LOCALHOST' or 'localhost.' name the same
# host only for some resolvers and parsers.
LOOPBACK_NAMES = frozenset({"localhost", "[::1]"})

NOT_PLAIN = (
    "give http:// or https://, then 127.x.y.z (written plainly), [::1] or localhost, "
    "an optional port and path, and nothing else"
)


def loopback_refusal(endpoint_url: str) -> str | None:
    """Why a client would not reach loopback at this URL (one sentence), or None if it would."""
    if not names_loopback(endpoint_url):
        return NOT_PLAIN
    parsed = parse_url(endpoint_url)
    if get_environ_proxies(endpoint_url).get(parsed.scheme):
        return f"the environment's {parsed.scheme} proxy would carry it off this machine; add {parsed.host} to NO_PROXY"
    return None


def names_loopback(endpoint_url: str) -> bool:
    """The URL names loopback, in the one plain spelling; whether a proxy would carry it elsewhere aside."""
    parsed = _as_the_client_reads_it(endpoint_url)
    return parsed is not None and _is_loopback_host(parsed.host)


def is_loopback(endpoint_url: str) -> bool:
    return loopback_refusal(endpoint_url) is None


def _as_the_client_reads_it(endpoint_url: str) -> Url | None:
    """urllib3's reading of a plain http(s) URL, or None if it is not plain."""
    if not PLAIN_CHARACTERS.issuperset(endpoint_url):
        return None
    try:
        parsed = parse_url(endpoint_url)
    except LocationParseError:
        return None
    # Written back, urllib3's reading must be the text itself: a URL it normalizes
    # ('HTTP://', ':05000', an empty port, '/a/../b') has a second reading somewhere.
    if parsed.url != endpoint_url or parsed.scheme not in SCHEMES:
        return None
    # urllib3 refuses ports past 65535; port 0 it takes, but no server listens there.
    return None if parsed.port == 0 else parsed


def _is_loopback_host(host: str | None) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    # ipaddress (Python 3.9.5 on) takes only the plain dotted quad: '127.1', '0x7f.0.0.1',
    # '2130706433' and '0177.0.0.1', which inet_aton reads as 127.0.0.1, it refuses.
    try:
        return ipaddress.IPv4Address(host).is_loopback
    except ValueError:
        return False
