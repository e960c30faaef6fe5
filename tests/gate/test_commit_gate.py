"""The policies at commit time: every plan the stack makes passes them, judged as `tap audit` would.

Pre-commit runs it with the unit suite (`pytest -m "unit or gate"`): an unchanged checkout reads
its verdicts from the cache; a changed plan, policy or waiver is scanned once.
"""

from __future__ import annotations

from tap.audit.gate import gate


def test_every_plan_the_stack_makes_passes_the_policies(scanned_plan_paths):
    verdicts = gate(list(scanned_plan_paths.values()))
    failing = {name: verdicts[path] for name, path in scanned_plan_paths.items() if verdicts[path]}
    assert failing == {}, "\n".join(f"{name}: {line}" for name, lines in failing.items() for line in lines)
