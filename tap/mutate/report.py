"""A campaign's result: each layer's score, the defense-in-depth matrix, and every survivor's reason.

The JSON written here is what `tap audit --mutation-results` folds into the compliance
report, and what the nightly keeps with the reports.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stack.contract import PROJECT_ROOT
from tap import documents
from tap.audit.bundle import SIGNATURE_KIND as SEAL
from tap.audit.bundle import folder_digests, sha256_file
from tap.documents import Kind, MiB
from tap.errors import UsageError
from tap.files import write_atomically
from tap.mutate.model import CATEGORIES, CATEGORY_FAMILIES, LAYERS, LESSONS, Outcome
from tap.mutate.survivors import SURVIVORS_FILE, Explanation, explain

FORMAT = "tap-mutation/1"
RESULT = Kind("the mutation results", "json", "mutation", max_bytes=64 * MiB, remedy=": run `tap mutate`")
# Non-equivalent mutants each kind of layer must kill (issue targets).
TARGETS = {"plan": 0.95, "account": 0.90}
SUITE_PARTS = (PROJECT_ROOT / "policies", PROJECT_ROOT / "tests" / "unit", PROJECT_ROOT / "tests" / "integration")


def result(outcomes: list[Outcome], explanations: list[Explanation], campaign: dict) -> dict:
    judged = [(outcome, explain(outcome.mutant.id, explanations) if outcome.survived else None) for outcome in outcomes]
    return {
        "format": FORMAT,
        "campaign": campaign,
        "scores": {kind: _score(kind, judged) for kind in TARGETS if any(o.mutant.kind == kind for o, _ in judged)},
        "matrix": matrix(outcomes),
        "survivors": [
            {
                "id": outcome.mutant.id,
                "category": outcome.mutant.category,
                "verdict": explanation.verdict if explanation else "unexplained",
                "reason": explanation.reason if explanation else "",
            }
            for outcome, explanation in judged
            if outcome.survived
        ],
        "idle_explanations": _idle(explanations, judged),
        "outcomes": [
            {**asdict(outcome.mutant), "id": outcome.mutant.id, "killed": outcome.killed} for outcome in outcomes
        ],
    }


def _idle(explanations: list[Explanation], judged: list[tuple[Outcome, Explanation | None]]) -> list[str]:
    """Entries for the kinds run that explained no survivor: killed since, or shadowed by an earlier entry."""
    used = {why for _, why in judged if why is not None}
    kinds = {outcome.mutant.kind for outcome, _ in judged}
    return [
        item.match
        for item in explanations
        if item not in used and any(fnmatch.fnmatchcase(kind, item.match.split(":", 1)[0]) for kind in kinds)
    ]


def _score(kind: str, judged: list[tuple[Outcome, Explanation | None]]) -> dict:
    """`score`: killed over every non-equivalent mutant (irrelevant survivors count against it);
    `relevant_score`: killed over the mutants that are neither equivalent nor irrelevant."""
    mine = [(outcome, why) for outcome, why in judged if outcome.mutant.kind == kind]
    equivalent = sum(1 for _, why in mine if why and why.verdict == "equivalent")
    irrelevant = sum(1 for _, why in mine if why and why.verdict == "irrelevant")
    killed = sum(1 for outcome, _ in mine if not outcome.survived)
    counted = len(mine) - equivalent
    return {
        "mutants": len(mine),
        "equivalent": equivalent,
        "killed": killed,
        "irrelevant": irrelevant,
        "unexplained": sum(1 for outcome, why in mine if outcome.survived and why is None),
        "score": _ratio(killed, counted),
        "relevant_score": _ratio(killed, counted - irrelevant),
        "target": TARGETS[kind],
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def matrix(outcomes: Iterable[Outcome]) -> dict:
    """Rows: misconfiguration classes, then the field report's lessons; columns: layers (and any)."""
    rows = {category: [] for category in CATEGORIES}
    rows.update({_lesson_row(number): [] for number in LESSONS})
    for outcome in outcomes:
        rows[outcome.mutant.category].append(outcome)
        if outcome.mutant.lesson:
            rows[_lesson_row(outcome.mutant.lesson)].append(outcome)
    return {
        "layers": [*LAYERS, "any"],
        "rows": [{"row": name, "cells": _cells(members)} for name, members in rows.items() if members],
    }


def families(outcomes: Iterable[dict]) -> list[dict]:
    """The campaign by PCI DSS principal requirement: per family, how many mutants ran (the sample), how
    many the suite killed, that rate's 95% interval, and what each layer killed of those it ran.
    `family` None gathers the misconfigurations that threaten no requirement of the standard."""
    rows: dict[int | None, list[dict]] = {}
    for outcome in outcomes:
        rows.setdefault(CATEGORY_FAMILIES.get(outcome["category"]), []).append(outcome)
    return [
        {
            "family": family,
            "categories": sorted({outcome["category"] for outcome in members}),
            "mutants": len(members),
            "killed": (killed := sum(1 for outcome in members if any(outcome["killed"].values()))),
            "interval": wilson_interval(killed, len(members)),
            "layers": {
                layer: [sum(1 for o in ran if o["killed"][layer]), len(ran)]
                for layer in LAYERS
                if (ran := [outcome for outcome in members if layer in outcome["killed"]])
            },
        }
        for family, members in sorted(rows.items(), key=lambda item: (item[0] is None, item[0] or 0))
    ]


def wilson_interval(successes: int, trials: int, z: float = 1.959964) -> list[float]:
    """The Wilson score interval of a proportion at 95%: unlike the normal approximation it stays within
    0 and 1 and holds for the small samples a family can have (Wilson 1927; Brown, Cai, DasGupta 2001)."""
    share = successes / trials
    middle = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return [round(max(0.0, middle - half), 4), round(min(1.0, middle + half), 4)]


def _lesson_row(number: int) -> str:
    return f"field report {number}: {LESSONS[number]}"


def _cells(members: list[Outcome]) -> dict:
    cells = {}
    for layer in LAYERS:
        ran = [outcome for outcome in members if layer in outcome.killed]
        cells[layer] = _cell(len(ran), sum(1 for outcome in ran if outcome.killed[layer])) if ran else None
    cells["any"] = _cell(len(members), sum(1 for outcome in members if not outcome.survived))
    return cells


def _cell(ran: int, killed: int) -> dict:
    return {"mutants": ran, "killed": killed, "rate": round(killed / ran, 4)}


def failures(report: dict, full: bool) -> list[str]:
    """Why the campaign fails: no mutant run, unexplained survivors, and (a full campaign only) a score
    under target or an entry of the survivors file that explains nothing."""
    if not report["outcomes"]:
        return ["no mutant was run: nothing was measured"]
    problems = [
        f"{item['id']} survived, unexplained" for item in report["survivors"] if item["verdict"] == "unexplained"
    ]
    if full:
        problems += [
            f"survivors file entry {match!r} explains no survivor: remove it, or it would hide the next survivor "
            "of its shape"
            for match in report["idle_explanations"]
        ]
        for kind, score in report["scores"].items():
            if score["score"] is not None and score["score"] < score["target"]:
                problems.append(f"{kind} mutants: {score['score']:.1%} killed, under the {score['target']:.0%} target")
    return problems


def text(report: dict) -> list[str]:
    """The campaign for a person: each layer's score, the matrix, every survivor; one string a line."""
    lines = []
    for kind, score in report["scores"].items():
        rate = "n/a" if score["score"] is None else f"{score['score']:.1%}"
        relevant = "n/a" if score["relevant_score"] is None else f"{score['relevant_score']:.1%}"
        lines.append(
            f"{kind} mutants: {score['mutants']}, killed {score['killed']}, equivalent {score['equivalent']}, "
            f"irrelevant {score['irrelevant']}, unexplained {score['unexplained']}: {rate} of the non-equivalent "
            f"killed (target {score['target']:.0%}), {relevant} of those neither equivalent nor irrelevant"
        )
    layers = report["matrix"]["layers"]
    width = max((len(row["row"]) for row in report["matrix"]["rows"]), default=10)
    lines += ["", f"{'':{width}}  " + "  ".join(f"{layer:>14}" for layer in layers)]
    for row in report["matrix"]["rows"]:
        cells = [_cell_text(row["cells"][layer]) for layer in layers]
        lines.append(f"{row['row']:{width}}  " + "  ".join(f"{cell:>14}" for cell in cells))
    lines += ["", f"survivors ({len(report['survivors'])}):"]
    lines += [
        f"  {item['id']}: {item['verdict']}" + (f" ({item['reason']})" if item["reason"] else "")
        for item in report["survivors"]
    ]
    return lines


def _cell_text(cell: dict | None) -> str:
    return "-" if cell is None else f"{cell['killed']}/{cell['mutants']} {cell['rate']:.0%}"


def suite_digest(survivors_file: Path = SURVIVORS_FILE) -> str:
    """SHA-256 over what judges the mutants: the policies, the unit and live suites, and the survivors
    file the campaign explained its survivors with (the project's, for the audit that reads a result)."""
    digests = {
        f"{folder.name}/{name}": digest
        for folder in SUITE_PARTS
        for name, digest in folder_digests(folder).items()
        if "__pycache__" not in name.split("/")
    }
    digests[SURVIVORS_FILE.name] = sha256_file(survivors_file)
    return hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()


def read_result(path: Path) -> tuple[dict, bytes]:
    """A campaign result for `tap audit`, and its bytes: a `tap mutate` result of this very version of
    the suite, whose counts agree with each other (its seal, not its content, says `tap mutate` wrote it)."""
    data = documents.read_bytes(path, RESULT)
    found = documents.parse(data, RESULT, path)
    if found["campaign"]["suite_sha256"] != suite_digest():
        raise UsageError(
            f"{path} measured another version of the suite (its policies, tests or survivors file differ "
            "from these): run `tap mutate` again"
        )
    problem = _count_problem(found)
    if problem:
        raise UsageError(f"the mutation results {path} do not add up ({problem}): run `tap mutate` again")
    return found, data


def _count_problem(found: dict) -> str | None:
    """Where the result's counts contradict each other, or None."""
    for kind, score in found["scores"].items():
        parts = score["killed"] + score["equivalent"] + score["unexplained"]
        if parts > score["mutants"] or score["irrelevant"] > score["mutants"] - score["killed"]:
            return f"the {kind} score counts more mutants killed or explained than were run"
        if score["score"] != _ratio(score["killed"], score["mutants"] - score["equivalent"]):
            return f"the {kind} score is not its killed over its non-equivalent mutants"
    for kind, score in found["scores"].items():
        mine = [outcome for outcome in found["outcomes"] if outcome["kind"] == kind]
        if (len(mine), sum(1 for outcome in mine if any(outcome["killed"].values()))) != (
            score["mutants"],
            score["killed"],
        ):
            return f"the {kind} score counts other mutants than its outcomes"
    for row in found["matrix"]["rows"]:
        if set(row["cells"]) != set(found["matrix"]["layers"]):
            return f"the row {row['row']!r} has cells for other layers than the matrix's"
        for layer, cell in row["cells"].items():
            if cell is not None and cell != _cell(cell["mutants"], min(cell["killed"], cell["mutants"])):
                return f"the row {row['row']!r} has more {layer} mutants killed than run, or a rate that is not theirs"
    return None


def seal(path: Path, key: Ed25519PrivateKey) -> None:
    """Sign a result as a report's manifest is signed: its bytes, the signature beside it."""
    write_atomically(_seal_path(path), key.sign(Path(path).read_bytes()).hex() + "\n", "campaign result's signature")


def verification(path: Path, data: bytes, key: Ed25519PrivateKey | None) -> str | None:
    """None when the result's seal is the audit's own key's; else why it is unverified."""
    if key is None:
        return "no --sign-key to check its seal with"
    seal_path = _seal_path(path)
    if not seal_path.exists():
        return f"it is not sealed ({seal_path.name} is missing: run `tap mutate --sign-key`)"
    try:
        signature = bytes.fromhex(documents.read_bytes(seal_path, SEAL).decode().strip())
        key.public_key().verify(signature, data)
    except (UsageError, ValueError, InvalidSignature):
        return f"its seal ({seal_path.name}) is not the signing key's signature of it"
    return None


def _seal_path(path: Path) -> Path:
    return Path(path).with_name(f"{Path(path).name}.sig")


def summary(campaign: tuple[dict, bytes], path: Path, key: Ed25519PrivateKey | None) -> dict:
    """What the compliance report carries of a campaign: scores, matrix, survivors by verdict, and
    whether its seal proves `tap mutate` wrote it (unverified, it is shown as a claim, never evidence)."""
    found, data = campaign
    verdicts = [item["verdict"] for item in found["survivors"]]
    unverified = verification(path, data, key)
    return {
        "result_sha256": hashlib.sha256(data).hexdigest(),
        "verified": unverified is None,
        "verification": f"unverified: {unverified}" if unverified else "sealed with the audit's signing key",
        "campaign": found["campaign"],
        "scores": found["scores"],
        "matrix": found["matrix"],
        "families": families(found["outcomes"]),
        "survivors": {verdict: verdicts.count(verdict) for verdict in ("equivalent", "irrelevant", "unexplained")},
    }
