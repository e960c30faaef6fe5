"""What a command writes keeps the permissions the user gave it (or the umask's, when new)."""

from __future__ import annotations

import os

from tap.files import write_atomically


def test_a_file_written_again_keeps_its_mode(tmp_path):
    path = tmp_path / "outputs.json"
    path.write_text("{}")
    path.chmod(0o640)
    write_atomically(path, '{"new": 1}', "outputs file")
    assert (path.read_text(), path.stat().st_mode & 0o777) == ('{"new": 1}', 0o640)


def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path):
    previous = os.umask(0o027)
    try:
        write_atomically(tmp_path / "mutation.json", "{}", "campaign result")
    finally:
        os.umask(previous)
    assert (tmp_path / "mutation.json").stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["mutation.json"]
