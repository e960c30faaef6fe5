"""`tap engines diff`: one deployment's plan by each engine, compared block by block.

For a team moving from CDKTF to CDK Terrain: the plans must be the same resource by
resource. Two differences are expected, and named as such:

- `terraform.required_providers`: each engine's prebuilt providers pin their own
  provider versions (and cdktf writes the AWS provider's source as `aws`, CDK Terrain
  as `hashicorp/aws`, the same registry address);
- `//.metadata.version`: the version of the engine that wrote the plan.

Any other difference (a resource, data source, output, provider configuration, the
backend, the plan's metadata) blocks the move: exit code 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from stack.config import Config
from stack.engines import ENGINES, Engine
from tap.console import say
from tap.plan_file import read_plan
from tap.synth.cache import cached_plan

EXPECTED = {
    "terraform.required_providers": "provider versions: each engine's providers pin their own",
    "//.metadata.version": "the version of the engine that wrote the plan",
}
# How deep a block's address goes in each section: resource.<type>.<name>, output.<name>, ...
_BLOCK_DEPTH = {"resource": 2, "data": 2, "terraform": 2, "//": 2}


class _Absent:
    def __repr__(self) -> str:
        return "absent"


ABSENT = _Absent()


@dataclass(frozen=True)
class Difference:
    address: str
    before: Any  # ABSENT when the block is only in the other plan
    after: Any

    @property
    def expected(self) -> str | None:
        """Why this difference is expected, or None when it is not."""
        for prefix, reason in EXPECTED.items():
            if self.address == prefix or self.address.startswith(f"{prefix}."):
                return reason
        return None

    def describe(self, engines: tuple[str, str]) -> str:
        if self.before is ABSENT or self.after is ABSENT:
            return f"{self.address}: only in {engines[0] if self.after is ABSENT else engines[1]}'s plan"
        changes = list(_changes(self.before, self.after, ""))
        shown = "; ".join(f"{path.lstrip('.')} {_show(old)} -> {_show(new)}".lstrip() for path, old, new in changes[:3])
        return f"{self.address}: {shown}" + (f"; and {len(changes) - 3} more" if len(changes) > 3 else "")


def _changes(before: Any, after: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """Where two values differ, down to the innermost key or list item: (path, before, after)."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(before.keys() | after.keys()):
            if before.get(key, ABSENT) != after.get(key, ABSENT):
                yield from _changes(before.get(key, ABSENT), after.get(key, ABSENT), f"{path}.{key}")
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            if old != new:
                yield from _changes(old, new, f"{path}[{index}]")
    else:
        yield path, before, after


def _show(value: Any, limit: int = 60) -> str:
    """A value as JSON, cut short: a changed policy document must not flood the terminal."""
    shown = repr(value) if value is ABSENT else json.dumps(value, sort_keys=True)
    return shown if len(shown) <= limit else f"{shown[: limit - 3]}..."


def blocks(document: dict) -> dict[str, Any]:
    """Every block of a plan by address: `resource.<type>.<name>`, `output.<name>`, `//.metadata.version`..."""
    found: dict[str, Any] = {}

    def walk(address: str, value: Any, depth: int) -> None:
        if depth == 0 or not isinstance(value, dict):
            found[address] = value
            return
        for key, inner in value.items():
            walk(f"{address}.{key}", inner, depth - 1)

    for section, body in document.items():
        walk(section, body, _BLOCK_DEPTH.get(section, 1))
    return found


def differences(before: dict, after: dict) -> list[Difference]:
    """The blocks that differ between two plans, by address."""
    old, new = blocks(before), blocks(after)
    return [
        Difference(address, old.get(address, ABSENT), new.get(address, ABSENT))
        for address in sorted(old.keys() | new.keys())
        if old.get(address, ABSENT) != new.get(address, ABSENT)
    ]


def render(title: str, engines: tuple[str, str], compared: int, found: list[Difference]) -> list[str]:
    expected = [difference for difference in found if difference.expected]
    unexpected = [difference for difference in found if not difference.expected]
    lines = [f"{title}: {engines[0]} vs {engines[1]}, {compared} blocks compared"]
    lines.append(f"expected differences ({'; '.join(EXPECTED.values())}):")
    lines += [f"  {difference.describe(engines)}" for difference in expected] or ["  none"]
    if unexpected:
        lines.append(f"unexpected differences (they block the move to {engines[1]}):")
        lines += [f"  {difference.describe(engines)}" for difference in unexpected]
    else:
        lines.append("no other difference: every resource, data source and output is the same")
    return lines


def run_engines_diff(config: Config, engines: tuple[Engine, Engine] = tuple(ENGINES.values())) -> int:
    """Print how the engines' plans of `config` differ; 0 when only as expected, 1 otherwise."""
    for engine in engines:
        engine.python()  # an engine not installed is one sentence, before any synth
    with ThreadPoolExecutor(max_workers=len(engines)) as pool:
        before, after = pool.map(lambda engine: read_plan(cached_plan(config, engine)).document, engines)
    found = differences(before, after)
    names = (engines[0].name, engines[1].name)
    say(
        *render(
            f"{config.stack_name} ({config.profile})", names, len(blocks(before).keys() | blocks(after).keys()), found
        )
    )
    return 1 if any(not difference.expected for difference in found) else 0
