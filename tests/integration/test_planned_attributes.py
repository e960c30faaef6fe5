"""Every attribute the plan sets, as the account shows it (the live table, tap/live/observed).

The checks of their own elsewhere in this suite judge what a value means (a TLS policy's suites, an
alarm's threshold against its description); this one holds the account to the whole plan, so a
drift of any attribute an AWS API shows fails, named, whether or not a check was written for it.
"""

from __future__ import annotations

import pytest

from tap.live.observed import KINDS


@pytest.mark.parametrize("type_", sorted(KINDS))
def test_every_planned_attribute_matches_the_account(target, type_, record_property):
    planned = target.planned(type_)
    if not planned:
        pytest.skip(f"not applicable: this deployment's plan declares no {type_}")
    uncompared = {f"{r.address}.{a}: {why}" for r in planned for a, why in target.observed.uncompared(r).items()}
    if uncompared:  # partial, and saying so: the emulator does not keep these
        record_property("uncompared", "; ".join(sorted(uncompared)))
    drifts = [drift for resource in planned for drift in target.observed.drifts(resource)]
    assert not drifts, "\n".join(drifts)
