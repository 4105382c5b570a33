"""Runs inside a build kernel: remember the warm state, and restore it between two reports.

A kernel the build reuses for several reports must hand each report the state a fresh warm kernel
would have. :func:`snapshot` is called once, at the end of the warm-up; :func:`reset` before every
report after the first. What is restored:

- the user namespace, ``In``/``Out``, the history session and the execution counter (back to 1);
- matplotlib: every open figure closed, ``rcParams`` back to the warm values;
- the working directory, ``os.environ``, ``sys.path``, ``sys.argv`` and the warning filters (with the
  "shown once" registries cleared, so a warning a report triggers is printed again in the next one);
- the library's caches: every ``functools`` cache of a ``lymphoma_evidence`` module is cleared.

Not restored: modules a report imported stay imported (importing them again would give the same
module), and state a report writes into a third-party module's globals. The build gives a kernel at
most a fixed number of reports and a fresh kernel after any failure; ``--fresh-kernels`` gives every
report its own kernel. ``tests/publish/test_isolation.py`` proves the outputs equal a fresh kernel's.
"""

from __future__ import annotations

import copy
import gc
import os
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any

PACKAGE = "lymphoma_evidence"


@dataclass
class _Snapshot:
    cwd: str
    environ: dict[str, str]
    path: list[str]
    argv: list[str]
    filters: list = field(default_factory=list)
    rc: dict = field(default_factory=dict)


_warm: _Snapshot | None = None


def snapshot() -> None:
    """Remember the warm kernel's state (call once, after the warm-up imports)."""
    global _warm
    import matplotlib

    # The warm state lives as long as the kernel: freezing it keeps every later collection (the shell's
    # reset collects, and so does ours) from walking the imported libraries again (0.05 s -> ~0.01 s).
    gc.collect()
    gc.freeze()
    _warm = _Snapshot(os.getcwd(), dict(os.environ), list(sys.path), list(sys.argv),
                      list(warnings.filters), copy.deepcopy(dict(matplotlib.rcParams)))


def _clear_library_caches() -> int:
    cleared = 0
    for name, module in list(sys.modules.items()):
        if module is None or not (name == PACKAGE or name.startswith(PACKAGE + ".")):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info"):
                value.cache_clear()
                cleared += 1
    return cleared


def _restore_matplotlib(rc: dict) -> None:
    import matplotlib

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the keys are fixed, so updating restores every value; a copy, so lists a report mutates stay its own
        matplotlib.rcParams.update(copy.deepcopy(rc))


def _restore_warnings(filters: list) -> None:
    """Restore the warning filters and forget which warnings were already shown."""
    module: Any = warnings  # the registries are private names mypy does not know
    module.filters[:] = filters
    module._filters_mutated()  # stale "once" registries are dropped on the next warning
    module.onceregistry.clear()


def reset(shell) -> None:
    """Give the next report the state of a freshly warmed kernel.

    Parameters
    ----------
    shell : IPython.core.interactiveshell.InteractiveShell
        The kernel's shell (``get_ipython()``).

    Raises
    ------
    RuntimeError
        When :func:`snapshot` was never called in this kernel (then it cannot be reused).
    """
    if _warm is None:
        raise RuntimeError("kernel_reset.snapshot() was not called in this kernel; it cannot be reused")
    shell.reset(new_session=True)  # a new history session, so the counter restarts at 1 without clashes
    _restore_matplotlib(_warm.rc)
    os.chdir(_warm.cwd)
    os.environ.clear()
    os.environ.update(_warm.environ)
    sys.path[:] = _warm.path
    sys.argv[:] = _warm.argv
    _restore_warnings(_warm.filters)
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            registry.clear()
    _clear_library_caches()
    gc.collect()
