"""Fixtures shared by the rehearsal tests."""

from __future__ import annotations

import pytest

from tests.rehearsal.namespace import namespace_refusal


@pytest.fixture(scope="session")
def network_namespace() -> None:
    """Tests that could send a packet off this machine run only where a loopback-only namespace can be made."""
    refusal = namespace_refusal()
    if refusal:
        pytest.skip(refusal)
