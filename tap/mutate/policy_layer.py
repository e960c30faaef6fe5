"""The policy layer's verdict on plan mutants: the audit's checks (ours and checkov's), batched.

Scanning a whole plan per mutant would cost a second each, so each mutant is scanned in
its neighbourhood: the mutated block, the blocks it references and that reference it,
and what those reference (a bucket, its companions, their key and policy documents).
Next to it, the same neighbourhood unmutated is scanned as its control. A mutant is
killed when some check fails on it that does not fail on its control: a finding the
audit did not already have (waived, or failing for lack of a block outside the
neighbourhood) is new, so the comparison is fair whatever the pruning left out.

Many neighbourhoods share one plan file, each under names of its own (`<name>__<tag>`,
references rewritten), so one checkov process scans hundreds of them per run.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from tap.audit.scan import scan
from tap.mutate.plan_mutants import PlanMutant, address_of, apply, blocks, references

KEPT_SECTIONS = ("terraform", "provider")  # the settings every neighbourhood needs; outputs are not checked
TAG = "__"
UNITS_PER_FILE = 60


def policy_verdicts(
    documents: dict[str, dict], mutants: list[PlanMutant], folder: Path, shards: int = 2
) -> dict[str, str | None]:
    """{mutant id: "CHECK on address" of a new failure, or None}."""
    graphs = {deployment: Graph(document) for deployment, document in documents.items()}
    units: dict[str, tuple[str, dict]] = {}  # tag -> (deployment, a plan fragment)
    controls: dict[tuple[str, str], str] = {}
    for index, mutant in enumerate(mutants):
        key = (mutant.mutant.deployment, mutant.mutant.target)
        graph = graphs[key[0]]
        if key not in controls:
            controls[key] = f"c{len(controls)}"
            units[controls[key]] = key[0], graph.fragment(key[1], graph.document, controls[key])
        mutated = graph.fragment(key[1], apply(graph.document, mutant), f"m{index}")
        units[f"m{index}"] = key[0], mutated
    failures = _failures(units, documents, folder, shards)
    verdicts = {}
    for index, mutant in enumerate(mutants):
        control = controls[mutant.mutant.deployment, mutant.mutant.target]
        new = sorted(failures[f"m{index}"] - failures[control])
        verdicts[mutant.mutant.id] = f"{new[0][0]} on {new[0][1]}" if new else None
    return verdicts


class Graph:
    """Which blocks of a plan reference which: the neighbourhoods are cut from it."""

    def __init__(self, document: dict):
        self.document = document
        self.outgoing = references(document)
        self.incoming: dict[str, set[str]] = defaultdict(set)
        for address, named in self.outgoing.items():
            for target in named:
                self.incoming[target].add(address)

    def neighbourhood(self, address: str) -> set[str]:
        near = {address, *self.outgoing.get(address, ()), *self.incoming.get(address, ())}
        return near.union(*(self.outgoing.get(other, ()) for other in near))

    def fragment(self, address: str, document: dict, tag: str) -> dict:
        """The neighbourhood of `address` cut from `document` (the plan or a mutant of it), renamed by `tag`."""
        near = self.neighbourhood(address)
        fragment: dict = {}
        for section, type_, name, body in blocks(document):
            if address_of(section, type_, name) in near:
                fragment.setdefault(section, {}).setdefault(type_, {})[f"{name}{TAG}{tag}"] = body
        return _renamed_references(fragment, near, tag)


def _renamed_references(fragment: dict, addresses: Iterable[str], tag: str) -> dict:
    """Every reference to a block of the neighbourhood now names its tagged copy."""
    names = sorted((address.removeprefix("data.") for address in addresses), key=len, reverse=True)
    if not names:
        return fragment
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])")
    return json.loads(pattern.sub(lambda match: f"{match.group(1)}{TAG}{tag}", json.dumps(fragment)))


def _failures(
    units: dict[str, tuple[str, dict]], documents: dict[str, dict], folder: Path, shards: int
) -> dict[str, set[tuple[str, str]]]:
    """{tag: {(check id, address without its tag), ...} that failed}, from batched plan files."""
    folder.mkdir(parents=True, exist_ok=True)
    by_deployment = defaultdict(list)
    for tag, (deployment, _) in units.items():
        by_deployment[deployment].append(tag)
    files = []
    for deployment, tags in by_deployment.items():
        settings = {
            section: documents[deployment][section] for section in KEPT_SECTIONS if section in documents[deployment]
        }
        for start in range(0, len(tags), UNITS_PER_FILE):
            path = folder / f"{deployment}-{start // UNITS_PER_FILE:04d}.tf.json"
            path.write_text(
                json.dumps(_merged(settings, [units[tag][1] for tag in tags[start : start + UNITS_PER_FILE]]))
            )
            files.append(path)
    failed: dict[str, set[tuple[str, str]]] = {tag: set() for tag in units}
    for findings in scan(files, shards=shards).findings.values():
        for finding in findings:
            address, _, tag = finding.address.rpartition(TAG)
            if finding.result in ("FAILED", "NOT_EVALUATED") and tag in failed:  # either fails the audit
                failed[tag].add((finding.check_id, address))
    return failed


def _merged(settings: dict, fragments: list[dict]) -> dict:
    merged = dict(settings)
    for fragment in fragments:
        for section, by_type in fragment.items():
            for type_, by_name in by_type.items():
                merged.setdefault(section, {}).setdefault(type_, {}).update(by_name)
    return merged
