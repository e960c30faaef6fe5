"""Reads Terraform JSON files with checkov's own loader and with the scan's (libyaml's parser beneath
checkov's loader, `checkov_worker.use_libyaml`) and prints, per file, what each made of it.

Executed by checkov's own Python (`tests/policies/test_parser.py`), with the files as arguments.
Out: {"libyaml": true|false, "files": {PATH: {"stock": DEFINITIONS|null, "scan": DEFINITIONS|null}}}.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("LOG_LEVEL", "ERROR")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    sys.path.insert(0, str(PROJECT_ROOT))
    logging.disable(logging.CRITICAL)
    from checkov.common.parsers.yaml import loader
    from checkov.terraform_json.parser import parse

    from tap.audit.checkov_worker import use_libyaml

    stock = loader.SafeLineLoader, loader.loads
    use_libyaml()
    loaders = {"stock": stock, "scan": (loader.SafeLineLoader, loader.loads)}

    def read(path: str, name: str) -> object:
        loader.SafeLineLoader, loader.loads = loaders[name]
        definitions, _ = parse(Path(path))
        return definitions

    files = {path: {name: read(path, name) for name in loaders} for path in sys.argv[1:]}
    print(json.dumps({"libyaml": loaders["scan"] != stock, "files": files}, default=repr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
