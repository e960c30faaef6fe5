"""Folders the commands write: only their own are replaced, whole or not at all, and an interrupted
or failed write leaves nothing behind. Each case runs `tap` in a child process, as a user would.

The full disk and the read-only cache are real: a small tmpfs, a read-only bind mount, each in a
mount namespace of its own (gone when the command ends, seen by no one else).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stack.config import Config
from tap.files import FOLDER_MARK
from tap.synth.cache import cached_plan
from tests.cli.test_bad_input import assert_one_line_exit_2

AS_OF = "2026-11-29"
USERS = {"manifest.json": b'{"mine": true}\n', "notes/today.txt": b"the user's own\n"}
STAGING = re.compile(r"\.[0-9a-f]{32}-")  # a plan cache's staging folder


@pytest.fixture(scope="module")
def dev_plan() -> Path:
    return cached_plan(Config(environment_suffix="dev", profile="dev"))


@pytest.fixture(scope="module")
def mount_namespace() -> None:
    try:
        probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        pytest.skip("unshare is not installed: no mount namespace for a small or read-only file system")
    if probe.returncode != 0:
        pytest.skip(f"creating a mount namespace is not permitted here: {probe.stderr.strip()}")


def tap(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tap.cli", *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def in_mount_namespace(script: str, *arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A shell script in a mount namespace of its own; `arguments` are its "$@", never parsed by the shell."""
    return subprocess.run(
        ["unshare", "--mount", "--", "sh", "-c", script, "sh", *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def writes(command: str, folder: Path, plan: Path) -> list[str]:
    """The arguments that make `command` write its folder."""
    if command == "synth":
        return ["synth", "--outdir", str(folder)]
    return ["audit", "--plan", str(plan), "--out", str(folder), "--as-of", AS_OF]


def users_folder(folder: Path) -> Path:
    for name, content in USERS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    folder.chmod(0o700)
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder below `folder`, hidden ones too: its digest or its mode."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        if path.is_file()
        else oct(path.stat().st_mode)
        for path in sorted(folder.rglob("*"))
    }


def beside(folder: Path) -> list[str]:
    """What is next to `folder` but the folder itself: a staging folder left behind would be."""
    return sorted(path.name for path in folder.parent.iterdir() if path.name != folder.name)


COMMANDS = ["synth", "audit"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_of_the_users_is_refused_and_left_as_it_was(command, dev_plan, tmp_path):
    folder = users_folder(tmp_path / "mine")
    before = snapshot(folder)
    result = tap(*writes(command, folder, dev_plan))
    assert_one_line_exit_2(result, "no tap command made it")
    assert snapshot(folder) == before
    assert folder.stat().st_mode & 0o777 == 0o700
    assert beside(folder) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_an_empty_folder_is_used_marked_and_keeps_its_mode(command, dev_plan, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir(mode=0o750)
    folder.chmod(0o750)  # whatever the umask
    result = tap(*writes(command, folder, dev_plan))
    assert result.returncode in (0, 1), result.stderr
    assert (folder / FOLDER_MARK).read_text() == f"tap {command}\n"
    assert folder.stat().st_mode & 0o777 == 0o750
    assert beside(folder) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_the_command_made_is_written_again(command, dev_plan, tmp_path):
    folder = tmp_path / "ours"
    assert tap(*writes(command, folder, dev_plan)).returncode in (0, 1)
    folder.chmod(0o710)
    (folder / "stale.txt").write_text("left by hand")
    result = tap(*writes(command, folder, dev_plan))
    assert result.returncode in (0, 1), result.stderr
    # The reports are one run's set; the plans folder keeps other deployments' plans beside the new one.
    assert (folder / "stale.txt").exists() == (command == "synth")
    assert folder.stat().st_mode & 0o777 == 0o710
    assert beside(folder) == []


@pytest.mark.parametrize(("made_by", "command"), [("synth", "audit"), ("audit", "synth")])
def test_a_folder_another_command_made_is_refused(made_by, command, dev_plan, tmp_path):
    folder = tmp_path / "theirs"
    assert tap(*writes(made_by, folder, dev_plan)).returncode in (0, 1)
    before = snapshot(folder)
    assert_one_line_exit_2(tap(*writes(command, folder, dev_plan)), f"tap {made_by} made it")
    assert snapshot(folder) == before


def test_synth_on_a_full_disk_leaves_the_plans_folder_as_it_was(mount_namespace, tmp_path):
    """On a file system the size of the dev plans folder and half of prod's plan, the first fits; adding prod's
    plan fills it mid-file (sized from the plans themselves, which grow with the stack)."""
    dev, prod = (cached_plan(Config(environment_suffix=name, profile=name)).stat().st_size for name in ("dev", "prod"))
    kib = (dev + prod // 2) // 1024 + 16  # and a little for the folders and the records beside the plan
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (  # the tmpfs is gone with the namespace: what it held is copied out, before and after
        f'mount -t tmpfs -o size={kib}k tap-disk "$1" && "$3" -m tap.cli synth --outdir "$1/out" >/dev/null && '
        'cp -a "$1/." "$2/before" && "$3" -m tap.cli synth --env prod --outdir "$1/out"; status=$?; '
        'cp -a "$1/." "$2/after"; exit $status'
    )
    result = in_mount_namespace(script, str(disk), str(tmp_path), sys.executable)
    assert_one_line_exit_2(result, f"cannot write the plan into {disk / 'out'}: No space left on device")
    assert (tmp_path / "before" / "out" / "stacks" / "TapStackdev" / "cdk.tf.json").is_file()
    assert snapshot(tmp_path / "after") == snapshot(tmp_path / "before")


def test_synth_with_a_read_only_plan_cache_is_one_line_and_exit_2(mount_namespace, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    command = [sys.executable, "-m", "tap.cli", "synth", "--outdir", str(tmp_path / "out")]
    result = in_mount_namespace(script, str(cache), *command, env={"TAP_CACHE_DIR": str(cache)})
    assert_one_line_exit_2(result, f"cannot write the plan cache {cache}: Read-only file system")
    assert not (tmp_path / "out").exists()


def test_synth_terminated_says_so_and_leaves_no_staging_folder(tmp_path):
    """SIGTERM while the plan is being synthesized into a new cache: handled as Ctrl-C is."""
    cache, out = tmp_path / "cache", tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "tap.cli", "synth", "--outdir", str(out)],
        env={**os.environ, "TAP_CACHE_DIR": str(cache)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while not (cache.is_dir() and any(STAGING.match(path.name) for path in cache.iterdir())):
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)  # polling for the synth to start, not timing it
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=120)
    assert (process.returncode, stderr) == (128 + signal.SIGTERM, "tap: terminated\n"), stdout + stderr
    assert [path.name for path in cache.iterdir() if STAGING.match(path.name)] == []
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cache"]


def test_a_link_inside_a_folder_of_its_own_is_refused_and_nothing_is_written_through_it(dev_plan, tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    assert tap("synth", "--outdir", str(out)).returncode == 0
    elsewhere.mkdir()
    (elsewhere / "cdk.tf.json").write_bytes(b"the user's own\n")
    shutil.rmtree(out / "stacks" / "TapStackdev")
    (out / "stacks" / "TapStackdev").symlink_to(elsewhere)
    assert_one_line_exit_2(tap("synth", "--outdir", str(out)), "it holds stacks/TapStackdev, which is a link")
    assert sorted(path.name for path in elsewhere.iterdir()) == ["cdk.tf.json"]
    assert (elsewhere / "cdk.tf.json").read_bytes() == b"the user's own\n"


@pytest.mark.parametrize("command", ["synth", "audit"])
def test_a_loop_of_links_as_the_folder_is_one_line_and_exit_2(command, dev_plan, tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert_one_line_exit_2(tap(*writes(command, loop, dev_plan)), "is a loop of symbolic links")


def test_a_refused_audit_creates_no_folder_on_the_way(dev_plan, tmp_path):
    out = tmp_path / "a" / "b" / "c"
    result = tap("audit", "--plan", str(dev_plan), "--out", str(out), "--waivers", str(tmp_path / "absent.toml"))
    assert_one_line_exit_2(result, "does not exist")
    assert list(tmp_path.iterdir()) == []
