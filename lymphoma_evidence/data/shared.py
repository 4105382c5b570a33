"""Work shared by the reports of one build, done once: a result is saved by its call and read back.

The report build names a folder in ``LYMPHOMA_EVIDENCE_SHARED`` (``reports/.cache/shared``, emptied when
each build starts) for its kernels. There, a call is keyed by the function's qualified name and its
arguments (an evidence bundle by its content hash, DataFrames by their content, plain values by their
``repr``); the first report to make the call saves the result, and every later report of that build, on
any kernel, reads it back instead of computing it again. A report that makes a call while another is
computing it waits for that result (a lock file per call, for at most :data:`LOCK_WAIT` seconds) instead
of computing it too: the reports a build starts together make the same calls at the same time. Each
caller gets its own copy (read from the file), so a report that changes what it was given changes
nothing for the next one.

Only pure functions of their arguments belong here (no clock, no files besides the evidence they are
given). Outside a build, or when an argument cannot be keyed, the function simply runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import pickle
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from ..paths import SHARED_CACHE_ENV

T = TypeVar("T")

#: Seconds a report waits for another report computing the same call before computing it itself.
LOCK_WAIT = 60.0
_MISSING = object()


def fingerprint(value: object) -> bytes | None:
    """Bytes that identify an argument of a shared call, or ``None`` when it cannot be keyed."""
    import pandas as pd

    if isinstance(value, pd.Series):
        value = value.to_frame()
    if isinstance(value, pd.DataFrame):
        try:
            hashed = pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes()
        except TypeError:  # unhashable cells (lists): the pickle identifies the frame instead
            hashed = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        header = repr((list(value.columns), [str(dtype) for dtype in value.dtypes]))
        return header.encode() + hashed
    content_hash = getattr(value, "content_hash", None)
    if isinstance(content_hash, str):  # an Evidence bundle: validated content is named by its hash
        return content_hash.encode() if content_hash else None
    if value is None or isinstance(value, str | int | float | bool | tuple | list | dict | frozenset) \
            or dataclasses.is_dataclass(value):
        return repr(value).encode()
    return None


def call_key(function: Callable, args: tuple, kwargs: dict, salt: str = "") -> str | None:
    """A hex digest naming ``function(*args, **kwargs)`` (plus ``salt``), or ``None`` if unkeyable."""
    digest = hashlib.sha256(f"{function.__module__}.{function.__qualname__}|{salt}".encode())
    for value in (*args, *sorted(kwargs.items())):
        part = fingerprint(value)
        if part is None:
            return None
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()


def saved_or_computed(key: str | None, compute: Callable[[], T], kind: type[T]) -> T:
    """The result saved under ``key`` in this build's shared folder, else ``compute()`` (then saved).

    ``kind`` is the type the saved result must have; anything else in the file (or an unreadable file) is
    ignored and the result computed. Saving never fails a report: the folder only saves time.
    """
    folder = os.environ.get(SHARED_CACHE_ENV)
    if not folder or not key:
        return compute()
    path = Path(folder) / f"{key}.pickle"
    with _computing(path):
        saved = _saved(path, kind)
        if saved is not _MISSING:
            return saved
        result = compute()
        from ..fileio import write_atomic

        try:
            write_atomic(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # unwritable folder or an unpicklable result: the report goes on without it
            pass
    return result


def _saved(path: Path, kind: type) -> Any:
    """The result saved in ``path`` if it is a ``kind``, else ``_MISSING``."""
    try:
        saved = pickle.loads(path.read_bytes())
    except Exception:  # missing, half-written by a killed kernel or corrupt: compute instead
        return _MISSING
    return saved if isinstance(saved, kind) else _MISSING


@contextlib.contextmanager
def _computing(path: Path) -> Iterator[None]:
    """Hold the lock of the call saved in ``path`` (``KEY.lock`` beside it) while it is read or computed.

    A concurrent caller waits until the holder has saved the result, or :data:`LOCK_WAIT` seconds, after
    which it goes on without the lock (computing the call itself). The lock is released when the holder
    finishes or its process ends. Where locks are unavailable, nothing is held.
    """
    try:
        import fcntl
        handle = open(path.with_suffix(".lock"), "ab")  # closed in the finally below, which releases it
    except (ImportError, OSError):
        yield
        return
    deadline = time.monotonic() + LOCK_WAIT
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.005)
        yield
    finally:
        handle.close()


def shared_by_reports(kind: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: a pure function whose result (of type ``kind``) the reports of one build share.

    Examples
    --------
    >>> @shared_by_reports(pd.DataFrame)                        # doctest: +SKIP
    ... def headline_numbers(evidence): ...
    """
    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def shared(*args: Any, **kwargs: Any) -> Any:
            if not os.environ.get(SHARED_CACHE_ENV):
                return function(*args, **kwargs)
            key = call_key(function, args, kwargs)
            return saved_or_computed(key, lambda: function(*args, **kwargs), kind)

        return shared

    return decorate
