"""Writing what a command produces: checked before the work starts, and never left half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tap.errors import UsageError


def check_can_create(path: Path, what: str) -> None:
    """Refuse at once, in one sentence, a file path that the command could not write at its end."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"the {what} {path} is a directory: name a file")
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(f"cannot create the {what} {path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"cannot create the {what} {path}: {parent} is not writable")


def write_atomically(path: Path, text: str, what: str) -> None:
    """The whole text or nothing: written beside the target, then renamed over it."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(staging, path)
        finally:
            Path(staging).unlink(missing_ok=True)
    except OSError as error:
        raise UsageError(f"cannot write the {what} {path}: {error.strerror or error}") from None
