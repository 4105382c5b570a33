"""A pool of pre-started, pre-warmed Jupyter kernels: each report gets a fresh one, never reused.

Starting a kernel and importing pandas and matplotlib in it costs about 2 s; the pool does that ahead of
time, in background threads, while earlier reports run. Kernels talk over IPC sockets in a private
temporary folder. Every kernel the pool starts is shut down by the pool (papermill leaves a kernel it was
given running).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..errors import BuildError, KernelStartError

#: Imported by every kernel before its report runs (measured with ``python -X importtime``): pandas and
#: matplotlib (about 0.45 s of CPU) and the library's report modules (under 0.01 s). Not here: pandera
#: (kernels load the evidence the build validated) and scipy.stats/statsmodels (0.5 s of CPU, needed by
#: the briefing and class notebooks only; on 2 cores, warming a module a notebook never uses costs CPU
#: that other reports need: see benchmarks/RESULTS.md).
WARM_MODULES = ("pandas", "matplotlib.figure", "matplotlib.backends.backend_agg", "IPython.display",
                "lymphoma_evidence", "lymphoma_evidence.data.evidence",
                "lymphoma_evidence.analysis.summaries", "lymphoma_evidence.figures.charts",
                "lymphoma_evidence.analysis.eligibility", "lymphoma_evidence.reports.briefing",
                "lymphoma_evidence.reports.class_profile", "lymphoma_evidence.reports.patient_options",
                "lymphoma_evidence.reports.evidence_audit")
WARMUP_CODE = (
    "import importlib as _il\n"
    "import matplotlib as _mpl\n"
    "_mpl.use('Agg')\n"
    f"for _name in {WARM_MODULES!r}:\n"
    "    try:\n"
    "        _il.import_module(_name)\n"
    "    except ImportError:\n"
    "        pass\n"
    "del _il, _mpl, _name\n"
)
ASYNC_CLIENT = "jupyter_client.asynchronous.AsyncKernelClient"



def start_warm_kernel(socket_prefix: str, cwd: Path, env: dict[str, str], timeout: float = 120.0):
    """Start a ``python3`` kernel, import the heavy modules in it, and return its manager.

    The returned ``jupyter_client.KernelManager`` hands out asynchronous clients (what papermill's
    nbclient engine expects), so a dead kernel is noticed during execution.
    """
    from jupyter_client import KernelManager

    manager = KernelManager(kernel_name="python3", transport="ipc", ip=socket_prefix)
    manager.start_kernel(cwd=str(cwd), env=env)
    # A client made by its manager asks the manager (process alive?) instead of trusting heartbeats,
    # which a busy CPU delays while several kernels import pandas at once.
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=timeout)
        reply = client.execute_interactive(WARMUP_CODE, silent=True, store_history=False,
                                           timeout=timeout, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise KernelStartError(f"warming a kernel failed: {reply['content'].get('ename')}: "
                                   f"{reply['content'].get('evalue')}")
    except (RuntimeError, TimeoutError) as err:
        stop_kernel(manager)
        raise KernelStartError(f"a python3 kernel did not start within {timeout:.0f} s ({err}); "
                               "check that ipykernel is installed in this environment.") from err
    finally:
        client.stop_channels()
    manager.client_class = ASYNC_CLIENT
    return manager


def stop_kernel(manager) -> None:
    """Shut a kernel down at once (its work is done or abandoned) and remove its connection files."""
    try:
        manager.shutdown_kernel(now=True)
    except Exception:  # a kernel that is already gone needs no shutdown
        manager.cleanup_resources()


def kill_kernel_process(manager) -> None:
    """Kill a kernel's process from another thread (used by the per-report timeout)."""
    process = getattr(manager.provisioner, "process", None)
    if process is not None and process.poll() is None:
        process.kill()


class KernelPool:
    """Warm kernels started ahead of use, ``size + ahead`` at a time, ``total`` in all.

    Parameters
    ----------
    size : int
        Kernels that execute at once (the build's ``--jobs``).
    total : int
        Kernels the build will need (one per report to run); no more are started.
    cwd : Path
        Working directory of the kernels (the notebooks' folder).
    env : dict
        Environment of the kernels.
    ahead : int
        Kernels started beyond the running ones, so the next report finds one warm.
    """

    def __init__(self, size: int, total: int, cwd: Path, env: dict[str, str], ahead: int = 1) -> None:
        self._folder = tempfile.mkdtemp(prefix="le-kernels-")
        self._cwd, self._env = cwd, env
        self._remaining = total
        self._lock = threading.Lock()
        self._starting: deque[Future] = deque()
        self._started: list = []
        self._executor = ThreadPoolExecutor(max(1, size + ahead), thread_name_prefix="kernel-start")
        for _ in range(min(total, size + ahead)):
            self._start_one()

    def _start_one(self) -> None:
        if self._remaining <= 0:
            return
        self._remaining -= 1
        prefix = os.path.join(self._folder, uuid.uuid4().hex[:8])
        self._starting.append(self._executor.submit(self._start, prefix))

    def _start(self, prefix: str):
        manager = start_warm_kernel(prefix, self._cwd, self._env)
        with self._lock:
            self._started.append(manager)
        return manager

    def take(self):
        """Return a warm kernel manager for one report (blocks until one is ready); start another."""
        with self._lock:
            if not self._starting:
                raise BuildError("the kernel pool is exhausted: more kernels taken than reports to run")
            future = self._starting.popleft()
            self._start_one()
        return future.result()

    def release(self, manager) -> None:
        """Shut down a kernel after its report; it is never handed out again."""
        stop_kernel(manager)
        with self._lock:
            if manager in self._started:
                self._started.remove(manager)

    def close(self) -> None:
        """Shut down every kernel the pool started, including those started but never taken."""
        with self._lock:
            pending = list(self._starting)
            self._starting.clear()
        for future in pending:
            future.cancel()
        self._executor.shutdown(wait=True)
        with self._lock:
            leftovers, self._started = self._started, []
        for manager in leftovers:
            stop_kernel(manager)
        shutil.rmtree(self._folder, ignore_errors=True)
