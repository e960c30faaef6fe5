"""Plan mutants, generated from the plan itself: every resource, every attribute.

For each block (resources and data sources) the generator walks the JSON and applies
the operators its values admit: flip a boolean; move a number (0, smaller, larger); swap
an enumeration for another value the provider accepts; widen a CIDR or a port range;
drop an attribute, a nested block or a list element; remove a `depends_on` entry;
unlink a name from the deployment suffix; delete the whole block. Nothing is
hand-picked: a new attribute in the stack gets its mutants without a line here.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tap.mutate.classify import category_of, lesson_of
from tap.mutate.model import Mutant

METADATA = "//"
SECTIONS = ("resource", "data")
CIDR = re.compile(r"\d{1,3}(\.\d{1,3}){3}/\d{1,2}")
SUFFIX_REFERENCE = re.compile(r"\$\{random_id\.[^}]*\}")
ANY_IPV4 = "0.0.0.0/0"
REFERENCE = re.compile(r"(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+")

# Other values the provider accepts, by value: a weaker or different choice than the plan's.
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "gp3": ("gp2",),
    "required": ("optional",),
    "aws:kms": ("AES256",),
    "aws:kms:dsse": ("AES256",),
    "HTTPS": ("HTTP",),
    "https": ("http",),
    "redirect": ("forward",),
    "HTTP_301": ("HTTP_302",),
    "Deny": ("Allow",),
    "Enabled": ("Suspended",),
    "Enable": ("Disable",),
    "ENABLED": ("DISABLED",),
    "GOVERNANCE": ("COMPLIANCE",),
    "ALL": ("REJECT",),
    "BucketOwnerEnforced": ("ObjectWriter",),
    "breaching": ("notBreaching", "missing"),
    "private": ("public-read",),
    "true": ("false",),
    "false": ("true",),
    "SYMMETRIC_DEFAULT": ("RSA_2048",),
    "ENCRYPT_DECRYPT": ("SIGN_VERIFY",),
    "postgres": ("mysql",),
    "TLS_AES_128_GCM_SHA256": ("TLS_RSA_WITH_AES_128_CBC_SHA",),
}
# By the attribute's own name, where the value alone does not say what it is.
ATTRIBUTE_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "ssl_policy": ("ELBSecurityPolicy-2016-08",),
    "engine_version": ("11.22",),
    "instance_class": ("db.t2.micro",),
    "instance_type": ("t2.micro",),
    "protocol": ("-1",),
    "ip_protocol": ("-1",),
    "load_balancer_type": ("network",),
    "scheme": ("internet-facing",),
    "internal": ("false",),
    "storage_type": ("standard",),
    "http_endpoint": ("disabled",),
    "minimum_protocol_version": ("TLSv1",),
    "actions": ("*",),
    "resources": ("*",),
    "identifiers": ("*",),
}


@dataclass(frozen=True)
class PlanMutant:
    """A mutant and where it changes the plan: the block and the path inside it."""

    mutant: Mutant
    section: str  # "resource" or "data"
    type: str
    name: str
    path: tuple[str | int, ...]  # () with operator "delete": the whole block
    value: Any = None  # the new value ("drop" and "delete" have none)


def generate(document: dict, deployment: str, only: set[str] | None = None) -> list[PlanMutant]:
    """Every mutant of every block in the plan (or only of the addresses in `only`).

    A block that others reference is never deleted: Terraform rejects a reference to a block
    that is gone, so that mutant could not be deployed to be caught.
    """
    referenced = set().union(*references(document).values())
    found = []
    for section, type_, name, body in blocks(document):
        address = address_of(section, type_, name)
        if only is not None and address not in only:
            continue
        if address not in referenced:
            found.append(_whole_block(deployment, section, type_, name))
        for path, value, parent in _leaves_and_branches(body):
            for operator, new, detail in _changes(path, value, parent):
                found.append(_mutant(deployment, section, type_, name, path, operator, new, detail))
    return found


def blocks(document: dict) -> Iterator[tuple[str, str, str, dict]]:
    for section in SECTIONS:
        for type_, by_name in document.get(section, {}).items():
            for name, body in by_name.items():
                yield section, type_, name, body


def apply(document: dict, mutant: PlanMutant) -> dict:
    """A copy of the plan with the mutant's change; only the changed block is copied deeply."""
    mutated = {**document, mutant.section: {**document[mutant.section]}}
    by_name = mutated[mutant.section][mutant.type] = {**document[mutant.section][mutant.type]}
    if not mutant.path:
        del by_name[mutant.name]
        if not by_name:
            del mutated[mutant.section][mutant.type]
        return mutated
    body = by_name[mutant.name] = copy.deepcopy(by_name[mutant.name])
    parent = body
    for key in mutant.path[:-1]:
        parent = parent[key]
    if mutant.mutant.operator in ("drop", "unlink-order"):
        del parent[mutant.path[-1]]
    elif mutant.mutant.operator == "widen-ports":
        parent.update(from_port=0, to_port=65535)
    else:
        parent[mutant.path[-1]] = mutant.value
    return mutated


def address_of(section: str, type_: str, name: str) -> str:
    return f"{type_}.{name}" if section == "resource" else f"data.{type_}.{name}"


def references(document: dict) -> dict[str, set[str]]:
    """Each block's address -> the addresses of the other blocks it references (or depends on)."""
    addresses = {address_of(section, type_, name) for section, type_, name, _ in blocks(document)}
    return {
        address_of(section, type_, name): {match for match in REFERENCE.findall(json.dumps(body)) if match in addresses}
        - {address_of(section, type_, name)}
        for section, type_, name, body in blocks(document)
    }


def _mutant(deployment, section, type_, name, path, operator, value, detail) -> PlanMutant:
    attribute = ".".join(str(key) for key in path)
    mutant = Mutant(
        kind="plan",
        deployment=deployment,
        target=address_of(section, type_, name),
        operator=operator,
        attribute=attribute,
        detail=detail,
        category=category_of(type_, attribute, operator),
        lesson=lesson_of(type_, attribute, operator),
    )
    return PlanMutant(mutant, section, type_, name, path, value)


def _whole_block(deployment: str, section: str, type_: str, name: str) -> PlanMutant:
    return _mutant(deployment, section, type_, name, (), "delete", None, "the whole block")


def _leaves_and_branches(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any, Any]]:
    """Every (path, value, parent) below a block, depth first; the metadata block is not the plan's."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if key == METADATA:
            continue
        yield (*path, key), value, node
        yield from _leaves_and_branches(value, (*path, key))


def _changes(path: tuple, value: Any, parent: Any) -> Iterator[tuple[str, Any, str]]:
    """(operator, new value, detail) for one value of a block."""
    key = next((part for part in reversed(path) if isinstance(part, str)), "")
    if path[0] == "depends_on" and len(path) == 2:
        yield "unlink-order", None, f"no longer waits for {value}"
        return
    if value not in ("", None, [], {}):  # dropping what is unset changes nothing
        yield "drop", None, "removed"
    if isinstance(value, bool):
        yield "flip", not value, f"{str(value).lower()} -> {str(not value).lower()}"
    elif isinstance(value, (int, float)):
        yield from _numbers(value)
    elif isinstance(value, str):
        yield from _strings(key, value)
    if key == "from_port" and isinstance(parent, dict) and "to_port" in parent:
        yield from _widen_ports(parent)


def _numbers(value: float) -> Iterator[tuple[str, Any, str]]:
    seen = {value}
    for operator, new in (("zero", 0), ("smaller", value // 2 if value > 1 else value - 1), ("larger", value * 2 or 1)):
        if new not in seen:  # 1's "smaller" is 0: one mutant, not two of the same plan
            seen.add(new)
            yield operator, new, f"{value} -> {new}"


def _strings(key: str, value: str) -> Iterator[tuple[str, Any, str]]:
    if CIDR.fullmatch(value) and value != ANY_IPV4:
        yield "widen", ANY_IPV4, f"{value} -> {ANY_IPV4}"
    if SUFFIX_REFERENCE.search(value):
        fixed = SUFFIX_REFERENCE.sub("static", value)
        yield "unlink-suffix", fixed, f"{value} -> {fixed}"
    for new in (*ALTERNATIVES.get(value, ()), *ATTRIBUTE_ALTERNATIVES.get(key, ())):
        if new != value:
            yield "swap", new, f"{value} -> {new}"


def _widen_ports(rule: dict) -> Iterator[tuple[str, Any, str]]:
    """A rule's port range opened to every port: one mutant sets both ends."""
    if (rule.get("from_port"), rule.get("to_port")) != (0, 65535):
        yield "widen-ports", None, f"{rule['from_port']}-{rule['to_port']} -> 0-65535"
