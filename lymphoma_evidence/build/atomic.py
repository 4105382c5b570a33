"""Atomic file writes and the build lock: a killed build never leaves a half-written file behind.

Every output is written to a temporary file in the destination folder, flushed to disk and renamed over
the target with :func:`os.replace`, which is atomic on POSIX file systems: readers see the old file or the
new one, never a mix. Temporaries left by a killed build are removed by the next build (under the lock).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import BuildError

TEMP_MARK = ".partial"
LOCK_NAME = ".build.lock"
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _unwritable(path: Path, err: OSError) -> BuildError:
    return BuildError(
        f"cannot write {path}: {err.strerror or err} (errno {err.errno}). "
        "Free disk space or make the folder writable, or choose another output folder with --out."
    )


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, fsync, ``os.replace``).

    Raises
    ------
    BuildError
        When the folder is not writable or the disk is full; the target is left as it was and no
        temporary file remains.
    """
    path = Path(path)
    tmp: str | None = None
    try:
        fd, tmp = _mkstemp(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = None
        _fsync_folder(path.parent)
    except OSError as err:
        raise _unwritable(path, err) from err
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically; see :func:`write_atomic`."""
    write_atomic(path, text.encode("utf-8"))


def _mkstemp(path: Path) -> tuple[int, str]:
    """A hidden temporary file beside ``path``, same extension, normal (umask) permissions."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=TEMP_MARK + path.suffix)
    os.fchmod(fd, 0o666 & ~_UMASK)
    return fd, tmp


def temporary_path(path: Path) -> Path:
    """A fresh temporary file beside ``path`` (for tools that write a file themselves)."""
    try:
        fd, tmp = _mkstemp(path)
    except OSError as err:
        raise _unwritable(path, err) from err
    os.close(fd)
    return Path(tmp)


def remove_stale_temporaries(*folders: Path) -> list[Path]:
    """Delete temporary files a killed build left in ``folders``; return what was removed."""
    removed = []
    for folder in folders:
        for stale in Path(folder).glob(f".*{TEMP_MARK}.*"):
            stale.unlink(missing_ok=True)
            removed.append(stale)
    return removed


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` (and parents) or raise a :class:`BuildError` saying why it cannot be used."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _unwritable(folder, err) from err
    if not os.access(folder, os.W_OK):
        raise BuildError(f"cannot write to {folder}: the folder is read-only. "
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
        raise _unwritable(path, err) from err
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
