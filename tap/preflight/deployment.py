"""What preflight checks: the plan and what the state says of it, and the shape of a result."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from stack.contract import DEPLOYMENT_SUFFIX, DEPLOYMENT_SUFFIX_RESOURCE
from tap.errors import UsageError
from tap.plan import Plan, Resource

PASS, BLOCKER, WARN, INFO = "PASS", "BLOCKER", "WARN", "INFO"


@dataclass(frozen=True)
class Result:
    check: str
    status: str
    why: str
    action: str = ""


@dataclass(frozen=True)
class Deployment:
    """The plan, and what the state says of it: the deployment suffix and the resources it manages."""

    plan: Plan
    suffix: str | None
    managed: frozenset[tuple[str, str]]  # (type, name) of resources the state already holds

    @classmethod
    def load(cls, plan: Plan, state_path: Path | None) -> Deployment:
        if state_path is None or not state_path.exists():
            return cls(plan, None, frozenset())
        try:
            state = json.loads(state_path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise UsageError(f"cannot read the Terraform state {state_path}: {error}") from None
        managed, suffix = set(), None
        for resource in state.get("resources", []):
            if resource.get("mode") != "managed" or not resource.get("instances"):
                continue
            managed.add((resource["type"], resource["name"]))
            if resource["type"] == "random_id" and resource["name"] == DEPLOYMENT_SUFFIX_RESOURCE:
                suffix = resource["instances"][0]["attributes"]["hex"]
        return cls(plan, suffix, frozenset(managed))

    def name(self, value: str) -> str | None:
        """The name the deploy will use, or None while it depends on a suffix not drawn yet."""
        if DEPLOYMENT_SUFFIX not in value:
            return value
        return value.replace(DEPLOYMENT_SUFFIX, self.suffix) if self.suffix else None

    @property
    def region(self) -> str:
        return self.plan.region

    def only(self, type_: str) -> Resource:
        return self.plan.resources(type_).only()
