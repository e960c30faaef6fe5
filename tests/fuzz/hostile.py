"""Hostile documents, and every reader of a document with what it feeds downstream.

A reader here is what a command does with a file it is given: read it (tap/documents.py) and
use it as the command goes on to (compare a baseline, summarize a campaign, name a deployment
from its outputs...). Each may refuse in one sentence (a UsageError, or a ConfigError naming
the setting); anything else it raises is a traceback a user would see.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import strategies as st

from stack.config import ConfigError
from tap import documents
from tap.audit import bundle, live_results, mapping, waivers
from tap.audit.binding import _unreproducible
from tap.audit.changes import compare
from tap.audit.judgeable import refuse_unjudgeable
from tap.audit.judgement import SCOPE, out_of_scope
from tap.audit.provenance import ENGINE, engine_record
from tap.audit.reports import REPORT
from tap.errors import UsageError
from tap.live.outputs import OUTPUTS, read_outputs
from tap.mutate import report, survivors
from tap.placeholders import placeholders
from tap.plan import Plan
from tap.plan_file import PLAN, read_plan
from tap.preflight.deployment import STATE, Deployment

# What a refusal may be: one sentence either way.
REFUSALS = (UsageError, ConfigError)
JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
JSON_VALUES = st.recursive(
    JSON_LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
)
DEPTHS = st.integers(min_value=documents.MAX_DEPTH + 1, max_value=20_000)
# Texts that Python reads otherwise than other JSON readers, or that are no text.
ODDITIES = [
    b'{"a": NaN}',
    b'{"a": Infinity}',
    b'{"a": 1, "a": 2}',
    b'{"a": "\\ud800"}',
    b"\xef\xbb\xbf{}",
    b"\xff\xfe{\x00}\x00",
    b"",
    b"\x00" * 64,
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "bbbbbbbbbb"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><a>&c;</a>',
]


def nested(depth: int, syntax: str) -> bytes:
    """A document nesting `depth` levels in the syntax given."""
    if syntax == "toml":
        return ("a = " + "[" * depth + "]" * depth).encode()
    if syntax == "xml":
        return ("<a>" * depth + "</a>" * depth).encode()
    return ("[" * depth + "]" * depth).encode()


def hostile_bytes(syntax: str) -> st.SearchStrategy[bytes]:
    """Bytes a user (or an attacker) might hand a reader of the syntax given."""
    return st.one_of(
        st.binary(max_size=512),
        st.text(max_size=200).map(str.encode),
        JSON_VALUES.map(lambda value: json.dumps(value).encode()),
        DEPTHS.map(lambda depth: nested(depth, syntax)),
        st.sampled_from(ODDITIES),
    )


@dataclass(frozen=True)
class Reader:
    """How a command reads a document of a kind, and uses it."""

    kind: documents.Kind
    read: Callable[[Path], Any]
    # What every refusal of it says, where that is one verdict whatever is wrong (else the reader's own words).
    refused_as: str | None = None


def _baseline(path: Path) -> Any:
    current = {
        "evidence": [{"check_id": "CKV_AWS_16", "resource": "aws_db_instance.db", "status": "FAILED"}],
        "requirements": [{"id": "3.5.1", "result": "in_place"}],
        "waivers": [{"check_id": "CKV_AWS_18", "address": "aws_s3_bucket.logs", "expires": "2027-01-01"}],
    }
    return compare(documents.read(path, REPORT), current, dt.date(2026, 12, 6))


def _campaign(path: Path) -> Any:
    return report.summary(report.read_result(path), path, None)


def _live_results(path: Path) -> Any:
    results = live_results.read(path)
    live_results.check_evidence(results, path, "TapStackdev", "0" * 64)
    return results


def _outputs(path: Path) -> Any:
    return read_outputs(path).deployment()


def _state(path: Path, plan: Plan) -> Any:
    deployment = Deployment.load(plan, path, required=True)
    return deployment.name("payment-${random_id.deployment_suffix.hex}")


def _manifest(path: Path) -> Any:
    return bundle.verify(path.parent)


def _signature(path: Path) -> Any:
    # A key that signed no manifest: what matters is that any signature file ends in a verdict.
    (path.parent / bundle.MANIFEST).write_text('{"files": {}}')
    differences = bundle.verify(path.parent, Ed25519PrivateKey.generate().public_key()).differences
    # tap verify's TAMPERED verdict on the signature, as a refusal here.
    signature = [difference for difference in differences if bundle.SIGNATURE in difference]
    if signature:
        raise UsageError(signature[0])
    return differences


def _engine(path: Path) -> Any:
    record = engine_record(path.parent / "cdk.tf.json")
    return record and _unreproducible(record)


def _plan(path: Path) -> Any:
    plan = read_plan(path)
    refuse_unjudgeable(plan, path)
    return plan.stack_name, plan.environment, len(plan.resources()), placeholders(plan)


def readers(plan: Plan) -> dict[str, Reader]:
    """Every document a command reads from outside, by the file name a reader expects it under."""
    return {
        "cdk.tf.json": Reader(PLAN, _plan),
        "waivers.toml": Reader(waivers.WAIVERS, waivers.from_file),
        "compliance.json": Reader(REPORT, _baseline),
        "mutation.json": Reader(report.RESULT, _campaign),
        "live-results.xml": Reader(live_results.LIVE_RESULTS, _live_results),
        "outputs.json": Reader(OUTPUTS, _outputs),
        "terraform.tfstate": Reader(STATE, lambda path: _state(path, plan)),
        "manifest.json": Reader(bundle.MANIFEST_KIND, _manifest),
        "manifest.json.sig": Reader(bundle.SIGNATURE_KIND, _signature, refused_as="(not a signature)"),
        "sign.pem": Reader(bundle.SIGNING_KEY, bundle.load_private_key),
        "public.pem": Reader(bundle.PUBLIC_KEY, bundle.load_public_key),
        "engine.json": Reader(ENGINE, _engine),
        "survivors.toml": Reader(survivors.SURVIVORS, survivors.read),
        "pci_dss_v4.toml": Reader(mapping.MAPPING, mapping.Mapping.load),
        "checkov_scope.toml": Reader(SCOPE, lambda path: out_of_scope.__wrapped__(path)),
    }
