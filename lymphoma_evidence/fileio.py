"""The one way the toolkit writes a file: atomically, so a reader never sees half a file.

Every write goes to a hidden temporary file in the destination folder
(``.<stem>.<random>.partial<suffix>``), is flushed and fsynced, and is renamed over the target with
:func:`os.replace`, which is atomic on POSIX file systems; the folder is fsynced afterwards. A new file
gets the permissions the process umask allows (the temporary is created with mode ``0o666`` and the kernel
applies the umask); a replaced file keeps its mode. Used by the build, ``make notebooks``, the figure,
slide and workbook exports, and the analyst tools that rewrite evidence files.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

from .errors import OutputWriteError

#: Marks a temporary file; :func:`lymphoma_evidence.publish.atomic.remove_stale_temporaries` looks for it.
TEMP_MARK = ".partial"


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file beside it, fsync, ``os.replace``).

    Parameters
    ----------
    path : str or Path
        The file to write; its folder must exist.
    data : bytes
        The whole new content.

    Raises
    ------
    OutputWriteError
        When the folder is not writable or the disk is full; the target is left as it was and no
        temporary file remains.
    """
    path = Path(path)
    tmp: Path | None = None
    try:
        tmp = _write_temporary(path, data)
        os.replace(tmp, path)
        tmp = None
        _fsync_folder(path.parent)
    except OSError as err:
        raise OutputWriteError(path, err) from err
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically; see :func:`write_atomic`."""
    write_atomic(path, text.encode("utf-8"))


def write_with(path: str | Path, save: Callable[[Path], object]) -> None:
    """Let a library that saves to a file name (``savefig``, ``Presentation.save``) write ``path`` atomically.

    ``save`` is called with a temporary path beside ``path`` (same suffix, so format detection works);
    the file it writes then replaces ``path``.

    Raises
    ------
    OutputWriteError
        When the folder is not writable or the disk is full; the target is left as it was.
    """
    path = Path(path)
    tmp = temporary_path(path)
    try:
        save(tmp)
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
        _fsync_folder(path.parent)
    except OSError as err:
        raise OutputWriteError(path, err) from err
    finally:
        tmp.unlink(missing_ok=True)


def temporary_path(path: str | Path) -> Path:
    """A fresh, empty temporary file beside ``path`` (for tools that write a file themselves).

    Raises
    ------
    OutputWriteError
        When the folder is not writable.
    """
    path = Path(path)
    try:
        fd, tmp = _create_temporary(path)
    except OSError as err:
        raise OutputWriteError(path, err) from err
    os.close(fd)
    return tmp


def replace_files(folder: str | Path, contents: Mapping[str, bytes]) -> list[str]:
    """Write several files into ``folder``, all of them or none.

    Every changed file is first written to a temporary file in ``folder``; then each is moved into place
    with ``os.replace``. If any step fails, the files already replaced get their old bytes back.

    Parameters
    ----------
    folder : str or Path
        The folder holding the files.
    contents : mapping of str to bytes
        File name -> new content.

    Returns
    -------
    list of str
        The names of the files whose bytes changed (unchanged files are not touched).

    Raises
    ------
    OutputWriteError
        When a file cannot be written; the folder is left as it was.
    """
    folder = Path(folder)
    changed = {name: data for name, data in contents.items()
               if not (folder / name).is_file() or (folder / name).read_bytes() != data}
    old = {name: (folder / name).read_bytes() if (folder / name).is_file() else None for name in changed}
    temps: dict[str, Path] = {}
    done: list[str] = []
    try:
        for name, data in changed.items():
            temps[name] = _write_temporary(folder / name, data)
        for name, temp in temps.items():
            os.replace(temp, folder / name)
            done.append(name)
        _fsync_folder(folder)
    except OSError as err:
        _restore(folder, done, old)
        raise OutputWriteError(folder, err) from err
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
    return list(changed)


def _restore(folder: Path, names: list[str], old: Mapping[str, bytes | None]) -> None:
    for name in names:
        before = old[name]
        if before is None:
            (folder / name).unlink(missing_ok=True)
        else:
            os.replace(_write_temporary(folder / name, before), folder / name)


def _create_temporary(path: Path) -> tuple[int, Path]:
    """Create ``.<stem>.<random>.partial<suffix>`` beside ``path`` with mode 0o666 less the umask."""
    while True:
        tmp = path.parent / f".{path.stem}.{secrets.token_hex(4)}{TEMP_MARK}{path.suffix}"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def _write_temporary(path: Path, data: bytes) -> Path:
    """A fsynced temporary beside ``path`` holding ``data``, with ``path``'s mode when it exists."""
    fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if path.exists():
                os.fchmod(handle.fileno(), path.stat().st_mode & 0o7777)
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
