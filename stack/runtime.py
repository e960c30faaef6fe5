"""Which Node.js the jsii runtime uses, decided before cdktf is imported.

`make setup` installs a supported Node LTS into `.tools/node` when the machine's own
is end of life; every synth (ours and the CDKTF CLI's) then runs on it, quietly.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_NODE = PROJECT_ROOT / ".tools" / "node" / "node_modules" / ".bin" / "node"


def prepare_node(environ: dict[str, str] | os._Environ = os.environ) -> None:
    if "JSII_NODE" not in environ and LOCAL_NODE.exists():
        environ["JSII_NODE"] = str(LOCAL_NODE)
    # Only reached when the machine's Node is used as it is: keep jsii's banner out of output.
    environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")
    environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
    # jsii's own bundled code trips Node deprecation notices (util.isArray) on newer Node.
    if "--no-deprecation" not in environ.get("NODE_OPTIONS", ""):
        environ["NODE_OPTIONS"] = f"{environ.get('NODE_OPTIONS', '')} --no-deprecation".strip()
