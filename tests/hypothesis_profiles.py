"""Hypothesis profiles: `dev` (quick, the default) and `ci` (derandomized, many examples).

Loaded by the conftest of each suite that uses hypothesis (property, fuzz). Choose with
`pytest -m property --hypothesis-profile=ci` or HYPOTHESIS_PROFILE=ci;
`make test` uses ci. The example database (.hypothesis/) stays out of git.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
