"""A pool of pre-started, pre-warmed Jupyter kernels, each reused for several reports with a reset.

Starting a kernel and importing pandas and matplotlib in it costs about 1 s of CPU; on 2 cores that
was most of a report's cost. On Linux the build forks its kernels from one template process that did
those imports once (:mod:`.kernel_template`; jupyter_client's local provisioner, launching by fork), so a
kernel starts in about 0.1 s. The pool starts its kernels ahead of time (while the build validates),
and after a report that succeeded resets its kernel in the background (:mod:`.kernel_reset`: namespace,
figures, rcParams, working directory, environment, library caches) while the report is exported. The
next report takes whichever kernel is ready first. A kernel is retired after ``reuse`` reports, and at
once after any failure or timeout; a replacement is started in the background. ``reuse=1``
(``build --fresh-kernels``) gives every report a freshly started kernel, as before. Clients wait for a kernel
with a ``kernel_info`` handshake (:func:`_until_ready`) instead of jupyter_client's fixed 0.2 s drain.
Kernels talk over IPC sockets in a private temporary folder. Every kernel the pool starts is shut
down by the pool (papermill leaves a kernel it was given running).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from ..errors import BuildError, KernelStartError
from .kernel_template import KernelTemplate, TemplateCall, supported

#: Imported by every kernel before its report runs (measured with ``python -X importtime``): pandas and
#: matplotlib (about 0.45 s of CPU) and the library's data layer. The modules the reports' notebooks
#: import are read from the notebooks (:func:`~.definitions.notebook_modules`) and imported by the
#: template the kernels are forked from (:func:`kernel_template`), with ``[kernels] preload`` of
#: reports.toml (scipy.special for this project: only what every report imports).
WARM_MODULES = ("pandas", "matplotlib.figure", "matplotlib.backends.backend_agg", "IPython.display",
                "lymphoma_evidence", "lymphoma_evidence.data.evidence",
                "lymphoma_evidence.analysis.summaries", "lymphoma_evidence.figures.charts",
                "lymphoma_evidence.analysis.eligibility")
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
    "import lymphoma_evidence.publish.kernel_reset as _reset\n"
    "_reset.snapshot()\n"
    "del _reset\n"
)
#: Binds no name: the reset clears the namespace it runs in.
RESET_CODE = "__import__('lymphoma_evidence.publish.kernel_reset', fromlist=['reset']).reset(get_ipython())\n"
#: Reports one kernel runs before it is retired (a bound on anything the reset cannot undo).
REPORTS_PER_KERNEL = 25



#: Seconds to wait for the idle status of a ``kernel_info`` request on IOPub before asking again (a
#: subscription that connected after the kernel published it never sees it).
IOPUB_HANDSHAKE = 0.5


async def _until_ready(client, timeout: float | None = None) -> None:
    """Return once ``client``'s kernel answers on shell and its IOPub subscription is live.

    jupyter_client's own ``wait_for_ready`` ends by draining IOPub until it has been quiet for 0.2 s, a
    fixed wait that every report on a reused kernel paid (measured: 0.2 s of a 0.45 s report). Here the
    client asks for ``kernel_info`` and waits for that request's reply on shell and its ``idle`` status on
    IOPub: once that status arrives the subscription is live, and nothing older than it is left to drain.
    """
    from queue import Empty

    from jupyter_core.utils import ensure_async

    deadline = time.monotonic() + (timeout if timeout is not None else 60.0)
    while True:
        msg_id = client.kernel_info()
        try:
            reply = await client._async_recv_reply(msg_id, timeout=IOPUB_HANDSHAKE)
            while True:
                msg = await ensure_async(client.iopub_channel.get_msg(timeout=IOPUB_HANDSHAKE))
                if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                        and msg["content"].get("execution_state") == "idle"):
                    break
        except (Empty, TimeoutError):  # no reply yet, or IOPub connected too late: ask again
            if not await client._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds") from None
        else:
            client._handle_kernel_info_reply(reply)
            return


@lru_cache(maxsize=1)
def _client_classes():
    """Asynchronous (for papermill's nbclient) and blocking (warm-up, reset) clients whose
    ``wait_for_ready`` is :func:`_until_ready`."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_core.utils import run_sync

    class ReadyAsyncKernelClient(AsyncKernelClient):
        wait_for_ready = _until_ready

    class ReadyBlockingKernelClient(BlockingKernelClient):
        wait_for_ready = run_sync(_until_ready)

    return ReadyAsyncKernelClient, ReadyBlockingKernelClient


@lru_cache(maxsize=1)
def _manager_class():
    from jupyter_client import KernelManager

    class TrackedKernelManager(KernelManager):
        """A kernel manager that remembers the clients it made, so they can be closed after a report
        (nbclient leaves the client of a kernel it was given open) and counts the reports run."""

        def client(self, **kwargs):
            client = super().client(**kwargs)
            self.__dict__.setdefault("le_clients", []).append(client)
            return client

        def close_clients(self) -> None:
            for client in self.__dict__.pop("le_clients", []):
                client.stop_channels()

        async def _async_wait(self, pollinterval: float = 0.005) -> None:
            # A killed kernel is gone within milliseconds; jupyter_client's 0.1 s between two looks was
            # paid by every kernel shut down (two at the end of each build).
            await super()._async_wait(pollinterval)

    return TrackedKernelManager


@lru_cache(maxsize=1)
def _forking_provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner

    class ForkingProvisioner(LocalProvisioner):
        """Launches the kernel as a fork of the build's :class:`.kernel_template.KernelTemplate` (set as
        ``template``) instead of a new ``python -m ipykernel_launcher`` process; the rest (connection
        file, signals, shutdown) is jupyter_client's local provisioner."""

        template: KernelTemplate

        async def launch_kernel(self, cmd: list[str], **kwargs):
            env = kwargs.get("env") or dict(os.environ)
            cwd = os.path.abspath(kwargs.get("cwd") or os.getcwd())  # the template has its own cwd
            try:
                process = self.template.fork(cmd[cmd.index("-f"):], env, cwd)
            except KernelStartError:  # the build goes on, slower; the engine warns (KernelPool.fork_failure)
                return await super().launch_kernel(cmd, **kwargs)
            self.process = process  # type: ignore[assignment]  # Popen's methods, for a forked kernel
            self.pid = self.pgid = process.pid  # the kernel leads its own session
            self.cwd = kwargs.get("cwd")
            return self.connection_info

        async def send_signal(self, signum: int) -> None:
            # The template collects an ended kernel at once, so its pid (and group id) may soon name
            # another process: signal the group only while the kernel (its leader) is known to run.
            if self.process is not None and self.process.poll() is None:
                await super().send_signal(signum)

    return ForkingProvisioner


def kernel_template(cwd: Path, env: dict[str, str], preload: tuple[str, ...] = (),
                    call: TemplateCall | None = None) -> KernelTemplate | None:
    """A template to fork the kernels of ``cwd`` and ``env`` from (:mod:`.kernel_template`), with the
    warm modules and ``preload`` (``[kernels] preload``, then the modules the notebooks import) imported,
    started now so that it imports (and makes ``call``) while the build prepares; ``None`` where kernels
    cannot be forked."""
    return KernelTemplate(cwd, env, WARM_MODULES + preload, call) if supported() else None


def start_warm_kernel(socket_prefix: str, cwd: Path, env: dict[str, str], timeout: float = 120.0,
                      template: KernelTemplate | None = None):
    """Start a ``python3`` kernel (forked from ``template`` when given), import the heavy modules in it,
    and return its manager.

    The returned ``jupyter_client.KernelManager`` hands out asynchronous clients (what papermill's
    nbclient engine expects), so a dead kernel is noticed during execution.
    """
    ready_async, ready_blocking = _client_classes()
    manager = _manager_class()(kernel_name="python3", transport="ipc", ip=socket_prefix)
    manager.client_factory = ready_blocking
    if template is not None:
        manager.kernel_id = uuid.uuid4().hex
        manager.provisioner = _forking_provisioner_class()(kernel_id=manager.kernel_id,
                                                          kernel_spec=manager.kernel_spec, parent=manager)
        manager.provisioner.template = template
    # History in memory (as nbclient does for kernels it starts): builds never write ~/.ipython's database.
    manager.start_kernel(cwd=str(cwd), env=env, extra_arguments=["--HistoryManager.hist_file=:memory:"])
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
    manager.client_factory = ready_async
    manager.reports_run = 0
    return manager


def reset_kernel(manager, timeout: float = 60.0) -> bool:
    """Restore a used kernel to its warm state (:func:`.kernel_reset.reset`); ``True`` when it worked.

    A kernel that is dead, does not answer within ``timeout`` seconds or fails to reset is not reused.
    """
    manager.close_clients()
    if not manager.is_alive():
        return False
    client = _client_classes()[1]()
    client.load_connection_info(manager.get_connection_info())
    try:
        client.start_channels()
        client.wait_for_ready(timeout=timeout)  # IOPub live, so the reset's idle status is not missed
        reply = client.execute_interactive(RESET_CODE, silent=True, store_history=False, timeout=timeout,
                                           output_hook=lambda msg: None)
    except (RuntimeError, TimeoutError):
        return False
    finally:
        client.stop_channels()
    return reply["content"]["status"] == "ok"


def stop_kernel(manager) -> None:
    """Shut a kernel down at once (its work is done or abandoned) and remove its connection files."""
    try:
        manager.close_clients()
    except Exception:
        pass
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
    """Warm kernels for ``total`` reports, ``size`` at work at once, each reused up to ``reuse`` times.

    Parameters
    ----------
    size : int
        Kernels that execute at once (the build's ``--jobs``).
    total : int
        Reports the build will run; the pool never keeps more kernels than reports still to run.
    cwd : Path
        Working directory of the kernels (the notebooks' folder).
    env : dict
        Environment of the kernels.
    reuse : int
        Reports one kernel may run (reset in between); 1 gives every report a fresh kernel.
    ahead : int or None
        Kernels started beyond the working ones, so the next report finds one warm; default 1 with
        fresh kernels and 0 with reuse (a reset kernel comes back at once).
    template : KernelTemplate or None
        Fork the kernels from this warmed template (:func:`kernel_template`) instead of starting each;
        the pool stops it when it closes.
    """

    def __init__(self, size: int, total: int, cwd: Path, env: dict[str, str],
                 reuse: int = REPORTS_PER_KERNEL, ahead: int | None = None,
                 template: KernelTemplate | None = None) -> None:
        self._folder = tempfile.mkdtemp(prefix="le-kernels-")
        self._cwd, self._env = cwd, env
        self._reuse = max(1, reuse)
        self._target = size + (ahead if ahead is not None else int(self._reuse == 1))
        self._to_take = total  # reports that have not asked for a kernel yet
        self._waiting = 0  # reports waiting for a kernel
        self._queued = 0  # kernels in the queue (warm, or still starting or resetting)
        self._busy = 0  # kernels running a report
        # Re-entrant: a future that is already done runs its done-callback (which takes the lock) at once.
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._pending: list[Future] = []  # the queued kernels: the next report takes whichever is ready
        self._queue_of_takers: deque[int] = deque()  # reports waiting for a kernel, in the order they asked
        self._tickets = 0
        self._started: list = []
        self._executor = ThreadPoolExecutor(max(1, self._target), thread_name_prefix="kernel-start")
        self.size = size
        self.kernels_started = 0
        self._template = template
        # jupyter_client is imported here, before the start threads: imported by a start thread while this
        # one imports papermill (which imports it too), it can be seen half-initialised (ImportError).
        _manager_class()
        _client_classes()
        with self._lock:
            self._top_up()

    def _top_up(self) -> None:
        """Start kernels until the queued and busy ones cover the reports left (up to the target).

        Called with the lock held.
        """
        wanted = min(self._target, self._busy + self._waiting + self._to_take)
        while self._queued + self._busy < wanted:
            self.kernels_started += 1
            self._queue(self._executor.submit(self._start))

    def _queue(self, future: Future) -> None:
        """Add a kernel on its way (starting or resetting) to the queue (called with the lock held)."""
        self._queued += 1
        self._pending.append(future)
        future.add_done_callback(self._notify)

    def _notify(self, _future: Future) -> None:
        with self._changed:
            self._changed.notify_all()

    def _start(self):
        manager = start_warm_kernel(os.path.join(self._folder, uuid.uuid4().hex[:8]), self._cwd, self._env,
                                    template=self._template)
        with self._lock:
            self._started.append(manager)
        return manager

    def take(self):
        """Return a warm kernel manager for one report (blocks until one is ready or comes back).

        Raises
        ------
        KernelStartError
            When the kernel meant for this report could not be started.
        """
        with self._lock:
            if self._to_take <= 0:
                raise BuildError("the kernel pool is exhausted: more kernels taken than reports to run")
            self._to_take -= 1
            self._waiting += 1
            self._top_up()
        with self._changed:
            ticket = self._tickets = self._tickets + 1
            self._queue_of_takers.append(ticket)
            # First come, first served (reports start in the order they asked), each with the first
            # kernel that is ready.
            while self._queue_of_takers[0] != ticket or \
                    (future := next((f for f in self._pending if f.done()), None)) is None:
                self._changed.wait()
            self._queue_of_takers.popleft()
            self._changed.notify_all()  # the next taker in line may find another kernel ready
            self._pending.remove(future)
            self._waiting -= 1
            self._queued -= 1
            self._busy += 1
        try:
            manager = future.result()
        except BaseException:
            with self._lock:
                self._busy -= 1
                self._top_up()
            raise
        manager.reports_run += 1
        return manager

    def release(self, manager, reusable: bool = True) -> None:
        """Take a kernel back after its report: queue its reset for the next report, or shut it down.

        The reset runs in the background (the report's export overlaps it); a kernel whose reset fails is
        replaced by a fresh one. A kernel is shut down when ``reusable`` is false (its report failed or
        timed out), when it has run ``reuse`` reports, or when no report is left to run.
        """
        with self._lock:
            self._busy -= 1
            wanted = self._waiting + self._to_take > 0  # a warm kernel beats one still starting
            if reusable and wanted and manager.reports_run < self._reuse:
                self._queue(self._executor.submit(self._reset, manager))
                return
            self._forget(manager)
            self._top_up()
        stop_kernel(manager)

    def _reset(self, manager):
        """``manager`` reset to its warm state, or a freshly started kernel when the reset fails."""
        if reset_kernel(manager):
            return manager
        with self._lock:
            self._forget(manager)
            self.kernels_started += 1
        stop_kernel(manager)
        return self._start()

    def _forget(self, manager) -> None:
        """Stop tracking a kernel that is being shut down (called with the lock held)."""
        if manager in self._started:
            self._started.remove(manager)

    def not_imported(self) -> tuple[str, ...]:
        """The modules the kernel template could not import (empty without a template)."""
        return self._template.missing if self._template is not None else ()

    def fork_failure(self) -> str | None:
        """Why kernels could not be forked from the template (then they were started one by one)."""
        return self._template.failure if self._template is not None else None

    def close(self) -> None:
        """Shut down every kernel the pool started, including those started but never taken."""
        with self._lock:
            self._to_take = 0
            pending, self._pending = self._pending, []
            self._queued = 0
        for future in pending:
            future.cancel()
        self._executor.shutdown(wait=True)
        with self._lock:
            leftovers, self._started = self._started, []
        for manager in leftovers:
            stop_kernel(manager)
        if self._template is not None:
            self._template.close()
        shutil.rmtree(self._folder, ignore_errors=True)
