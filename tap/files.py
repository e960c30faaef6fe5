"""Writing what a command produces: checked before the work starts, and never left half-written."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
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
    """The whole text or nothing: written beside the target, then renamed over it. The file keeps its
    permissions; a new one gets those the umask gives."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.parent / f".{path.name}.tap-{secrets.token_hex(4)}"
        try:
            with os.fdopen(
                os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "w", encoding="utf-8"
            ) as file:
                file.write(text)
            if path.is_file():
                shutil.copymode(path, staging)
            os.replace(staging, path)
        finally:
            staging.unlink(missing_ok=True)
    except OSError as error:
        raise UsageError(f"cannot write the {what} {path}: {error.strerror or error}") from None


# In every folder a tap command makes: the command's name. A tap command replaces only a folder holding
# its own mark (or an empty one); anything else is the user's, and is never taken.
FOLDER_MARK = ".tap-output"


def check_own_folder(folder: Path, made_by: str, what: str, option: str) -> None:
    """Refuse at once, in one sentence, a folder `made_by` could not replace with the `what` it writes:
    a file, a folder under a file or where nothing can be created, a folder that holds anything and was
    not made by `made_by`, or one of its own that holds a link (what replaces it is built from it, and
    would write through the link). Nothing is created here."""
    folder = Path(folder)
    cannot = f"cannot write the {what} into {folder}"
    try:
        resolved = folder.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        raise UsageError(f"{cannot}: it is a loop of symbolic links") from None
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{cannot}: it is a file, not a folder")
    nearest = next(path for path in (resolved, *resolved.parents) if path.exists())
    if not nearest.is_dir():
        raise UsageError(f"{cannot}: {nearest} is a file, not a folder")
    if folder.is_dir():
        entries = sorted(os.listdir(folder))
        maker = folder_maker(folder)
        if entries and maker != made_by:
            shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
            whose = f"{maker} made it" if maker else f"no tap command made it (it has no {FOLDER_MARK})"
            raise UsageError(f"{cannot}: it holds {shown} and {whose}; give {option} a new or empty folder")
        strange = next(_not_regular(folder), None)
        if strange:
            raise UsageError(f"{cannot}: it holds {strange}, which is a link or no regular file; remove it")
    _check_writable(nearest if nearest != resolved else resolved.parent, cannot)


def _not_regular(folder: Path) -> Iterator[str]:
    """What below `folder` is neither a folder nor a regular file (a link, a FIFO, a device), by its path."""
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not (path.is_dir() or path.is_file()):
            yield path.relative_to(folder).as_posix()


def _check_writable(parent: Path, cannot: str) -> None:
    """A folder can be made in `parent` (which exists): made and removed at once, leaving nothing."""
    probe = parent / f".tap-probe-{secrets.token_hex(4)}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as error:
        raise UsageError(f"{cannot}: {error.strerror}") from None


def folder_maker(folder: Path) -> str | None:
    """The tap command whose mark `folder` holds, if any."""
    mark = Path(folder) / FOLDER_MARK
    if mark.is_symlink() or not mark.is_file():
        return None
    try:
        with mark.open("rb") as file:
            return file.read(200).decode("utf-8", "replace").strip() or None
    except OSError:
        return None


@contextlib.contextmanager
def replaced_folder(folder: Path, made_by: str, what: str, keep_contents: bool = False) -> Iterator[Path]:
    """A new folder beside `folder`, marked as `made_by`'s, for the block to fill: when the block ends
    without error it takes `folder`'s place whole, with `folder`'s permissions; else it is removed and
    `folder` is left as it was. Check `folder` with `check_own_folder` first.

    With `keep_contents` it starts as `folder`'s copy, made of hard links (no data is copied): replace a
    kept file (as `copy_over` does), never write into it, or the folder in place would change too."""
    target = Path(folder).resolve()  # a symbolic link to the folder: replace the folder it names
    staging = None
    try:
        staging = _new_folder_beside(target, "staging")
        mode = staging.stat().st_mode  # a new folder's, as the umask makes it
        if keep_contents and target.is_dir():
            shutil.copytree(target, staging, symlinks=True, copy_function=os.link, dirs_exist_ok=True)
        (staging / FOLDER_MARK).unlink(missing_ok=True)  # a kept link to the mark in place
        (staging / FOLDER_MARK).write_text(f"{made_by}\n", encoding="utf-8")
        yield staging
        if target.is_dir():  # the user's permissions (and extended attributes) on the folder stay
            shutil.copystat(target, staging)
        else:  # whatever the block copied into it
            os.chmod(staging, stat.S_IMODE(mode))
        _replace(target, staging)
    except OSError as error:
        reason = error.strerror or "a file could not be copied"  # shutil.Error (some files failed) has none
        raise UsageError(f"cannot write the {what} into {folder}: {reason}") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def copy_over(source: Path, target: Path) -> None:
    """Copy the files below `source` into the folder `target`, each as a new file renamed over its name:
    a file `replaced_folder` kept is never written into. An error is the first one, as it is."""
    for path in sorted(Path(source).rglob("*")):
        copy = Path(target) / path.relative_to(source)
        if path.is_dir():
            copy.mkdir(exist_ok=True)
            continue
        staging = copy.with_name(f"{copy.name}.tap-new")
        try:
            shutil.copy2(path, staging)
            os.replace(staging, copy)
        finally:
            staging.unlink(missing_ok=True)


def _new_folder_beside(folder: Path, role: str) -> Path:
    """A new, empty folder next to `folder` (same file system, so a rename moves it into place)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    new = folder.parent / f".{folder.name}.tap-{role}-{secrets.token_hex(4)}"
    new.mkdir()
    return new


def _replace(folder: Path, staging: Path) -> None:
    """`staging` becomes `folder`: the previous folder is renamed aside, then dropped."""
    if not folder.exists():
        os.rename(staging, folder)
        return
    previous = _new_folder_beside(folder, "previous")
    os.replace(folder, previous)  # over the empty folder just made: the name is ours
    try:
        os.rename(staging, folder)
    except BaseException:  # an error, or SIGTERM between the two renames
        os.rename(previous, folder)  # put the previous folder back rather than leave nothing
        raise
    shutil.rmtree(previous, ignore_errors=True)
