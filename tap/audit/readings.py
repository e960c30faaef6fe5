"""What a check read, as the report shows it: each value whole, secrets redacted, a boot script as its
digest; for a graph check, also the resources connected to the one it judged, with what it read on them.

A graph check judges a resource by what is attached to it (a bucket by its public access block, a web ACL
by its logging configuration). Connected, as checkov's graph has it: one refers to the other.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from tap.audit.judgement import Finding, values_at
from tap.audit.redaction import REDACTED, Redactor
from tap.audit.scan import Scan
from tap.plan import Plan, Resource

# Attribute names whose values never reach a report.
SECRET_NAMES = re.compile(r"(password|passphrase|secret|token|private_key|secret_key)$", re.IGNORECASE)
# Attributes shown only as a digest: a boot script is where credentials end up.
HASHED_NAMES = re.compile(r"user_data(_base64)?$", re.IGNORECASE)


class Reader:
    """What a check read, as text: the keys it evaluated on the resource it judged and, for a graph check,
    the resources of the types its definition names that are connected to it, with those keys on them."""

    def __init__(self, plan: Plan, scan: Scan, redactor: Redactor):
        self._plan, self._checks, self._redactor = plan, scan.checks, redactor
        self._connections = _Connections(plan)

    def __call__(self, finding: Finding) -> dict[str, str]:
        resource = self._plan.block(finding.address)
        keys = [key for key in finding.evaluated_keys if key != "resource_type"]
        check = self._checks.get(finding.check_id)
        if check is None or check.section != "graph":
            return {key: self._shown(key, resource) for key in keys}
        types = tuple(type_ for type_ in check.reads if type_ != resource.type)
        connected = self._connections.of(resource, types)
        elsewhere = {
            f"{other.address}: {key}": self._shown(key, other)
            for other in connected
            for key in keys
            if values_at(other.properties, key)
        }
        own = {
            key: self._shown(key, resource) for key in keys if not any(name.endswith(f": {key}") for name in elsewhere)
        }
        links = {
            f"connected {type_}": ", ".join(other.address for other in connected if other.type == type_)
            for type_ in sorted({other.type for other in connected})
        }
        if types and not connected:
            links = {f"connected {' or '.join(types)}": "(none in the plan)"}
        return {**own, **links, **elsewhere}

    def _shown(self, key: str, resource: Resource) -> str:
        return _shown(key, resource.properties, self._redactor)


class _Connections:
    def __init__(self, plan: Plan):
        self._texts = {resource.address: (resource, json.dumps(resource.properties)) for resource in plan.resources()}

    def of(self, resource: Resource, types: tuple[str, ...]) -> list[Resource]:
        """The resources of `types` that refer to `resource`, or that it refers to."""
        own = self._texts[resource.address][1]
        return [
            other
            for other, text in self._texts.values()
            if other.type in types
            and other.address != resource.address
            and (f"${{{resource.address}." in text or f"${{{other.address}." in own)
        ]


def _shown(key: str, properties: dict, redactor: Redactor) -> str:
    """The value at a checkov key path (`a/[0]/b`, `a/*/b`) as text, whole: secrets redacted, by
    name or by value; user_data as its digest."""
    values = values_at(properties, key)
    if not values:
        return "(not set on this resource)"
    name = key.rsplit("/", 1)[-1]
    if SECRET_NAMES.search(name) or redactor.touches(values):
        return REDACTED
    if HASHED_NAMES.search(name):
        return ", ".join(f"sha256:{hashlib.sha256(_text(value).encode()).hexdigest()}" for value in values)
    return ", ".join(_text(value) for value in values)


def _text(value: Any) -> str:
    """A plan value as text; a block as compact JSON, so the assessor sees what the check read."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return json.dumps(_masked(value), ensure_ascii=False, default=str)
    if isinstance(value, list):
        return f"[{', '.join(_text(item) for item in value)}]"
    return str(value)


def _masked(value: Any) -> Any:
    """`value` with what a key inside it names as a secret redacted, and a boot script as its digest, deeply."""
    if isinstance(value, dict):
        return {key: _masked_entry(str(key), item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def _masked_entry(key: str, value: Any) -> Any:
    if SECRET_NAMES.search(key):
        return REDACTED
    if HASHED_NAMES.search(key):
        return f"sha256:{hashlib.sha256(_text(value).encode()).hexdigest()}"
    return _masked(value)
