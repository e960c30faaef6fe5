"""`tap rehearse --engine terraform`: Terraform itself applies the plan to the emulator, and proves it idempotent.

The translator (`tap/live/rehearsal/`) can only rehearse what we believe Terraform does; here the
real engine does it, with the AWS provider of the machine's mirror (5.100.0, where the stack pins
6.25.0: every result says so). The plan is copied unchanged into a workspace (`workspace.py`); the
override beside it points the provider at the emulator on loopback: every service endpoint it is
told, `AWS_ENDPOINT_URL` for any other, dummy credentials, path-style S3, no instance metadata; and
whatever it would still send elsewhere goes to a proxy on a loopback port that refuses it.

Every resource of the plan is applied (the emulator's fixes, `tap/live/moto_fixes/`, provide the
APIs moto lacks). Then the outputs are written in the nested format `cdktf deploy --outputs-file`
writes, from `terraform output -json`, and `terraform plan -detailed-exitcode` must find nothing to
change: a change it finds is named, and the rehearsal fails.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tap.errors import Failed
from tap.files import check_can_create, write_atomically
from tap.live.rehearsal import Rehearsal, check_loopback
from tap.live.terraform.workspace import Toolchain, Workspace, workspace
from tap.plan import Plan
from tap.plan_file import read_plan

PROVIDER_NOTE = "Terraform with AWS provider {version} from the machine's mirror (the stack pins {pinned})"
CHANGE = re.compile(r"  # (\S+) (will be|must be) (.+)")  # a plan's heading of each change
APPLY_TIMEOUT = 1200


@dataclass
class EngineRehearsal:
    """One plan applied by Terraform to one emulator; its workspace (and state) lives as long as the context."""

    plan: Plan
    terraform: Workspace
    endpoint_url: str
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def provider_note(self) -> str:
        return provider_note(self.plan, self.terraform.toolchain)

    def _timed(self, step: str, *arguments: str) -> Any:
        started = time.perf_counter()
        try:
            return self.terraform.run(*arguments, timeout=APPLY_TIMEOUT)
        finally:
            self.seconds[step] = time.perf_counter() - started

    def apply(self) -> None:
        self.terraform.run("init")
        self._timed("apply", "apply", "-auto-approve", "-input=false", "-parallelism=20")

    def outputs(self) -> dict[str, Any]:
        """The outputs nested as `cdktf deploy --outputs-file` writes them: by stack, sensitive ones left out."""
        shown = json.loads(self.terraform.run("output", "-json").stdout)
        return {self.plan.stack_name: {name: o["value"] for name, o in shown.items() if not o.get("sensitive")}}

    def changes(self) -> list[str]:
        """What `terraform plan` would still change right after the apply (nothing, when it is idempotent)."""
        started = time.perf_counter()
        result = self.terraform.terraform("plan", "-detailed-exitcode", "-input=false", timeout=APPLY_TIMEOUT)
        self.seconds["plan"] = time.perf_counter() - started
        if result.returncode == 0:
            return []
        if result.returncode == 2:
            headings = (CHANGE.fullmatch(line) for line in result.stdout.splitlines())
            return [" ".join(heading.groups()) for heading in headings if heading]
        self.terraform.run("plan")  # raises, naming Terraform's errors
        return []

    def destroy(self) -> None:
        self._timed("destroy", "destroy", "-auto-approve", "-input=false", "-parallelism=20")


def provider_note(plan: Plan, toolchain: Toolchain) -> str:
    """Which AWS provider rehearses the plan, beside the one the plan pins: every result reports both."""
    pinned = plan.document.get("terraform", {}).get("required_providers", {}).get("aws", {}).get("version")
    return PROVIDER_NOTE.format(version=toolchain.aws_version, pinned=pinned or "no version")


@contextmanager
def engine_rehearsal(plan_path: Path, endpoint_url: str) -> Iterator[EngineRehearsal]:
    """A workspace for `plan_path` aimed at the emulator at `endpoint_url`, its account prepared."""
    check_loopback(endpoint_url)
    plan = read_plan(Path(plan_path))
    Rehearsal(plan, endpoint_url).prepare_account()
    with workspace(plan_path, endpoint_url) as terraform:
        yield EngineRehearsal(plan, terraform, endpoint_url)


def rehearse_with_terraform(plan_path: Path, endpoint_url: str, outputs_file: Path) -> EngineRehearsal:
    """Apply, write the outputs, prove idempotence; a change left to make is one sentence naming each."""
    check_can_create(outputs_file, "outputs file")
    with engine_rehearsal(plan_path, endpoint_url) as rehearsal:
        rehearsal.apply()
        outputs = rehearsal.outputs()
        write_atomically(outputs_file, json.dumps(outputs, indent=2) + "\n", "outputs file")
        changes = rehearsal.changes()
        if changes:
            raise NotIdempotent(rehearsal, changes)
        return rehearsal


class NotIdempotent(Failed):
    """Terraform would change the emulated account right after applying the plan to it."""

    def __init__(self, rehearsal: EngineRehearsal, changes: list[str]):
        super().__init__(
            f"not idempotent: right after the apply, terraform plan would still change {len(changes)} resources "
            f"({rehearsal.provider_note}): {'; '.join(changes)}"
        )
        self.changes = changes
