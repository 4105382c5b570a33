"""The build lock, and atomic writes that name the build's fix: a killed build leaves no half-written file.

Files are written by the one atomic writer, :mod:`lymphoma_evidence.fileio` (temporary file in the same
folder, fsync, :func:`os.replace`); this module only turns its error into an :class:`OutputFolderError`
(a :class:`BuildError`) that says how to fix a build. Temporaries left by a killed build are removed by
the next build (under the lock).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import fileio
from ..errors import BuildError, OutputFolderError, OutputWriteError
from ..fileio import TEMP_MARK

__all__ = ["TEMP_MARK", "LOCK_NAME", "write_atomic", "write_text_atomic", "temporary_path",
           "remove_stale_temporaries", "ensure_folder", "build_lock"]

LOCK_NAME = ".build.lock"
_FIX = "Free disk space or make the folder writable, or choose another output folder with --out."


def _unwritable(err: OutputWriteError) -> OutputFolderError:
    return OutputFolderError(f"{err.reason}. {_FIX}")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with :func:`lymphoma_evidence.fileio.write_atomic`.

    Raises
    ------
    OutputFolderError
        When the folder is not writable or the disk is full; the target is left as it was and no
        temporary file remains.
    """
    try:
        fileio.write_atomic(path, data)
    except OutputWriteError as err:
        raise _unwritable(err) from err


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically; see :func:`write_atomic`."""
    write_atomic(path, text.encode("utf-8"))


def temporary_path(path: Path) -> Path:
    """A fresh temporary file beside ``path`` (for tools that write a file themselves)."""
    try:
        return fileio.temporary_path(path)
    except OutputWriteError as err:
        raise _unwritable(err) from err


def remove_stale_temporaries(*folders: Path) -> list[Path]:
    """Delete temporary files a killed build left in ``folders``; return what was removed."""
    removed = []
    for folder in folders:
        for stale in Path(folder).glob(f".*{TEMP_MARK}.*"):
            stale.unlink(missing_ok=True)
            removed.append(stale)
    return removed


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` (and parents) or raise an :class:`OutputFolderError` saying why it cannot be used."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _unwritable(OutputWriteError(folder, err)) from err
    if not os.access(folder, os.W_OK):
        raise OutputFolderError(f"cannot write to {folder}: the folder is read-only. "
                         "Make it writable or choose another output folder with --out.")


@contextmanager
def build_lock(folder: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the output folder's build lock for the duration of a build.

    The lock is an advisory ``flock`` on ``folder/.build.lock``; the operating system releases it when
    the process ends, even on SIGKILL, so a killed build never leaves a stale lock.

    Parameters
    ----------
    folder : Path
        The output folder (it must exist).
    wait : float
        Seconds to wait for another build to finish; 0 refuses at once.

    Raises
    ------
    BuildError
        When another build holds the lock after ``wait`` seconds, or the folder is not writable.
    """
    path = folder / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise _unwritable(OutputWriteError(path, err)) from err
    try:
        _acquire(fd, path, wait)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        yield
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = Path(path).read_text(encoding="utf-8", errors="replace").strip() or "unknown"
                raise BuildError(
                    f"another build is already writing to {path.parent} ({holder}). Wait for it to "
                    "finish and run the build again, or build into another folder with --out."
                ) from None
            time.sleep(0.2)
