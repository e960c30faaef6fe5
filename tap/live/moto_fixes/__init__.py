"""Where moto 5.2.5 answers otherwise than AWS, in ways Terraform's AWS provider meets: fixed in the emulator's process.

Applied by every process that serves the emulator, before it serves (`python -m tap.live.moto_fixes`
is moto's server with them, `tap/live/emulator.py` starts it; the mutation campaign's forking
emulator applies them too). Each fix is one function that patches moto's own model or response
class, with the note we would send upstream (`UPSTREAM`), and a test in
`tests/rehearsal/test_moto_fixes.py` that speaks to a moto server over HTTP as the provider does and
fails without it. The translator was shaped around some of these; Terraform cannot be.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# fix name -> the note for moto's maintainers: what AWS does, what moto 5.2.5 does, where.
UPSTREAM: dict[str, str] = {}
FIXES: dict[str, Callable[[], None]] = {}


def fix(name: str, upstream: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(patch: Callable[[], None]) -> Callable[[], None]:
        FIXES[name] = patch
        UPSTREAM[name] = upstream
        return patch

    return register


def as_list(value: Any) -> list:
    """A policy element AWS accepts as a lone value or a list."""
    return value if isinstance(value, list) else [value]


def apply_fixes() -> None:
    """Patch moto, in this process, before it serves: every fix, once."""
    for patch in FIXES.values():
        patch()


def main(argv: list[str]) -> None:
    """moto's server, fixed: the same arguments as `python -m moto.server`."""
    apply_fixes()
    from moto.server import main as serve

    serve(argv)


# Each module registers its service's fixes.
from tap.live.moto_fixes import autoscaling, ec2, elbv2, kms, logs, rds, route53resolver, s3, ssm  # noqa: E402, F401
