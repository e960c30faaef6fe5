"""The hypothesis profiles (tests/hypothesis_profiles.py), shared with the hostile-input suite."""

import tests.hypothesis_profiles  # noqa: F401
