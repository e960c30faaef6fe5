"""The outputs file `cdktf deploy --outputs-file` writes, read the one safe way.

Shape: `{"<StackName>": {<output>: value, <construct>: {<output>: value}, ...}, ...}`:
outputs are nested by stack name, then by the construct path that declared them. The
field report's fixture took the first stack key, and silently read the wrong stack when
there were several; here the stack is chosen by name, or must be the only one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from stack.config import Config
from stack.contract import IDENTITY_OUTPUTS, Output
from tap import documents
from tap.documents import Kind, MiB
from tap.errors import UsageError

OUTPUTS = Kind("the outputs file", "json", "outputs", max_bytes=16 * MiB)


class Outputs(Mapping[str, Any]):
    """One stack's outputs, flattened: `vpc_id`, or `networking.vpc_id` for a nested one."""

    def __init__(self, stack: str, values: dict[str, Any], source: Path):
        self.stack = stack
        self.source = source
        self._values = values

    def __getitem__(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        nested = [key for key in self._values if key.endswith(f".{name}")]
        if len(nested) == 1:
            return self._values[nested[0]]
        raise UsageError(
            f"{self.source} has no output {name!r} for stack {self.stack}"
            f"{' (several nested ones: ' + ', '.join(nested) + ')' if nested else ''}: "
            "deploy the current stack, or check the output's name"
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def missing(self, names: Iterable[str]) -> list[str]:
        """The names among `names` the file does not hold."""
        found = []
        for name in names:
            try:
                self[name]
            except UsageError:
                found.append(str(name))
        return found

    def require(self, names: Iterable[str]) -> None:
        """All of `names` are present, or one sentence naming every missing one."""
        absent = self.missing(names)
        if absent:
            raise UsageError(
                f"{self.source} lacks the output{'s' if len(absent) > 1 else ''} {', '.join(absent)} of stack "
                f"{self.stack}: it was written by another version of the stack; deploy the current one"
            )

    def deployment(self) -> Config:
        """The configuration of the deployment these outputs describe, from its identity outputs alone."""
        self.require(IDENTITY_OUTPUTS)
        config = Config(
            environment_suffix=self[Output.ENVIRONMENT_SUFFIX],
            profile=self[Output.PROFILE],
            region=self[Output.REGION],
            certificate_arn=self[Output.CERTIFICATE_ARN],
            internet_egress_cidrs=_as_tuple(self[Output.INTERNET_EGRESS_CIDRS]),
            alarm_emails=_as_tuple(self[Output.ALARM_EMAILS]),
            key_administrator_role=self[Output.KEY_ADMINISTRATOR_ROLE],
            app_image=self[Output.APP_IMAGE],
        )
        if config.stack_name != self.stack:
            raise UsageError(
                f"{self.source}: stack {self.stack} says it is environment {config.environment_suffix!r}, "
                f"whose stack is {config.stack_name}; the file was edited or mixed up"
            )
        return config

    def __len__(self) -> int:
        return len(self._values)


def _as_tuple(value: Any) -> tuple:
    """A list output as a tuple; a lone string stays one item (never split into characters)."""
    return tuple(value) if isinstance(value, list) else (value,)


def read_outputs(path: Path, stack: str | None = None) -> Outputs:
    """The outputs of `stack` (by name), or of the only stack when no name is given."""
    path = Path(path)
    remedy = f": run `cdktf deploy --outputs-file {path}` and pass the file it writes (each stack's outputs by name)"
    stacks = documents.read(path, dataclasses.replace(OUTPUTS, remedy=remedy))
    if stack is None:
        if len(stacks) > 1:
            raise UsageError(
                f"the outputs file {path} holds several stacks ({', '.join(sorted(stacks))}): "
                "name one with ENVIRONMENT_SUFFIX"
            )
        stack = next(iter(stacks))
    if stack not in stacks:
        raise UsageError(f"the outputs file {path} has no stack {stack} (it has {', '.join(sorted(stacks))})")
    return Outputs(stack, dict(_flatten(stacks[stack])), path)


def _flatten(values: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in values.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value
