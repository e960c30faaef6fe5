"""A plan given on the command line, read the one safe way: each way it can be wrong is one sentence.

Only the shapes the plan model reads are checked (stack metadata, blocks of resources and
data sources with their `"//"` metadata, providers' default tags, outputs), so a malformed
file stops a command with a UsageError before anything indexes into it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tap import documents
from tap.documents import Kind, MiB, kind_of
from tap.errors import UsageError
from tap.plan import METADATA, Plan

# A Terraform block type or name.
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


# A plan of every resource the stack makes is under 1 MiB; a plan larger than this is no plan of ours.
PLAN = Kind("the plan", "json", max_bytes=64 * MiB, remedy=": pass a cdk.tf.json")


def read_plan(path: Path, shown: Path | None = None) -> Plan:
    """A plan given on the command line: bad input is one sentence (a UsageError), never a traceback.

    `shown` is the path the sentence names when `path` is a private copy of it (tap audit's snapshot).
    """
    shown = shown or path
    plan = Plan(documents.read(path, PLAN, shown), str(shown))
    problem = _shape_problem(plan.document)
    if problem:
        raise UsageError(f"{shown} is not a CDKTF plan: {problem}")
    return plan


def _shape_problem(document: Any) -> str | None:
    """What keeps a JSON document from being read as a plan (as a clause), or None.

    Only the shapes the plan model reads: stack metadata, blocks of resources and data
    sources with their `"//"` metadata, providers (default tags) and outputs.
    """
    if not isinstance(document, dict):
        return f"it is {kind_of(document)}, not an object"
    annotations = document.get(METADATA)
    metadata = annotations.get("metadata") if isinstance(annotations, dict) else None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("stackName"), str):
        return 'it has no stack metadata ("//".metadata.stackName)'
    for section in ("resource", "data"):
        problem = _section_problem(document, section, "types") or _blocks_problem(document.get(section, {}), section)
        if problem:
            return problem
    return _providers_problem(document) or _outputs_problem(document)


def _section_problem(document: dict, section: str, of: str) -> str | None:
    value = document.get(section, {})
    return None if isinstance(value, dict) else f"`{section}` is {kind_of(value)}, not an object of {of}"


def _blocks_problem(by_type: dict, section: str) -> str | None:
    for type_, by_name in by_type.items():
        if not isinstance(by_name, dict):
            return f"`{section}.{type_}` is {kind_of(by_name)}, not an object of blocks by name"
        for name in (type_, *by_name):
            if not IDENTIFIER.fullmatch(name):
                shown = name.encode("unicode_escape").decode()
                return f"`{section}` names a block '{shown}': Terraform names are letters, digits, _ and -"
        for name, body in by_name.items():
            problem = _body_problem(body, f"{section}.{type_}.{name}")
            if problem:
                return problem
    return None


def _body_problem(body: Any, address: str) -> str | None:
    if not isinstance(body, dict):
        return f"`{address}` is {kind_of(body)}, not an object"
    annotations = body.get(METADATA, {})
    if not isinstance(annotations, dict):
        return f'the "//" of `{address}` is {kind_of(annotations)}, not an object'
    metadata = annotations.get("metadata", {})
    if not isinstance(metadata, dict) or not isinstance(metadata.get("path", ""), str):
        return f'the "//".metadata of `{address}` is not an object with a text path'
    return None


def _providers_problem(document: dict) -> str | None:
    problem = _section_problem(document, "provider", "providers")
    if problem:
        return problem
    for name, configs in document.get("provider", {}).items():
        if not isinstance(configs, list) or not all(isinstance(config, dict) for config in configs):
            return f"`provider.{name}` is not a list of objects"
        for config in configs:
            blocks = config.get("default_tags", [])
            if not isinstance(blocks, list) or not all(_holds_tags(block) for block in blocks):
                return f"the default_tags of `provider.{name}` are not a list of objects with tags"
    return None


def _holds_tags(block: Any) -> bool:
    return isinstance(block, dict) and isinstance(block.get("tags", {}), dict)


def _outputs_problem(document: dict) -> str | None:
    problem = _section_problem(document, "output", "outputs")
    if problem:
        return problem
    for name, block in document.get("output", {}).items():
        if not isinstance(block, dict):
            return f"`output.{name}` is {kind_of(block)}, not an object"
    return None
