"""`pytest -m integration --live`: bad set-up ends the run with one sentence, never a skip."""

from __future__ import annotations

import json
import os

import pytest

from tests.rehearsal.live import run_live_suite


def test_live_without_an_outputs_file_is_a_usage_error():
    result = run_live_suite()
    assert result.returncode == 4
    assert "--live needs --outputs-file FILE" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist: run `cdktf deploy --outputs-file"),
        ("{", "is not valid JSON"),
        (json.dumps({"TapStackdev": {}, "TapStackqa": {}}), "holds several stacks (TapStackdev, TapStackqa)"),
    ],
)
def test_bad_outputs_file_stops_the_live_run_with_exit_2(content, message, tmp_path):
    outputs = tmp_path / "outputs.json"
    if content is not None:
        outputs.write_text(content)
    env = {key: value for key, value in os.environ.items() if key != "ENVIRONMENT_SUFFIX"}
    result = run_live_suite("--outputs-file", str(outputs), env=env)
    assert result.returncode == 2
    assert message in result.stdout + result.stderr
    assert "passed" not in result.stdout and "skipped" not in result.stdout
