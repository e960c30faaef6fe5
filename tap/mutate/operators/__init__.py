"""Account mutants, generated from what a provisioned rehearsal account holds.

Each module covers one AWS concern (mirroring stack/ and tap/live/rehearsal/) with
generators: functions that read the pristine account through a `Scope` and yield a `Case`
per resource found and operator that applies to it (an attribute changed, the resource
deleted, something permissive added). A case's `apply` makes the change later, in a fork
of that account; its ids (moto's random ones) are the same there, since the fork is a copy.
Targets are labelled by name with the deployment suffix stripped, so a mutant's id is
the same in every campaign.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tap.mutate.model import CATEGORIES, Mutant

Aws = Callable[[str], Any]  # service -> a boto3 client on the (forked) emulator
Apply = Callable[[Aws], None]
Rewrite = Callable[[dict[str, Any]], Any]  # the outputs file's document -> the mutated document
Observes = tuple[str, str]  # (resource type, Terraform attribute) of the live table


@dataclass(frozen=True)
class Case:
    mutant: Mutant
    apply: Apply | None = None  # the change to the account, or
    rewrite: Rewrite | None = None  # the change to the outputs file (the account stays pristine)
    # (resource type, Terraform attribute) pairs of the live table (tap/live/observed) the change drifts; an
    # attribute "" for the resource deleted (a bucket deleted takes its configurations along). Not part of the
    # id: tests/rehearsal/test_mutate_account.py checks that every attribute the live table reads has a mutant.
    observes: tuple[Observes, ...] = ()


class Scope:
    """What generators read: the pristine account, its outputs, and the other profile's outputs."""

    def __init__(
        self,
        aws: Aws,
        profile: str,
        stack: str,
        outputs: dict[str, Any],
        others: dict[str, dict[str, Any]],
        first: bool = True,
    ):
        self.aws = aws
        self.first = first  # the campaign's first profile: what is made once per campaign is made from it
        self.profile = profile
        self.stack = stack
        self.outputs = outputs  # the stack's outputs (one level: the stack key removed)
        self.others = others  # other stacks' outputs by stack name
        self.suffix = outputs["deployment_suffix"]

    def label(self, name: str) -> str:
        """A name without the deployment suffix, stable from one campaign to the next."""
        return name.replace(f"-{self.suffix}", "")

    def name_tag(self, resource: dict[str, Any], default: str = "") -> str:
        tags = {tag["Key"]: tag["Value"] for tag in resource.get("Tags", [])}
        return self.label(tags.get("Name", default))

    def vpc_filter(self) -> list[dict[str, Any]]:
        return [{"Name": "vpc-id", "Values": [self.outputs["vpc_id"]]}]

    def default_group(self) -> str:
        """The VPC's default security group: what a resource falls back to when its own group is swapped out."""
        filters = [*self.vpc_filter(), {"Name": "group-name", "Values": ["default"]}]
        return self.aws("ec2").describe_security_groups(Filters=filters)["SecurityGroups"][0]["GroupId"]

    def case(
        self,
        target: str,
        operator: str,
        attribute: str,
        detail: str,
        category: str,
        apply: Apply | None = None,
        *,
        rewrite: Rewrite | None = None,
        lesson: int | None = None,
        observes: Observes | Iterable[Observes] | None = (),
    ) -> Case:
        """A mutant; `observes` names one (type, attribute) pair of the live table it drifts, or several."""
        if category not in CATEGORIES:
            raise ValueError(f"{category!r} is not a matrix row")
        mutant = Mutant("account", self.profile, target, operator, attribute, detail, category, lesson)
        given = tuple(observes or ())
        return Case(mutant, apply, rewrite, (given,) if given and isinstance(given[0], str) else given)


Generator = Callable[[Scope], Iterable[Case]]


def tags_of(resource: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in resource.get("Tags", [])}


def sorted_by(items: Iterable[Any], key: Callable[[Any], str]) -> Iterator[Any]:
    """Resources in a stable order: by label, never by moto's random ids."""
    return iter(sorted(items, key=key))


def first_of_kind(items: list) -> list:
    """The first of a kind: one resource stands for every other of its type where the live table reads them
    all the same way, so the campaign proves each comparison once, not once per resource."""
    return items[:1]


def call(service: str, method: str, **arguments: Any) -> Apply:
    """A change that is one call of one service's client."""

    def apply(aws) -> None:
        getattr(aws(service), method)(**arguments)

    return apply
