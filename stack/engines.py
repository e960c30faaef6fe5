"""The two engines that can synthesize the stack, and which one a process uses.

CDKTF (`cdktf`) is archived; CDK Terrain (`cdktn`) is its community continuation: the
same API and the same plan, under other package names. They need different versions
of `constructs`, so each lives in a virtualenv of its own (`make setup ENGINE=cdktn`
makes `.venv-cdktn`). Plain Python on purpose (no engine import): the tools read it to
pick a synth's interpreter and key the plan cache, stack/cdk.py to import the engine.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from stack.config import ConfigError
from stack.contract import ENGINE_RECORD, PROJECT_ROOT

ENGINE_VARIABLE = "TAP_ENGINE"


@dataclass(frozen=True)
class Engine:
    name: str
    core: str  # the package of App, TerraformStack, TerraformOutput, Token...
    aws: str
    random: str
    # Their installed versions key the plan cache and say, in the audit, what made a plan.
    distributions: tuple[str, ...]
    virtualenv: str  # where `make setup` installs it, relative to the project
    # Its provider packages import every resource module on import: stack/runtime.py's lazy load pays off.
    eager_providers: bool

    @property
    def providers(self) -> tuple[str, str]:
        return (self.aws, self.random)

    def installed_here(self) -> bool:
        return importlib.util.find_spec(self.core) is not None

    def python(self) -> str:
        """The interpreter that has this engine: the running one, or its own virtualenv's."""
        if self.installed_here():
            return sys.executable
        python = str(PROJECT_ROOT / self.virtualenv / "bin" / "python")
        # The second test keeps a virtualenv that lost its engine from handing the work back to itself.
        if not os.path.exists(python) or os.path.abspath(python) == os.path.abspath(sys.executable):
            raise ConfigError("engine", f"{self.name} is not installed: run `make setup ENGINE={self.name}`")
        return python

    def versions(self) -> dict[str, str]:
        """This interpreter's Python (major.minor) and installed versions of the engine's distributions."""
        python = f"{sys.version_info.major}.{sys.version_info.minor}"
        return {"python": python, **{name: metadata.version(name) for name in self.distributions}}

    def write_record(self, stack_folder: Path, inputs: Mapping[str, str]) -> None:
        """Say beside the plan which engine wrote it and from which settings (`inputs`: the deployment's
        environment variables), so tap audit can repeat the synth and say whether the plan is bound."""
        record = {"name": self.name, "versions": self.versions(), "inputs": dict(inputs)}
        (Path(stack_folder) / ENGINE_RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


ENGINES = {
    "cdktf": Engine(
        name="cdktf",
        core="cdktf",
        aws="cdktf_cdktf_provider_aws",
        random="cdktf_cdktf_provider_random",
        distributions=("cdktf", "cdktf-cdktf-provider-aws", "cdktf-cdktf-provider-random", "jsii", "constructs"),
        virtualenv=".venv",
        eager_providers=True,
    ),
    "cdktn": Engine(
        name="cdktn",
        core="cdktn",
        aws="cdktn_provider_aws",
        random="cdktn_provider_random",
        distributions=("cdktn", "cdktn-provider-aws", "cdktn-provider-random", "jsii", "constructs"),
        virtualenv=".venv-cdktn",
        eager_providers=False,
    ),
}
DEFAULT_ENGINE = ENGINES["cdktf"]


def select_engine(environ: Mapping[str, str] = os.environ) -> Engine:
    """$TAP_ENGINE when set; else the first engine this interpreter has, cdktf first; else cdktf."""
    name = environ.get(ENGINE_VARIABLE, "")  # whole: "cdktf\n" is no engine
    if name:
        if name not in ENGINES:
            raise ConfigError(ENGINE_VARIABLE, f"must be one of {', '.join(ENGINES)}, not {name!r}")
        return ENGINES[name]
    return next((engine for engine in ENGINES.values() if engine.installed_here()), DEFAULT_ENGINE)
