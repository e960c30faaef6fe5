"""A synthesized plan (`cdk.tf.json`) and matchers over it.

In the spirit of AWS CDK's `Template`/`Match`/`Capture`: select resources by type and
construct path, then assert that some, all, exactly N or none of them match. A failed
assertion names each resource and the key that differs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tap.documents import finite, not_json, unique_keys

METADATA = "//"


class Matcher:
    """Decides whether a value matches; `mismatches` explains why not, by key path."""

    def mismatches(self, actual: Any, at: str) -> list[str]:
        raise NotImplementedError


class _Absent(Matcher):
    def mismatches(self, actual: Any, at: str) -> list[str]:
        return [] if actual is _MISSING else [f"{at}: expected absent, got {actual!r}"]


class _AnyValue(Matcher):
    def mismatches(self, actual: Any, at: str) -> list[str]:
        return [f"{at}: expected a value, got none"] if actual in (_MISSING, None) else []


@dataclass
class _Predicate(Matcher):
    test: Callable[[Any], bool]
    description: str

    def mismatches(self, actual: Any, at: str) -> list[str]:
        ok = actual is not _MISSING and self.test(actual)
        return [] if ok else [f"{at}: expected {self.description}, got {_show(actual)}"]


@dataclass
class _Exact(Matcher):
    expected: Any

    def mismatches(self, actual: Any, at: str) -> list[str]:
        return [] if actual == self.expected else [f"{at}: expected exactly {self.expected!r}, got {_show(actual)}"]


@dataclass
class _ObjectLike(Matcher):
    """Every expected key matches; other keys are ignored. Nested dicts match the same way."""

    expected: dict

    def mismatches(self, actual: Any, at: str) -> list[str]:
        if not isinstance(actual, dict):
            return [f"{at or 'resource'}: expected an object, got {_show(actual)}"]
        found = []
        for key, want in self.expected.items():
            found += _matcher(want).mismatches(actual.get(key, _MISSING), f"{at}.{key}" if at else key)
        return found


@dataclass
class _ArrayWith(Matcher):
    """Each expected element matches some element of the actual list, in any order."""

    expected: list

    def mismatches(self, actual: Any, at: str) -> list[str]:
        if not isinstance(actual, list):
            return [f"{at}: expected a list, got {_show(actual)}"]
        return [
            f"{at}: no element matches {want!r}"
            for want in self.expected
            if not any(not _matcher(want).mismatches(item, at) for item in actual)
        ]


class Capture(Matcher):
    """Matches anything present (or what `pattern` matches) and keeps what it saw."""

    def __init__(self, pattern: Any = None):
        self._pattern = pattern
        self.values: list[Any] = []

    def mismatches(self, actual: Any, at: str) -> list[str]:
        inner = _AnyValue() if self._pattern is None else _matcher(self._pattern)
        problems = inner.mismatches(actual, at)
        if not problems:
            self.values.append(actual)
        return problems

    @property
    def value(self) -> Any:
        if len(self.values) != 1:
            raise AssertionError(f"captured {len(self.values)} values, expected exactly one: {self.values!r}")
        return self.values[0]


class Match:
    """Factories for matchers; a plain dict means `object_like`, a plain list `array_with`."""

    absent = staticmethod(lambda: _Absent())
    any_value = staticmethod(lambda: _AnyValue())
    exact = staticmethod(lambda value: _Exact(value))
    object_like = staticmethod(lambda value: _ObjectLike(value))
    array_with = staticmethod(lambda value: _ArrayWith(value))

    @staticmethod
    def that(test: Callable[[Any], bool], description: str) -> Matcher:
        return _Predicate(test, description)

    @staticmethod
    def at_least(bound: float) -> Matcher:
        return _Predicate(lambda v: isinstance(v, (int, float)) and v >= bound, f">= {bound}")

    @staticmethod
    def reference_to(address: str, attribute: str | None = None) -> Matcher:
        """A `${type.name...}` interpolation of the given resource (and attribute)."""
        target = f"${{{address}.{attribute}}}" if attribute else f"${{{address}."
        return _Predicate(lambda v: isinstance(v, str) and target in v, f"a reference to {target}")


class _Missing:
    def __repr__(self) -> str:
        return "nothing"


_MISSING = _Missing()


def _show(value: Any) -> str:
    return repr(value) if value is not _MISSING else "nothing"


def _matcher(expected: Any) -> Matcher:
    if isinstance(expected, Matcher):
        return expected
    if isinstance(expected, dict):
        return _ObjectLike(expected)
    if isinstance(expected, list):
        return _ArrayWith(expected)
    return _Exact(expected)


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    body: dict

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"

    @property
    def path(self) -> str:
        """The construct path below the stack, e.g. `networking/nat-a`."""
        full = self.body.get(METADATA, {}).get("metadata", {}).get("path", "")
        return full.split("/", 1)[1] if "/" in full else full

    @property
    def annotations(self) -> dict:
        """The resource's `"//"` block: CDKTF's metadata and our waivers."""
        return self.body.get(METADATA, {})

    @property
    def properties(self) -> dict:
        return {key: value for key, value in self.body.items() if key != METADATA}

    def __getitem__(self, key: str) -> Any:
        return self.properties[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.properties.get(key, default)

    def mismatches(self, expected: Any) -> list[str]:
        return _matcher(expected).mismatches(self.properties, "")

    def matches(self, expected: Any) -> bool:
        return not self.mismatches(expected)


class Resources:
    """A selection of resources with assertions over it."""

    def __init__(self, items: Iterable[Resource], description: str):
        self._items = list(items)
        self.description = description

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> Resource:
        return self._items[index]

    def where(self, expected: Any) -> Resources:
        return Resources((r for r in self._items if r.matches(expected)), f"{self.description} matching {expected!r}")

    def at_path(self, path: str) -> Resource:
        """The one resource whose construct path is `path` (below the stack)."""
        found = [r for r in self._items if r.path == path]
        if len(found) != 1:
            raise AssertionError(f"expected one {self.description} at {path!r}, found {len(found)}")
        return found[0]

    def only(self) -> Resource:
        if len(self._items) != 1:
            raise AssertionError(f"expected exactly one {self.description}, found {len(self._items)}")
        return self._items[0]

    def assert_some(self, expected: Any) -> Resources:
        """At least one resource matches; returns the ones that do."""
        matching = self.where(expected)
        if not matching:
            raise AssertionError(self._report(f"no {self.description} matches", self._items, expected))
        return matching

    def assert_all(self, expected: Any) -> None:
        """There is at least one resource, and every one matches."""
        if not self._items:
            raise AssertionError(f"no {self.description} in the plan to check")
        failing = [r for r in self._items if not r.matches(expected)]
        if failing:
            raise AssertionError(self._report(f"{len(failing)} {self.description} do not match", failing, expected))

    def assert_count(self, count: int, expected: Any = None) -> None:
        """Exactly `count` resources (that match `expected`, when given)."""
        selected = self._items if expected is None else list(self.where(expected))
        if len(selected) != count:
            found = ", ".join(r.address for r in selected) or "none"
            raise AssertionError(f"expected {count} {self.description}, found {len(selected)}: {found}")

    def assert_none(self, expected: Any) -> None:
        """No resource matches."""
        matching = list(self.where(expected))
        if matching:
            found = ", ".join(f"{r.address} ({r.path})" for r in matching)
            raise AssertionError(f"expected no {self.description} to match {expected!r}, found {found}")

    @staticmethod
    def _report(headline: str, resources: list[Resource], expected: Any) -> str:
        lines = [headline + ":"]
        for resource in resources:
            lines.append(f"  {resource.address} ({resource.path}):")
            lines += [f"    {problem}" for problem in resource.mismatches(expected)]
        return "\n".join(lines)


class Plan:
    """One stack's synthesized Terraform JSON."""

    def __init__(self, document: dict, source: str = "<plan>"):
        self.document = document
        self.source = source

    @classmethod
    def load(cls, path: Path | str) -> Plan:
        """The plan in a file; NaN and Infinity, which Python's JSON reader would take, are refused (ValueError)."""
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        return cls(
            json.loads(text, parse_constant=not_json, parse_float=finite, object_pairs_hook=unique_keys), str(path)
        )

    @property
    def stack_name(self) -> str:
        return self.document[METADATA]["metadata"]["stackName"]

    @property
    def region(self) -> str:
        """The AWS provider's region ('' when the plan sets none)."""
        return self.block("provider.aws").get("region", "")

    @property
    def default_tags(self) -> dict[str, str]:
        """The tags the AWS provider stamps on every resource."""
        blocks = self.block("provider.aws").get("default_tags") or []
        return {key: value for block in blocks for key, value in block.get("tags", {}).items()}

    @property
    def environment(self) -> str | None:
        """The environment the plan was synthesized for (its Environment default tag), None when it says none."""
        return self.default_tags.get("Environment")

    def _blocks(self, section: str, type_: str | None) -> Iterator[Resource]:
        for kind, by_name in self.document.get(section, {}).items():
            if type_ is None or kind == type_:
                for name, body in by_name.items():
                    yield Resource(kind, name, body)

    def resources(self, type_: str | None = None, *, under: str | None = None) -> Resources:
        """Resources of a type (all when None), optionally below a construct path prefix."""
        found = (r for r in self._blocks("resource", type_) if under is None or r.path.startswith(under))
        return Resources(found, type_ or "resource")

    def data_sources(self, type_: str | None = None) -> Resources:
        return Resources(self._blocks("data", type_), f"data {type_ or 'source'}")

    def block(self, address: str) -> Resource:
        """A resource, data source (`data.<type>.<name>`) or provider (`provider.<name>`) by address."""
        section, _, rest = address.partition(".")
        if section == "provider":  # the default configuration, never an aliased one
            configs = self.document.get("provider", {}).get(rest) or []
            default = next((config for config in configs if "alias" not in config), {})
            return Resource("provider", rest, default)
        if section == "data":
            type_, _, name = rest.partition(".")
            return Resource(f"data.{type_}", name, self.document.get("data", {}).get(type_, {}).get(name, {}))
        return self.resource(address)

    def resource(self, address: str) -> Resource:
        type_, _, name = address.partition(".")
        body = self.document.get("resource", {}).get(type_, {}).get(name)
        if body is None:
            raise AssertionError(f"{address} is not in the plan")
        return Resource(type_, name, body)

    @property
    def outputs(self) -> dict[str, Any]:
        return {name: block.get("value") for name, block in self.document.get("output", {}).items()}

    def output(self, name: str) -> dict:
        return self.document.get("output", {}).get(name, {})

    def dependencies(self, resource: Resource) -> list[Resource]:
        """The resources named in the resource's explicit `depends_on`."""
        return [self.resource(address) for address in resource.get("depends_on", [])]
