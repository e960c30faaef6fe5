"""Properties of every policy on any valid Terraform JSON, not only on the shapes the stack writes.

- No policy raises, whatever shape an attribute takes: an expression where a scalar or a map is
  expected, lists, maps, nulls, missing keys, nested blocks as a list or as an object. (checkov
  would turn the exception into UNKNOWN; the audit would stop on it.)
- No expression turns a failure into a pass: in every bad fixture resource, any attribute, block
  or value replaced by an expression known only at apply is judged FAILED or NOT_EVALUATED by
  the real scan, never PASSED and never NOT_APPLICABLE.
"""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stack.contract import PROJECT_ROOT
from tap.audit.scan import checkov_python, scan
from tests.policies.conftest import FIXTURES, fixture_id, selected_types

PROBE = Path(__file__).with_name("policy_probe.py")
# Expressions a plan may hold where a value is expected: inputs, computations, references, constants.
EXPRESSIONS = (
    "${var.hostile}",
    "${local.hostile}",
    "${1 == 1}",
    "${merge({}, {a = 1})}",
    "${aws_kms_key.other.arn}",
    "${true}",
    "${null}",
    "prefix-${var.hostile}",
    "${data.terraform_remote_state.other.outputs.value}",
)
# Only expressions the plan cannot resolve: a reference names a block, a constant folds to a value.
UNRESOLVED = ("${var.hostile}", '${upper("a")}', "prefix-${1 == 1}")


def fixture_resources() -> list[tuple[str, str, str, dict[str, Any]]]:
    """(check id, type, name, body) of every resource of every policy fixture."""
    found = []
    for path in sorted(FIXTURES.glob("*.tf.json")):
        for type_, by_name in json.loads(path.read_text())["resource"].items():
            found += [(fixture_id(path), type_, name, body) for name, body in by_name.items()]
    return found


RESOURCES = fixture_resources()


def _node_keys(found: Any) -> Iterator[str]:
    if isinstance(found, dict):
        for key, item in found.items():
            yield key
            yield from _node_keys(item)
    elif isinstance(found, list):
        for item in found:
            yield from _node_keys(item)


# Attribute names the fixtures use: generated maps use them too, so shapes land where policies read.
KEYS = sorted({key for *_, body in RESOURCES for key in _node_keys(body)} - {"//"})
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 70000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["0.0.0.0/0", "::/0", "HTTPS", "HTTP", "required", "true", "false", "1", "postgres15", "*"]),
    st.sampled_from(EXPRESSIONS),
)
SHAPES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), children, max_size=3),
    ),
    max_leaves=8,
)


def paths(found: Any, prefix: tuple = ()) -> list[tuple]:
    """Every node below a value, as a path of keys and indices (the value itself excluded)."""
    if isinstance(found, dict):
        items = [(key, item) for key, item in found.items() if key != "//"]
    elif isinstance(found, list):
        items = list(enumerate(found))
    else:
        return []
    return [path for key, item in items for path in [(*prefix, key), *paths(item, (*prefix, key))]]


DELETE = object()


def replaced(body: dict[str, Any], path: tuple, new: Any) -> dict[str, Any]:
    """A copy of `body` with the node at `path` replaced by `new` (deleted when `new` is `DELETE`)."""
    copied = copy.deepcopy(body)
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    if new is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return copied


@st.composite
def reshaped(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A fixture resource with some of its attributes, blocks or values given other shapes."""
    _, type_, _, body = draw(st.sampled_from(RESOURCES))
    for _ in range(draw(st.integers(1, 4))):
        nodes = paths(body)
        if not nodes:
            break
        path = draw(st.sampled_from(nodes))
        node = _at(body, path)
        new = draw(
            st.one_of(
                SHAPES,
                st.just(DELETE) if isinstance(path[-1], str) else SHAPES,
                st.just([node]),  # a block or value wrapped in a list
                st.just(node[0] if isinstance(node, list) and node else node),  # a list unwrapped
            )
        )
        body = replaced(body, path, new)
    return type_, body


def _at(body: Any, path: tuple) -> Any:
    for step in path:
        body = body[step]
    return body


class Probe:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [str(checkov_python()), str(PROBE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
        )
        self.checks = json.loads(self.process.stdout.readline())["checks"]

    def ask(self, resources: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
        self.process.stdin.write(json.dumps({"resources": resources}) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def probe() -> Iterator[Probe]:
    started = Probe()
    yield started
    started.close()


def test_the_probe_runs_every_python_policy(probe):
    ours = sorted(path.name.split(".")[0] for path in (PROJECT_ROOT / "policies").glob("CKV_*.py"))
    assert sorted(probe.checks) == ours


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
@given(resource=reshaped())
def test_no_policy_raises_on_any_shape_of_a_resource(probe, resource):
    type_, body = resource
    replies = probe.ask({type_: {"probe": body}})
    assert replies, f"no policy judged a {type_}"
    assert [reply for reply in replies if "raised" in reply] == [], json.dumps(body)


# What any attribute, block or value may be instead: an expression known only at apply (a map built
# by a function, as `tags` often is), a list where one value or block is expected, null, a map.
RESHAPES = ('${merge(local.tags, {Name = "x"})}', "${var.hostile}", "LIST", None, {}, DELETE)


def reshapes(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every variant of a resource with one of its nodes given one of the RESHAPES, by a name of its own."""
    variants = {}
    for number, path in enumerate(paths(body)):
        for shape, new in enumerate(RESHAPES):
            if new is DELETE and not isinstance(path[-1], str):
                continue
            variants[f"node{number}_shape{shape}"] = replaced(body, path, [_at(body, path)] if new == "LIST" else new)
    return variants


@pytest.mark.parametrize("fixture", sorted({check_id for check_id, *_ in RESOURCES}))
def test_no_policy_raises_on_any_node_of_its_fixtures_reshaped(probe, fixture):
    """Every node of every resource of the fixture, one at a time, as each of the RESHAPES: every
    Python policy that judges the type gives a verdict (or none), never an exception."""
    raised = []
    for _, type_, name, body in (resource for resource in RESOURCES if resource[0] == fixture):
        variants = reshapes(body)
        replies = probe.ask({type_: variants})
        raised += [f"{name}/{reply['resource']}: {reply['raised']}" for reply in replies if "raised" in reply]
    assert raised == []


def test_no_graph_policy_stops_the_scan_or_skips_a_resource_on_any_node_reshaped(tmp_path):
    """The YAML policies' fixtures, every node of every resource reshaped one at a time (each variant
    beside the original), in one real scan: it completes, and each graph policy judges every resource
    of the types it selects (a graph check that raised would judge none)."""
    plans = {}
    for path in sorted(FIXTURES.glob("CKV2_*.tf.json")):
        document = json.loads(path.read_text())
        for by_name in document["resource"].values():
            for name, body in list(by_name.items()):
                by_name.update({f"{name}_{variant}": body for variant, body in reshapes(body).items()})
        plans[fixture_id(path)] = tmp_path / fixture_id(path) / "cdk.tf.json"
        plans[fixture_id(path)].parent.mkdir()
        plans[fixture_id(path)].write_text(json.dumps(document, indent=1))
    result = scan(list(plans.values()), shards=2)
    assert [error for error in result.errors if error.split()[0] in plans] == []
    unjudged = []
    for check_id, plan in plans.items():
        types = selected_types(check_id, result)
        selected = {f"{type_}.{name}" for type_, by_name in _resources(plan) if type_ in types for name in by_name}
        judged = {finding.address for finding in result.findings[plan.resolve()] if finding.check_id == check_id}
        unjudged += [f"{check_id} {address}" for address in sorted(selected - judged)]
    assert unjudged == []


def _resources(plan: Path) -> list[tuple[str, dict]]:
    return list(json.loads(plan.read_text())["resource"].items())


def expression_variants() -> dict[str, tuple[dict, list[tuple[str, str]]]]:
    """Per fixture: its plan with every bad resource's variants added (one node replaced by an
    unresolved expression each), and the (check, address) pairs that must not pass."""
    variants = {}
    for path in sorted(FIXTURES.glob("*.tf.json")):
        check_id, document = fixture_id(path), json.loads(path.read_text())
        expected = []
        for type_, by_name in list(document["resource"].items()):
            for name, body in list(by_name.items()):
                if not name.startswith("bad_"):
                    continue
                for number, (node, expression) in enumerate((n, e) for n in paths(body) for e in UNRESOLVED):
                    variant = f"{name}_expr{number}"
                    by_name[variant] = replaced(body, node, expression)
                    expected.append((check_id, f"{type_}.{variant}"))
        variants[check_id] = (document, expected)
    return variants


def test_no_expression_turns_a_failing_resource_into_a_pass(tmp_path):
    variants = expression_variants()
    plans = {}
    for check_id, (document, _) in variants.items():
        plans[check_id] = tmp_path / check_id / "cdk.tf.json"
        plans[check_id].parent.mkdir()
        plans[check_id].write_text(json.dumps(document, indent=1))
    result = scan(list(plans.values()), shards=2)
    # checkov's own checks may raise on these shapes (the audit then stops, exit 2); ours never do.
    assert [error for error in result.errors if error.split()[0] in variants] == []
    # Two fixtures may name a resource alike: each variant is judged in its own fixture's plan.
    verdicts = {
        (path.parent.name, finding.check_id, finding.address): finding.result
        for path in plans.values()
        for finding in result.findings[path.resolve()]
    }
    wrong = {
        pair: verdicts.get((fixture, *pair), "no finding")
        for fixture, (_, expected) in variants.items()
        for pair in expected
        if verdicts.get((fixture, *pair)) not in ("FAILED", "NOT_EVALUATED")
    }
    assert sum(len(expected) for _, expected in variants.values()) > 500
    assert wrong == {}, "\n".join(f"{pair}: {verdict}" for pair, verdict in sorted(wrong.items()))
