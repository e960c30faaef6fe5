"""Whether the audited plan is bound to reviewed source: the plan `tap synth` makes from a commit.

A plan is a file anyone can edit, and it carries its own waivers and not-applicable declarations
(in its `"//"` metadata). So a declaration counts only when the reviewed source makes it: the
plan must be byte-identical to the plan synthesized from the recorded commit with the recorded
synthesis inputs (engine.json beside the plan: the engine, its versions, the deployment's
settings), and a waivers file must be the commit's own `waivers.toml`. An unbound plan can
still be audited: its report says "unbound", and no declaration of its own applies.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stack.config import Config, ConfigError
from stack.contract import ENGINE_RECORD, PROJECT_ROOT
from stack.engines import ENGINES
from tap.audit.provenance import engine_record, git
from tap.audit.waivers import shown_source
from tap.errors import UsageError
from tap.synth.cache import cached_plan
from tap.synth.runner import engine_versions

WAIVERS_FILE = "waivers.toml"
# What a synth reads from the checkout: the stack's sources and the environments' declared profiles.
SYNTH_SOURCES = ("stack", "environments.toml")


@dataclass(frozen=True)
class Binding:
    bound: bool
    reason: str  # how it was proven, or why not: one sentence
    commit: str | None = None
    record: dict[str, Any] | None = None  # engine.json: engine, versions, synthesis inputs
    reviewed_files: tuple[str, ...] = field(default=())  # waivers files byte-identical to the commit's

    def reviews(self, source: str) -> bool:
        """Whether a declaration from `source` ("plan" or a waivers file's shown path) is reviewed source."""
        return self.bound if source == "plan" else source in self.reviewed_files

    def to_json(self) -> dict[str, Any]:
        return {"bound": self.bound, "reason": self.reason, "commit": self.commit}


# Until a plan is compared with a commit, nothing of its own applies.
UNBOUND = Binding(False, "the plan was not compared with a commit")


def bind(plan_path: Path, waivers_file: Path | None = None, waivers_copy: Path | None = None) -> Binding:
    """The plan's binding to HEAD, and whether the waivers file is HEAD's own (`waivers_copy`: the bytes
    of it the audit read, when it read a private copy)."""
    commit = git("rev-parse", "--verify", "HEAD")
    record = engine_record(plan_path)
    read = waivers_copy or waivers_file
    committed = commit and waivers_file and _committed(commit, waivers_file, read)
    reviewed = (shown_source(waivers_file),) if committed else ()
    if commit is None:
        return Binding(False, "not a git checkout: no commit to bind the plan to", None, record, reviewed)
    if record is None:
        why = f"no synthesis record ({ENGINE_RECORD}) beside the plan says how it was made"
        return Binding(False, why, commit, None, reviewed)
    problem = _unreproducible(record)
    if problem:
        return Binding(False, problem, commit, record, reviewed)
    engine = ENGINES[record["name"]]
    remade = plan_of_commit(commit, Config.from_env(record["inputs"]), record["name"])
    if remade != Path(plan_path).read_bytes():
        why = f"the plan differs from the one commit {commit[:12]} makes with its recorded inputs and {engine.name}"
        return Binding(False, why, commit, record, reviewed)
    proof = (
        f"the plan is byte-identical to the one commit {commit[:12]} makes with its recorded inputs and {engine.name}"
    )
    return Binding(True, proof, commit, record, reviewed)


def _unreproducible(record: dict[str, Any]) -> str | None:
    """Why the recorded synth cannot be repeated here, or None (its shape is the record's schema's)."""
    name, versions, inputs = record["name"], record["versions"], record["inputs"]
    try:
        installed = engine_versions(ENGINES[name])
        Config.from_env(inputs)
    except (UsageError, ConfigError) as error:
        return f"the plan's recorded synth cannot be repeated here: {error}"
    if installed != versions:
        differ = sorted(key for key in {*installed, *versions} if installed.get(key) != versions.get(key))
        return f"the plan was made with other versions of {name} than those installed here ({', '.join(differ)})"
    return None


def plan_of_commit(commit: str, config: Config, engine_name: str) -> bytes:
    """The plan `tap synth` makes from `commit`'s sources (from the plan cache when it has made it before)."""
    with tempfile.TemporaryDirectory(prefix="tap-commit-") as folder:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit, *SYNTH_SOURCES], cwd=PROJECT_ROOT, capture_output=True
        )
        if archive.returncode != 0:
            raise UsageError(f"cannot read the sources of commit {commit[:12]}: {archive.stderr.decode().strip()}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(folder, filter="data")
        return cached_plan(config, ENGINES[engine_name], source_root=Path(folder)).read_bytes()


def _committed(commit: str, path: Path, read: Path) -> bool:
    """The file is the project's waivers file, and the bytes read of it are the commit's."""
    if Path(path).resolve() != PROJECT_ROOT / WAIVERS_FILE:
        return False
    committed = subprocess.run(["git", "show", f"{commit}:{WAIVERS_FILE}"], cwd=PROJECT_ROOT, capture_output=True)
    try:
        return committed.returncode == 0 and committed.stdout == Path(read).read_bytes()
    except OSError:
        return False
