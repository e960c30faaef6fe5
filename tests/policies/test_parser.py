"""The scan reads plans with libyaml beneath checkov's loader (`checkov_worker.use_libyaml`): checkov
must make of every plan exactly what its own loader makes, or a finding could move, appear or vanish.

Each file is read both ways by `parser_probe.py` in checkov's Python.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tap.audit.scan import checkov_python

PROBE = Path(__file__).with_name("parser_probe.py")
FIXTURES = Path(__file__).parent / "fixtures"
RESOURCE = '{{"resource": {{"aws_s3_bucket": {{"b": {{"bucket": {value}, "tags": {{"k": "v"}}}}}}}}}}'
# Texts at the edges of what either parser reads: escapes, numbers, encodings, line ends, whitespace.
EDGES = {
    "escaped_solidus": RESOURCE.format(value=r'"a\/b"'),
    "escaped_surrogate_pair": RESOURCE.format(value=r'"\ud83d\ude00"'),
    "escaped_control": RESOURCE.format(value=r'"\u0007\u0000"'),
    "raw_non_ascii": RESOURCE.format(value='"é😀"'),
    "huge_numbers": RESOURCE.format(value="[1e400, 123456789012345678901234567890, -0.0]"),
    "yaml_words": RESOURCE.format(value='["yes", "on", "off", "~", "null", "0x1F"]'),
    "crlf_lines": RESOURCE.format(value='"x"').replace(", ", ",\r\n"),
    "tab_indent": RESOURCE.format(value='"x"').replace(", ", ",\n\t"),
    "byte_order_mark": "\ufeff" + RESOURCE.format(value='"x"'),
    "duplicate_keys": RESOURCE.format(value='"x", "bucket": "y"'),
    "deep_nesting": RESOURCE.format(value="[" * 60 + "1" + "]" * 60),
}


LINE_MARKS = ("__startline__", "__endline__")


def read_both_ways(paths: list[Path]) -> dict:
    result = subprocess.run(
        [str(checkov_python()), str(PROBE), *map(str, paths)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def edges(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("edges")
    paths = {name: folder / f"{name}.tf.json" for name in EDGES}
    for name, text in EDGES.items():
        paths[name].write_text(text, encoding="utf-8", newline="")
    files = read_both_ways(list(paths.values()))["files"]
    return {name: files[str(path)] for name, path in paths.items()}


def test_scan_reads_every_plan_and_fixture_as_checkovs_own_loader_does(plan_paths):
    paths = [*plan_paths.values(), *sorted(FIXTURES.glob("*.tf.json"))]
    read = read_both_ways(paths)
    assert read["libyaml"], "libyaml is not beneath the scan's loader: the speed-up is gone"
    differing = [path for path, both in read["files"].items() if both["stock"] != both["scan"]]
    unread = [path for path, both in read["files"].items() if both["scan"] is None]
    assert (differing, unread) == ([], [])


@pytest.mark.parametrize("name", EDGES)
def test_scan_reads_an_edge_text_as_checkovs_loader_or_where_that_reads_nothing(edges, name):
    """Where checkov's loader reads a text, the scan reads the same; where it reads nothing (a tab,
    which its pure-Python scanner refuses), the scan may read the JSON, never something else."""
    both = edges[name]
    if both["stock"] is None:
        assert both["scan"] is None or _without_lines(both["scan"]) == _json_read(EDGES[name])
    else:
        assert both["scan"] == both["stock"]


def _without_lines(found: object) -> object:
    if isinstance(found, dict):
        return {key: _without_lines(value) for key, value in found.items() if key not in LINE_MARKS}
    if isinstance(found, list):
        return [_without_lines(value) for value in found]
    return found


def _json_read(text: str) -> object:
    """checkov's shape of a Terraform JSON resource block, from Python's own JSON reader."""
    document = json.loads(text.lstrip("\ufeff"))
    bodies = document["resource"]["aws_s3_bucket"]
    return {"resource": [{"aws_s3_bucket": {name: {k: [v] for k, v in body.items()} for name, body in bodies.items()}}]}
