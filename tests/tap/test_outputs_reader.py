"""The outputs file reader: the right stack by name, and one clear sentence for every bad file."""

from __future__ import annotations

import json

import pytest

from tap.errors import UsageError
from tap.live.outputs import read_outputs

TWO_STACKS = {
    "TapStackdev": {"vpc_id": "vpc-dev", "networking": {"nat_gateway_ids": ["nat-1"]}},
    "TapStackpr7": {"vpc_id": "vpc-pr7"},
}


def write(tmp_path, content):
    path = tmp_path / "outputs.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_stack_is_chosen_by_name_never_by_position(tmp_path):
    path = write(tmp_path, TWO_STACKS)
    assert read_outputs(path, "TapStackpr7")["vpc_id"] == "vpc-pr7"
    assert read_outputs(path, "TapStackdev")["vpc_id"] == "vpc-dev"


def test_outputs_nested_by_construct_path_are_found_by_name(tmp_path):
    outputs = read_outputs(write(tmp_path, TWO_STACKS), "TapStackdev")
    assert outputs["nat_gateway_ids"] == ["nat-1"]
    assert outputs["networking.nat_gateway_ids"] == ["nat-1"]


def test_the_only_stack_is_used_when_no_name_is_given(tmp_path):
    assert read_outputs(write(tmp_path, {"TapStackdev": {"vpc_id": "v"}})).stack == "TapStackdev"


@pytest.mark.parametrize(
    ("content", "stack", "message"),
    [
        (TWO_STACKS, None, "holds several stacks (TapStackdev, TapStackpr7): name one with ENVIRONMENT_SUFFIX"),
        (TWO_STACKS, "TapStackqa", "has no stack TapStackqa (it has TapStackdev, TapStackpr7)"),
        ({}, None, "is empty"),
        ('{"TapStackdev": {"vpc_id": }', None, "is not JSON (Expecting value at line 1)"),
    ],
)
def test_bad_outputs_file_is_one_clear_sentence(content, stack, message, tmp_path):
    with pytest.raises(UsageError) as error:
        read_outputs(write(tmp_path, content), stack)
    assert message in str(error.value) and "outputs.json" in str(error.value)
    assert "\n" not in str(error.value)


def test_missing_outputs_file_says_how_to_make_one(tmp_path):
    with pytest.raises(UsageError, match="does not exist: run `cdktf deploy --outputs-file"):
        read_outputs(tmp_path / "absent.json")


def test_missing_output_is_named(tmp_path):
    outputs = read_outputs(write(tmp_path, TWO_STACKS), "TapStackdev")
    with pytest.raises(UsageError, match="has no output 'db_identifier' for stack TapStackdev"):
        outputs["db_identifier"]
