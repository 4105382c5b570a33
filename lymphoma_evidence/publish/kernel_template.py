"""Kernels forked from one warmed template process, instead of each started and warmed on its own.

Starting a ``python3`` kernel and importing IPython, ipykernel, pandas, matplotlib and the library in it
costs about 1.2 s of CPU, paid again by every kernel a build starts (benchmarks/RESULTS.md). The template
pays it once: it is a process started with the kernels' environment and working directory that imports
all of that and then waits. Each kernel the build asks for is a ``fork()`` of it that runs
``ipykernel``'s own kernel application with the connection file jupyter_client wrote: the same kernel a
fresh ``python -m ipykernel_launcher -f FILE`` would run, started in about 0.1 s.

What a forked kernel does not inherit from the template: its session (it calls ``setsid``, as
jupyter_client's launcher does), its standard input (``/dev/null``), its environment, working directory and
``sys.argv`` (those jupyter_client gives it), the SIGCHLD disposition, and the random seeds (``random``
reseeds itself after a fork; numpy's global generator is reseeded here). Besides the kernel application,
the template imports the modules every kernel warms up with and those the project preloads
(``[kernels] preload`` in reports.toml): each once per build instead of once per kernel.

The template collects its ended kernels (so their CPU time is counted as the build's). It stops when the
build does (end of file on its standard input), and stops the kernels it forked first; a kernel whose
template is killed stops by itself (ipykernel's parent poller, pointed at the template). A killed build
leaves no process behind.

Linux only (the build follows a kernel that is not its child through a pidfd); elsewhere, and with
``build --fresh-kernels``, kernels start as before. The protocol is one JSON line per request on the
template's standard input (``{"argv": [...], "env": {...}, "cwd": "..."}``) and one JSON line per reply
on its standard output (``{"pid": N}`` or ``{"error": "..."}``); the first line it writes is
``{"ready": true, "missing": [...]}``, once its imports are done (``missing``: those that failed).

The template can also call one function in a child forked early, as soon as it has imported what the
function needs, while it goes on importing for the kernels (:class:`TemplateCall`; the result comes back
through a pipe). The build validates its evidence that way: pandas is imported once, in the template,
instead of in the build process too, and validation overlaps the template's other imports.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import KernelStartError

#: The template's imports besides the warm modules: the kernel application and what it imports while it
#: starts (the debugger, the history database, tornado's queues), as a started kernel lists in
#: ``sys.modules``.
TEMPLATE_IMPORTS = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger",
                    "IPython.core.debugger", "IPython.core.completerlib", "IPython.core.oinspect",
                    "IPython.extensions.storemagic", "sqlite3", "tornado.platform.asyncio", "tornado.queues",
                    "tornado.locks")


#: The template's option that carries a :class:`TemplateCall` (JSON, with the result pipe's ``fd``).
_CALL_OPTION = "--call="


def supported() -> bool:
    """Whether kernels can be forked from a template here (Linux: ``fork`` and ``pidfd_open``)."""
    return hasattr(os, "pidfd_open") and hasattr(os, "fork") and sys.platform.startswith("linux")


class ForkedProcess:
    """A ``subprocess.Popen`` look-alike for a kernel forked by the template (not a child of this process).

    It follows the process through a pidfd, so a finished kernel is never confused with a later process
    that reuses its pid. The exit status of a process that is not one's child cannot be read: a finished
    kernel reports ``-1``.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # it already ended (and the template reaped it)
            self._fd, self.returncode = None, -1

    def poll(self) -> int | None:
        """``None`` while the kernel runs, else -1."""
        return self.wait(timeout=0) if self.returncode is None else self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait up to ``timeout`` seconds (``None``: for ever) for the kernel to end; -1, or ``None`` if it
        still runs after a zero timeout.

        Raises
        ------
        subprocess.TimeoutExpired
            When a non-zero ``timeout`` passes and the kernel still runs.
        """
        if self.returncode is not None or self._fd is None:
            return self.returncode
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if not ready:
            if timeout == 0:
                return None
            raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
        os.close(self._fd)
        self._fd, self.returncode = None, -1
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` to the kernel, unless it has ended."""
        if self._fd is not None and self.poll() is None:
            signal.pidfd_send_signal(self._fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


@dataclass(frozen=True)
class TemplateCall:
    """A function the template calls once, in a child forked as soon as it has imported ``needs`` (while it
    goes on with its other imports): the build validates its evidence that way.

    ``target`` is ``"module:function"``; ``args`` and the function's return value are JSON values.
    """

    target: str
    args: tuple[Any, ...]
    needs: tuple[str, ...]


class KernelTemplate:
    """The warmed template process, and the requests that fork kernels from it (thread-safe).

    Parameters
    ----------
    cwd, env : working directory and environment of the kernels (the template starts with them, so what a
        library reads from the environment at import time is what a fresh kernel would read).
    warm_modules : modules imported by the template besides the kernel application.
    call : a function to call in a forked child early on (:class:`TemplateCall`); its result is
        :meth:`call_result`.
    """

    def __init__(self, cwd: Path, env: dict[str, str], warm_modules: tuple[str, ...],
                 call: TemplateCall | None = None) -> None:
        self._lock = threading.Lock()
        self._ready = False
        #: The modules the template could not import (known once the first kernel was forked).
        self.missing: tuple[str, ...] = ()
        #: Why the last fork failed (``None`` while every fork worked).
        self.failure: str | None = None
        options: list[str] = []
        pass_fds: tuple[int, ...] = ()
        self._result: int | None = None
        if call is not None:  # the child writes the call's result into a pipe this process reads
            self._result, result_fd = os.pipe()
            options, pass_fds = [_CALL_OPTION + json.dumps({**asdict(call), "fd": result_fd})], (result_fd,)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__, *options, *TEMPLATE_IMPORTS, *warm_modules],
                cwd=os.path.abspath(cwd), pass_fds=pass_fds,
                # the debugger's check of frozen modules prints a warning when imported outside a kernel
                env={**env, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        finally:
            for fd in pass_fds:
                os.close(fd)

    def call_result(self, timeout: float) -> Any | None:
        """What the constructor's ``call`` returned, once it has; ``None`` when it raised, its child or the
        template died first, ``timeout`` seconds passed, or there was no call. Read once."""
        if self._result is None:
            return None
        fd, self._result = self._result, None
        chunks: list[bytes] = []
        deadline = time.monotonic() + timeout
        try:
            while select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
                if not (chunk := os.read(fd, 65536)):  # end of file: every copy of the pipe is closed
                    return _json_or_none(b"".join(chunks))
                chunks.append(chunk)
            return None  # timed out
        finally:
            os.close(fd)

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> ForkedProcess:
        """Fork a kernel that runs ipykernel with ``argv`` (``-f CONNECTION_FILE ...``).

        Waits for the template's imports the first time. Raises :class:`KernelStartError` when the template
        has stopped or could not fork.
        """
        request = json.dumps({"argv": argv, "env": env, "cwd": cwd})
        with self._lock:
            stdin, stdout = self._process.stdin, self._process.stdout
            assert stdin is not None and stdout is not None
            try:
                if not self._ready:
                    ready = _read_reply(stdout)
                    self._ready, self.missing = bool(ready.get("ready")), tuple(ready.get("missing", ()))
                stdin.write(request + "\n")
                stdin.flush()
                reply = _read_reply(stdout)
            except (OSError, ValueError) as err:
                self.failure = f"the kernel template stopped ({err})"
                raise KernelStartError(f"{self.failure}; run the build with --fresh-kernels to start "
                                       "kernels one by one") from err
            if "pid" not in reply:
                self.failure = f"the kernel template could not fork a kernel ({reply.get('error')})"
                raise KernelStartError(self.failure)
        return ForkedProcess(int(reply["pid"]))

    def close(self) -> None:
        """Stop the template (kernels forked from it stop with it, or are already shut down)."""
        with self._lock:
            if self._process.stdin is not None:
                try:
                    self._process.stdin.close()
                except OSError:
                    pass
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
        if self._result is not None:
            os.close(self._result)
            self._result = None


def _json_or_none(data: bytes) -> Any | None:
    """``data`` decoded from JSON; ``None`` when it is empty or cut short (the child died writing)."""
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None


def _read_reply(stream: IO[str]) -> dict[str, Any]:
    line = stream.readline()
    if not line:
        raise ValueError("no reply: the template process has ended")
    return json.loads(line)


def _start_call(call: dict[str, Any], replies: int, children: set[int]) -> None:
    """Fork the child that runs ``call`` (a :class:`TemplateCall` with its result pipe's ``fd``).

    The child writes the function's return value (JSON) into the pipe and exits; if it raises, it writes
    nothing. The template then closes its own end, so the reader sees the end of the pipe when the child
    ends, however it ends.
    """
    _refuse_threads()
    pid = os.fork()
    if pid == 0:
        try:
            gc.enable()  # the template forked this child during its imports, while it does not collect
            _leave_the_template_streams(replies)
            module, _, function = call["target"].partition(":")
            result = getattr(importlib.import_module(module), function)(*call["args"])
            os.write(call["fd"], json.dumps(result).encode("utf-8"))
        finally:  # a failure is seen by the caller as a missing result (it then does the work itself)
            os._exit(0)
    children.add(pid)
    os.close(call["fd"])


def _leave_the_template_streams(replies: int) -> None:
    """In a forked child: close the template's replies and read standard input from ``/dev/null``, so
    that the child can neither write a reply nor take a request meant for the template."""
    os.close(replies)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)


def _refuse_threads() -> None:
    if threading.active_count() > 1:  # a fork copies only the thread that forks
        raise RuntimeError(f"the kernel template has {threading.active_count()} threads after its imports")


def _run_kernel(request: dict[str, Any], template_pid: int, replies: int) -> None:
    """In a forked child: become the kernel ``request`` asks for, as ``python -m ipykernel_launcher``."""
    os.setsid()
    _leave_the_template_streams(replies)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    if "numpy" in sys.modules:  # a fresh kernel draws its own seed; forked ones would share the template's
        sys.modules["numpy"].random.seed()
    from ipykernel import kernelapp

    # ipykernel reads JPY_PARENT_PID when it is imported, so the template's value is given again here: the
    # kernel exits when the template does.
    sys.argv = [kernelapp.__file__, *request["argv"], f"--IPKernelApp.parent_handle={template_pid}"]
    kernelapp.launch_new_instance(argv=sys.argv[1:])


def _serve(modules: list[str], call: dict[str, Any] | None) -> None:
    """The template's main loop: import (starting ``call`` once what it needs is imported), say ready,
    then fork one kernel per request until end of input."""
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # what an import prints goes where the template's errors go, not into the replies
    if sys.path and sys.path[0] in ("", os.getcwd()):  # as ipykernel_launcher does
        del sys.path[0]
    children: set[int] = set()
    missing: list[str] = []
    # The imports make many objects and hardly any garbage: the collections during them took 0.12-0.2 s of
    # CPU (timed with gc.callbacks), and the template is ready with 0.3 s less CPU without them
    # (benchmarks/RESULTS.md). One collection after them is enough.
    gc.disable()
    if call is not None:
        missing += _imported(call["needs"])
        _start_call(call, replies.fileno(), children)
    missing += _imported(modules)
    _refuse_threads()
    # Children are collected from here on (not during the imports, which may run and wait for processes
    # of their own); the call's child may have ended already.
    signal.signal(signal.SIGCHLD, lambda *_: _reap(children, block=False))
    _reap(children, block=False)
    gc.collect()
    gc.freeze()  # the imported state stays shared between the kernels instead of copied by collections
    gc.enable()  # in the kernels forked from here on, as in a kernel started on its own
    replies.write(json.dumps({"ready": True, "missing": missing}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        try:
            pid = os.fork()
        except OSError as err:
            replies.write(json.dumps({"error": str(err)}) + "\n")
            continue
        if pid == 0:  # the kernel: it never returns to this loop
            status = 1
            try:
                _run_kernel(request, os.getppid(), replies.fileno())
                status = 0
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                os._exit(status)
        children.add(pid)
        replies.write(json.dumps({"pid": pid}) + "\n")
    # End of input: the build is done (its kernels are shut down) or gone (they are stopped here).
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _reap(children, block=True)
    os._exit(0)  # nothing of the template itself needs tearing down


def _imported(modules: list[str]) -> list[str]:
    """Import ``modules``; those that could not be imported."""
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a kernel imports it itself, and a report that needs it shows why it fails
            missing.append(name)
    return missing


def _reap(children: set[int], block: bool) -> None:
    """Collect ended children (all of them when ``block``), so that their CPU time is counted as the
    template's children's, and the template's as the build's."""
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        children.discard(pid)


def _main(argv: list[str]) -> None:
    """``python -m lymphoma_evidence.publish.kernel_template [--call=JSON] MODULE...``"""
    call = None
    if argv and argv[0].startswith(_CALL_OPTION):
        call = json.loads(argv.pop(0).removeprefix(_CALL_OPTION))
    _serve(argv, call)


if __name__ == "__main__":
    _main(sys.argv[1:])
