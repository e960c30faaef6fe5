"""How the synth process starts: which Node jsii uses, and a cheap import of the provider.

`make setup` installs a supported Node LTS into `.tools/node` when the machine's own
is end of life; every synth (ours and the CDKTF CLI's) then runs on it, quietly.

Importing CDKTF's `cdktf_cdktf_provider_aws` the ordinary way costs about 10 s: its
package `__init__` imports all 2,212 resource submodules, and the garbage collector
rescans the millions of objects they create. `fast_provider_imports` loads each
provider package without that list, so only the submodules the stack imports are
loaded, and keeps the collector off while they load. The plan is byte-identical either
way (tests/synth checks it); TAP_EAGER_IMPORT=1 takes the ordinary path.

CDK Terrain's provider packages load their submodules on first use already: there the
ordinary import costs the Python process as little CPU as this one does (about 0.2 s,
`make bench-engines`), so for cdktn nothing is done (its `eager_providers` is False).
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path

from stack.contract import PROJECT_ROOT
from stack.engines import Engine, select_engine

LOCAL_NODE = PROJECT_ROOT / ".tools" / "node" / "node_modules" / ".bin" / "node"
EAGER_IMPORT_VARIABLE = "TAP_EAGER_IMPORT"
_SUBMODULE_IMPORT = "from . import "


def prepare_node(environ: MutableMapping[str, str] = os.environ) -> None:
    if "JSII_NODE" not in environ and LOCAL_NODE.exists():
        environ["JSII_NODE"] = str(LOCAL_NODE)
    # Only reached when the machine's Node is used as it is: keep jsii's banner out of output.
    environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")
    environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
    # jsii's own bundled code trips Node deprecation notices (util.isArray) on newer Node.
    if "--no-deprecation" not in environ.get("NODE_OPTIONS", ""):
        environ["NODE_OPTIONS"] = f"{environ.get('NODE_OPTIONS', '')} --no-deprecation".strip()


def _load_package_without_submodules(name: str) -> None:
    """Run a provider package's `__init__` minus its `from . import <every resource>` lines."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{name} is not installed; run `make setup`")
    source = Path(spec.origin).read_text(encoding="utf-8")
    kept = "\n".join(line for line in source.splitlines() if not line.startswith(_SUBMODULE_IMPORT))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        exec(compile(kept, spec.origin, "exec"), module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise


@contextlib.contextmanager
def fast_provider_imports(
    environ: MutableMapping[str, str] = os.environ, engine: Engine | None = None
) -> Iterator[None]:
    """Inside: import what the stack needs from the engine's providers (default: the selected one's), cheaply."""
    engine = engine or select_engine(environ)
    if environ.get(EAGER_IMPORT_VARIABLE) == "1" or not engine.eager_providers:
        yield
        return
    gc.disable()
    try:
        for package in engine.providers:
            _load_package_without_submodules(package)
        yield
    finally:
        # What was imported lives as long as the process: never scan it again.
        gc.freeze()
        gc.enable()
