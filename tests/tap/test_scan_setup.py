"""Where checkov lives: a missing checkov environment is a set-up error in one sentence."""

from __future__ import annotations

import pytest

from tap.audit.scan import CHECKOV_PYTHON_VARIABLE, scan
from tap.errors import UsageError


def test_missing_checkov_environment_says_how_to_make_it(tmp_path, monkeypatch):
    monkeypatch.setenv(CHECKOV_PYTHON_VARIABLE, str(tmp_path / "no-venv" / "bin" / "python"))
    with pytest.raises(UsageError, match=r"does not exist: run `make setup`") as error:
        scan([tmp_path / "cdk.tf.json"])
    assert "\n" not in str(error.value)
