"""Every reader of a document, fed generated hostile documents: a result or one sentence, never a traceback.

And every document its schema allows reads, and is used as the command goes on to use it, without
a traceback: a schema looser than the code that reads the document is a crash waiting for input.
"""

from __future__ import annotations

import inspect
import itertools
import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import tap
from stack.contract import IDENTITY_OUTPUTS
from tap import documents
from tap.plan import Plan
from tap.synth.cache import cached_plan
from tap.synth.deployments import PROFILE_CONFIGS
from tests.fuzz.hostile import JSON_VALUES, REFUSALS, Reader, hostile_bytes, nested, readers
from tests.fuzz.schemas import from_schema

READERS = readers(Plan.load(cached_plan(PROFILE_CONFIGS["dev"])))
FILES = sorted(READERS)
SCHEMA_FILES = [name for name in FILES if READERS[name].kind.schema]
# Bounded time: a reader that reads /dev/zero or nests forever would hang or exhaust memory here.
HOSTILE = settings(deadline=10_000, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_files = itertools.count()


def _written(folder: Path, name: str, data: bytes) -> Path:
    """The document under the name its reader expects, in a folder of its own (a reader may read beside it)."""
    path = folder / f"case-{next(_files)}" / name
    path.parent.mkdir()
    path.write_bytes(data)
    return path


def _read(reader: Reader, path: Path) -> str | None:
    """What the reader said when it refused (None when it read the document): any other exception fails."""
    try:
        reader.read(path)
    except REFUSALS as refusal:
        return str(refusal)
    return None


def _assert_one_sentence(refusal: str | None) -> None:
    # Its text may quote the document (a name with a line break): the console shows it escaped, one line.
    assert refusal is None or refusal.strip(), refusal


def test_every_kind_of_document_a_command_reads_has_a_reader_here():
    """A reader added later is fuzzed too: every Kind in tap/ is one of these readers'."""
    kinds = {
        value
        for name, module in list(sys.modules.items())
        if name.split(".")[0] == tap.__name__
        for _, value in inspect.getmembers(module)
        if isinstance(value, documents.Kind)
    }
    assert kinds and kinds <= {reader.kind for reader in READERS.values()}


# Inputs that once ended in a traceback or a false read: a number JSON reads as infinity, a TOML
# integer past Python's digit limit, a document nested past the recursion limit.
ONCE_FAILED_BYTES = [b'{"a": 1e999}', b"a = " + b"9" * 5000, nested(100_000, "json")]


@pytest.mark.parametrize("name", FILES)
@HOSTILE
@given(data=st.data())
def test_every_reader_reads_hostile_bytes_or_refuses_them_in_one_sentence(name, data, tmp_path):
    reader = READERS[name]
    document = data.draw(hostile_bytes(reader.kind.syntax) | st.sampled_from(ONCE_FAILED_BYTES), label="document")
    _assert_one_sentence(_read(reader, _written(tmp_path, name, document)))


@pytest.mark.parametrize("name", FILES)
@HOSTILE
@given(depth=st.integers(min_value=documents.MAX_DEPTH + 1, max_value=200_000))
@example(depth=100_000)
def test_every_reader_refuses_deep_nesting_naming_it(name, depth, tmp_path):
    reader = READERS[name]
    refusal = _read(reader, _written(tmp_path, name, nested(depth, reader.kind.syntax)))
    said = (
        ("is larger than", "not a PEM", "not a signature") if reader.kind.syntax == "bytes" else ("nests deeper than",)
    )
    assert refusal and any(words in refusal for words in (*said, "is larger than")) and "\n" not in refusal


@pytest.mark.parametrize("name", FILES)
def test_every_reader_refuses_a_document_larger_than_its_kind_in_one_sentence(name, tmp_path):
    reader = READERS[name]
    path = _written(tmp_path, name, b" " * (reader.kind.max_bytes + 1))
    refusal = _read(reader, path)
    assert refusal and (reader.refused_as or f"{path} is larger than") in refusal


@pytest.mark.parametrize("make", [lambda path: path.symlink_to("/dev/zero"), os.mkfifo], ids=["device", "fifo"])
@pytest.mark.parametrize("name", FILES)
def test_every_reader_refuses_what_is_not_a_regular_file_without_reading_it(name, make, tmp_path):
    # /dev/zero is endless (read whole, it would exhaust memory); a FIFO opened to read waits for a writer.
    path = tmp_path / name
    make(path)
    refusal = _read(READERS[name], path)
    assert refusal and (READERS[name].refused_as or f"{path} is not a regular file") in refusal


@pytest.mark.parametrize("name", SCHEMA_FILES)
@HOSTILE
@given(data=st.data())
def test_every_document_its_schema_allows_is_read_and_used_without_a_traceback(name, data, tmp_path):
    """Right keys, any shapes the schema lets through: the reader and what follows must cope, or the
    schema must say no. Refusals after the schema (another suite's result, another stack) are fine."""
    reader = READERS[name]
    schema = json.loads((documents.SCHEMAS / f"{reader.kind.schema}.schema.json").read_text())
    document = data.draw(from_schema(schema), label="document")
    _assert_one_sentence(_read(reader, _written(tmp_path, name, json.dumps(document).encode())))


# Once a TypeError in every live test: alarm_emails that is no list.
ONCE_FAILED = {str(name): "x" for name in IDENTITY_OUTPUTS} | {"alarm_emails": 7, "environment_suffix": 7}


@HOSTILE
@given(values=st.fixed_dictionaries({str(name): JSON_VALUES for name in IDENTITY_OUTPUTS}), stack=st.text(max_size=20))
@example(values=ONCE_FAILED, stack="TapStackdev")
def test_outputs_naming_every_identity_output_with_any_value_name_a_deployment_or_one_sentence(values, stack, tmp_path):
    """Past the outputs file's shape: values of any kind where the deployment's settings are read."""
    path = _written(tmp_path, "outputs.json", json.dumps({stack: values}).encode())
    _assert_one_sentence(_read(READERS["outputs.json"], path))
