"""The one atomic writer: whole files or none, normal permissions, no temporary left behind."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from lymphoma_evidence import fileio
from lymphoma_evidence.errors import OutputWriteError


def _umask() -> int:
    """The process umask, read in a child process so this test does not change it either."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import os; print(os.umask(0))"], capture_output=True,
                         text=True, check=True)
    return int(out.stdout)


def test_write_atomic_replaces_the_whole_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    fileio.write_text_atomic(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert list(tmp_path.iterdir()) == [target]


def test_a_new_file_gets_the_permissions_the_umask_allows(tmp_path: Path) -> None:
    target = tmp_path / "new.txt"
    fileio.write_atomic(target, b"x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    fileio.write_atomic(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_importing_the_writer_does_not_touch_the_umask() -> None:
    import subprocess
    import sys

    code = ("import os; os.umask(0o077); import lymphoma_evidence.fileio, lymphoma_evidence.publish.atomic; "
            "print(oct(os.umask(0)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0o77"


def test_disk_full_keeps_the_old_file_and_names_the_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "deck.pptx"
    target.write_bytes(b"previous good version")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "fsync", full_disk)
    with pytest.raises(OutputWriteError, match=r"cannot write .*deck\.pptx: No space left on device") as err:
        fileio.write_atomic(target, b"new version")
    monkeypatch.undo()
    assert err.value.path == target
    assert target.read_bytes() == b"previous good version"
    assert list(tmp_path.iterdir()) == [target]


def test_write_with_lets_a_library_save_to_a_temporary_beside_the_target(tmp_path: Path) -> None:
    target = tmp_path / "figure.svg"
    seen = []

    def save(path: Path) -> None:
        seen.append(path)
        path.write_text("<svg/>", encoding="utf-8")

    fileio.write_with(target, save)
    assert target.read_text(encoding="utf-8") == "<svg/>"
    assert seen[0].parent == tmp_path and seen[0].suffix == ".svg" and fileio.TEMP_MARK in seen[0].name
    assert list(tmp_path.iterdir()) == [target]


def test_write_with_keeps_the_old_file_when_saving_fails(tmp_path: Path) -> None:
    target = tmp_path / "workbook.xlsx"
    target.write_bytes(b"old")

    def save(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OutputWriteError, match="No space left on device"):
        fileio.write_with(target, save)
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_replace_files_writes_only_what_changed(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"same")
    before = (tmp_path / "a.csv").stat().st_mtime_ns
    assert fileio.replace_files(tmp_path, {"a.csv": b"same", "b.csv": b"new"}) == ["b.csv"]
    assert (tmp_path / "a.csv").stat().st_mtime_ns == before
    assert (tmp_path / "b.csv").read_bytes() == b"new"
