"""What preflight checks: the plan and what the state says of it, and the shape of a result."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stack.contract import DEPLOYMENT_SUFFIX, DEPLOYMENT_SUFFIX_RESOURCE
from tap import documents
from tap.documents import Kind, MiB
from tap.errors import UsageError
from tap.plan import Plan, Resource

PASS, BLOCKER, WARN, INFO = "PASS", "BLOCKER", "WARN", "INFO"
STATE = Kind("the Terraform state", "json", "state", max_bytes=256 * MiB, remedy=": name this deployment's state")


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
    """The `resources` of a Terraform state file (v4), each with the keys preflight reads (its schema)."""
    return documents.read(path, STATE)["resources"]
