"""Atomic writes and stale temporaries: a failed or killed write never leaves a partial file."""

from __future__ import annotations

import errno
import os

import pytest

from lymphoma_evidence import fileio
from lymphoma_evidence.errors import BuildError
from lymphoma_evidence.publish import atomic


def test_write_atomic_replaces_the_whole_file(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    atomic.write_text_atomic(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert list(tmp_path.iterdir()) == [target]


def test_disk_full_during_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_bytes(b"previous good version")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(BuildError, match=r"cannot write .*report\.html: No space left on device .*Free disk"):
        atomic.write_text_atomic(target, "new version")
    assert target.read_bytes() == b"previous good version"
    assert list(tmp_path.iterdir()) == [target]


def test_read_only_file_system_is_a_clear_error(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(fileio.os, "open", read_only)
    with pytest.raises(BuildError, match=r"Read-only file system \(errno 30\)\. .*--out"):
        atomic.write_text_atomic(tmp_path / "index.html", "x")


def test_stale_temporaries_are_removed_and_real_files_kept(tmp_path):
    stale = tmp_path / f".report.abc123{atomic.TEMP_MARK}.html"
    stale.write_text("half", encoding="utf-8")
    keep = tmp_path / "report.html"
    keep.write_text("whole", encoding="utf-8")
    assert atomic.remove_stale_temporaries(tmp_path) == [stale]
    assert list(tmp_path.iterdir()) == [keep]
