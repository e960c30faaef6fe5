"""What preflight checks: the plan and what the state says of it, and the shape of a result."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    """The plan, and what the state says of it: the suffix, the resources it manages, the profile deployed."""

    plan: Plan
    suffix: str | None
    managed: frozenset[tuple[str, str]]  # (type, name) of resources the state already holds
    deployed_profiles: frozenset[str] = frozenset()  # the Profile tag of what the state holds

    @classmethod
    def load(cls, plan: Plan, state_path: Path, *, required: bool = False) -> Deployment:
        """`required`: the state was named explicitly, so its absence is an error, not a first deploy."""
        if not state_path.exists():
            if required:
                raise UsageError(
                    f"the Terraform state {state_path} does not exist: name this deployment's state, "
                    "or leave out --state before a first deploy"
                )
            return cls(plan, None, frozenset())
        managed, suffix, profiles = set(), None, set()
        for resource in _state_resources(state_path):
            if resource["mode"] != "managed" or not resource["instances"]:
                continue
            managed.add((resource["type"], resource["name"]))
            attributes = resource["instances"][0]["attributes"]
            if resource["type"] == "random_id" and resource["name"] == DEPLOYMENT_SUFFIX_RESOURCE:
                suffix = str(attributes.get("hex"))
            tags = attributes.get("tags_all")
            if isinstance(tags, dict) and isinstance(tags.get("Profile"), str):
                profiles.add(tags["Profile"])
        return cls(plan, suffix, frozenset(managed), frozenset(profiles))

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


def _state_resources(path: Path) -> list[dict]:
    """The `resources` of a Terraform state file (v4), each checked for the keys preflight reads."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"cannot read the Terraform state {path}: {_reason(error)}") from None
    resources = state.get("resources") if isinstance(state, dict) else None
    if not isinstance(resources, list) or not all(_is_state_resource(item) for item in resources):
        raise UsageError(
            f"{path} is not a Terraform state: it needs a list of resources, each with mode, type, name "
            "and instances holding attributes"
        )
    return resources


def _is_state_resource(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and all(isinstance(item.get(key), str) for key in ("mode", "type", "name"))
        and isinstance(item.get("instances"), list)
        and all(isinstance(i, dict) and isinstance(i.get("attributes"), dict) for i in item["instances"])
    )


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    if isinstance(error, UnicodeDecodeError):
        return "it is not text"
    return f"not JSON ({error.msg} at line {error.lineno})"
