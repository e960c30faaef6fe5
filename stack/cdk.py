"""The one module that imports the engine: the stack reaches CDKTF or CDK Terrain only through it.

    from stack.cdk import aws, core
    aws.kms_key.KmsKey(self, "key", ...)       # <the engine's AWS provider>.kms_key.KmsKey
    core.Token.as_string(...)                   # cdktf.Token or cdktn.Token

Which engine: stack/engines.py's `select_engine` ($TAP_ENGINE, else the one installed).
A provider's resource modules load on first use, so only what the stack builds is
imported. `constructs` is imported directly where needed: both engines share it, it is
not an engine package.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from stack.engines import select_engine

ENGINE = select_engine()
core = importlib.import_module(ENGINE.core)


class Provider:
    """A provider package whose resource modules are its attributes: `aws.kms_key` is `<package>.kms_key`."""

    def __init__(self, package: str):
        self._package = package

    def __getattr__(self, module: str) -> ModuleType:
        if module.startswith("_"):  # copy, pickle and inspect probe for dunders: none is a module
            raise AttributeError(module)
        loaded = importlib.import_module(f"{self._package}.{module}")
        setattr(self, module, loaded)  # later lookups are plain attribute reads
        return loaded


aws = Provider(ENGINE.aws)
random = Provider(ENGINE.random)
