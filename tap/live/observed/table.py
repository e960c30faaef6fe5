"""What the account shows of each planned resource, attribute by attribute, compared with the plan.

For each resource type the stack plans, a `Kind` says how to find a planned resource in the
account (`describe`: its description, assembled from the describe calls the read-only guard
allows), how to read each Terraform attribute from that description in Terraform's shape
(`attributes`), which attributes other resources refer to (`exports`: id, arn, name...), and
which attributes no AWS API shows, each with the reason (`unobservable`). Every attribute a
plan sets is in one of the two maps (tests/unit/test_live_table.py), so "not checked live" is a
decision written down, never an omission.

The `Observer` compares a planned resource with its description: each planned value, its
references (`${aws_kms_key.data.arn}`) resolved to the live values of the resources they name,
against what the account shows. Policy documents are compared by meaning
(tap/live/documents.py), nested blocks by the keys the plan sets, sets in any order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from tap.live.documents import canonical
from tap.plan import Plan, Resource

# Terraform's meta-arguments: they configure Terraform, not the resource, so no account shows them.
META = frozenset({"//", "count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"})

REFERENCE = re.compile(r"\$\{([^}]+)\}")

Read = Callable[[Any], Any]  # a description -> one attribute's value in Terraform's shape


class Absent(Exception):
    """The account's description has no such field: the attribute is not set there."""


class Unresolvable(Exception):
    """A planned value refers to something the table cannot read from the account."""


@dataclass(frozen=True)
class Kind:
    """How the account shows one Terraform resource type."""

    # (observer, planned resource) -> its description in the account, or None when the account has none.
    describe: Callable[[Observer, Resource], Any]
    attributes: Mapping[str, Read]
    # attribute -> why no AWS API shows it (the README lists these).
    unobservable: Mapping[str, str] = field(default_factory=dict)
    # what other resources refer to: `${aws_lb.alb.arn}` -> exports["arn"](description)
    exports: Mapping[str, Read] = field(default_factory=dict)
    # attribute -> what the emulator (moto) does not keep of it: compared against an AWS account only, and
    # every run against an emulated account names what it left uncompared (`Observer.uncompared`).
    beyond_emulator: Mapping[str, str] = field(default_factory=dict)
    # Attributes AWS sets when the resource is created and never changes in place (a bucket's name, a
    # subnet's CIDR): their drift is the resource replaced, which a mutant deleting the resource stands for.
    fixed: frozenset[str] = frozenset()
    # attribute -> the value the AWS provider's schema gives it when the plan leaves it out (its Default): a
    # second `terraform plan` would set it back, so the account must hold it as if the plan said so.
    defaults: Mapping[str, Any] = field(default_factory=dict)


def at(path: str, convert: Callable[[Any], Any] = lambda value: value) -> Read:
    """A reader of the field at `path` (`LoadBalancer.Scheme`; `Tags[]`), converted; Absent when missing."""

    def read(description: Any) -> Any:
        value = description
        for key in path.split("."):
            if not isinstance(value, Mapping) or value.get(key) is None:
                raise Absent(path)
            value = value[key]
        return convert(value)

    return read


def tag_map(tags: list[dict[str, str]]) -> dict[str, str]:
    """AWS's `[{"Key": k, "Value": v}]` as Terraform's map; AWS's own `aws:` tags are not the stack's."""
    return {tag["Key"]: tag["Value"] for tag in tags if not tag["Key"].startswith("aws:")}


def unless_missing(call: Callable[[], Any], *codes: str) -> Any:
    """What a describe call answers, or None when AWS answers one of `codes`: there is no such resource."""
    try:
        return call()
    except ClientError as error:
        if error.response["Error"]["Code"] in codes:
            return None
        raise


def document(value: str | dict) -> dict:
    """A policy document, as JSON text or decoded, in the canonical form (compared by meaning)."""
    return canonical(value)


class Observer:
    """Reads planned resources back from the account, once each, and names every attribute that differs."""

    def __init__(
        self,
        plan: Plan,
        client: Callable[[str], Any],
        account: str,
        kinds: Mapping[str, Kind],
        known: Mapping[str, Any],
        emulated: bool = False,
    ):
        self.plan = plan
        self.client = client  # service -> a read-only client
        self.account = account
        self.region = plan.region
        self.kinds = kinds
        # Whole references the plan makes to what is not a planned resource (the deployment suffix, data sources).
        self.known = known
        self.emulated = emulated
        self._descriptions: dict[str, Any] = {}

    def description(self, resource: Resource) -> Any:
        if resource.address not in self._descriptions:
            self._descriptions[resource.address] = self.kinds[resource.type].describe(self, resource)
        return self._descriptions[resource.address]

    def value(self, resource: Resource, key: str) -> Any:
        """A planned attribute with its references resolved to live values: a name as the account knows it."""
        return self.resolve(resource[key])

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, str):
            return value
        whole = REFERENCE.fullmatch(value)
        if whole:  # a whole reference keeps the type of what it names (a list of ids, a number)
            return self._referenced(whole.group(1))
        return REFERENCE.sub(lambda match: str(self._referenced(match.group(1))), value)

    def _referenced(self, reference: str) -> Any:
        if reference in self.known:
            return self.known[reference]
        address, _, attribute = reference.rpartition(".")
        type_ = address.split(".")[0]
        kind = self.kinds.get(type_)
        if kind is None or attribute not in kind.exports:
            raise Unresolvable(f"${{{reference}}}: the live table reads no {attribute!r} of a {type_}")
        description = self.description(self.plan.resource(address))
        if description is None:
            raise Unresolvable(f"${{{reference}}}: {address} is not in the account")
        try:
            return kind.exports[attribute](description)
        except Absent:
            raise Unresolvable(f"${{{reference}}}: {address} shows no {attribute} in the account") from None

    def drifts(self, resource: Resource) -> list[str]:
        """Each planned attribute the account shows otherwise, named; empty when the account matches the plan."""
        kind = self.kinds[resource.type]
        skipped = set(kind.unobservable) | set(self.uncompared(resource)) | ignored_changes(resource)
        compared = {key: value for key, value in self._planned(resource).items() if key not in META | skipped}
        try:  # asked even when nothing can be compared: a resource gone is a drift whatever its attributes
            description = self.description(resource)
        except Unresolvable as error:
            return [f"not evaluated: {resource.address}: {error}"]
        if description is None:
            return [f"drift: {resource.address} is not in the account"]
        found = []
        for attribute, planned in compared.items():
            found += self._attribute(resource, attribute, planned, kind.attributes.get(attribute), description)
        return found

    def uncompared(self, resource: Resource) -> dict[str, str]:
        """The planned attributes this run cannot compare, with why: what an emulated account does not keep."""
        if not self.emulated:
            return {}
        planned = self._planned(resource)
        return {a: why for a, why in self.kinds[resource.type].beyond_emulator.items() if a in planned}

    def _planned(self, resource: Resource) -> dict[str, Any]:
        """The resource's attributes as the account should hold them: the provider's defaults for what the plan
        leaves out, its tags with the provider's default tags."""
        properties = {**self.kinds[resource.type].defaults, **resource.properties}
        if "tags" in properties:
            return {**properties, "tags": {**self.plan.default_tags, **properties["tags"]}}
        return properties

    def _attribute(self, resource: Resource, attribute: str, planned: Any, read: Read | None, description: Any):
        what = f"{resource.address}.{attribute}"
        if read is None:
            return [f"not evaluated: {what}: the live table neither reads it nor says why it cannot"]
        try:
            expected = self.resolve(planned)
        except Unresolvable as error:
            return [f"not evaluated: {what}: {error}"]
        try:
            actual = read(description)
        except Absent:
            return [f"drift: {what} is not set in the account, the plan says {expected!r}"]
        if not matches(expected, actual):
            return [f"drift: {what} is {actual!r} in the account, the plan says {expected!r}"]
        return []


def ignored_changes(resource: Resource) -> set[str]:
    """What the plan tells Terraform to leave as the account has it (`lifecycle.ignore_changes`: a group's desired
    capacity, which its schedules move): no drift, whatever the account holds."""
    lifecycle = resource.properties.get("lifecycle") or {}
    return set(lifecycle.get("ignore_changes") or [])


def matches(planned: Any, actual: Any) -> bool:
    """The account holds what the plan says: the planned keys of a block, and no nested block the plan does not
    declare (an expiration added to a lifecycle rule); a set's members in any order; policy documents and other
    JSON objects by meaning; scalars by their text (`true` is `"true"`, `30` is `"30"`). A scalar the plan leaves
    out is AWS's default, not a drift."""
    if isinstance(planned, Mapping):
        return (
            isinstance(actual, Mapping)
            and all(key in actual and matches(value, actual[key]) for key, value in planned.items())
            and not any(_is_block(value) for key, value in actual.items() if key not in planned)
        )
    if isinstance(planned, list):
        return isinstance(actual, list) and len(planned) == len(actual) and _pairs(planned, list(actual))
    if isinstance(planned, str) and _is_document(planned):
        return isinstance(actual, (str, Mapping)) and document(planned) == document(actual)
    if isinstance(planned, str) and _json_object(planned) is not None:  # an event pattern, a document's content
        return _json_object(actual if isinstance(actual, str) else json.dumps(actual)) == _json_object(planned)
    return _text(planned) == _text(actual)


def _is_block(value: Any) -> bool:
    """A nested configuration block as the table reads it: a non-empty object or list of objects."""
    if isinstance(value, list):
        return bool(value) and all(isinstance(item, Mapping) for item in value)
    return isinstance(value, Mapping) and bool(value)


def _pairs(planned: list, actual: list) -> bool:
    """Each planned element matches a different element of the account's list."""
    for item in planned:
        match = next((index for index, candidate in enumerate(actual) if matches(item, candidate)), None)
        if match is None:
            return False
        actual.pop(match)
    return True


def _is_document(text: str) -> bool:
    parsed = _json_object(text)
    return parsed is not None and "Statement" in parsed


def _json_object(text: str) -> dict | None:
    """The JSON object a text holds (AWS may give it back in another layout), or None when it holds none."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def snake(value: Any, renamed: Mapping[str, str] | None = None) -> Any:
    """An API's nested block with Terraform's keys: `HttpPutResponseHopLimit` -> `http_put_response_hop_limit`;
    `renamed` gives the keys Terraform spells otherwise (`CloudWatchMetricsEnabled` -> `cloudwatch_...`)."""
    renamed = renamed or {}
    if isinstance(value, Mapping):
        return {renamed.get(key) or _snake_key(key): snake(item, renamed) for key, item in value.items()}
    if isinstance(value, list):
        return [snake(item, renamed) for item in value]
    return value


def _snake_key(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", key).lower()
