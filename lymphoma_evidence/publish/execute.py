"""Execute one report's notebook with papermill on a warm kernel, with a per-report time limit; and the
executed notebook as the build keeps it for audit.

Failures keep what an author needs to fix them: the failing cell's index, the exception name and value.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReportFailedError
from .definitions import ReportSpec
from .kernels import kill_kernel_process


@dataclass
class _Watchdog:
    """Kills a kernel when the report's time is up; remembers that it did."""

    manager: object
    seconds: float
    fired: bool = False

    def __post_init__(self) -> None:
        self._timer = threading.Timer(self.seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        kill_kernel_process(self.manager)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def execute_report(spec: ReportSpec, manager, executed_path: Path, timeout: float):
    """Run ``spec``'s notebook on the started kernel ``manager``; return the executed notebook.

    Parameters
    ----------
    spec : ReportSpec
        The report; its parameters are injected by papermill as literal values.
    manager : jupyter_client.KernelManager
        A started, warm kernel; the caller shuts it down afterwards.
    executed_path : Path
        Where papermill writes the executed notebook (also on failure, with the error).
    timeout : float
        Seconds the whole notebook may take; then its kernel is killed and the report fails.

    Raises
    ------
    ReportFailedError
        When a cell raises, the kernel dies, or ``timeout`` is exceeded.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    with _Watchdog(manager, timeout) as watchdog:
        try:
            return papermill.execute_notebook(
                str(spec.notebook), str(executed_path), parameters=dict(spec.parameters), km=manager,
                progress_bar=False, request_save_on_cell_execute=False, execution_timeout=timeout)
        except PapermillExecutionError as err:
            raise ReportFailedError(spec.name, err.ename, err.evalue, err.cell_index) from err
        except (CellTimeoutError, DeadKernelError) as err:
            if watchdog.fired or isinstance(err, CellTimeoutError):
                raise ReportFailedError(spec.name, "ReportTimeout", f"still running after {timeout:g} s; "
                                        "the kernel was stopped (raise --timeout if it needs longer)"
                                        ) from err
            raise ReportFailedError(spec.name, "DeadKernelError", str(err)) from err


def kept_notebook(notebook, path: Path) -> str:
    """The executed notebook ``notebook`` as the build writes it to ``path`` (``executed/NAME.ipynb``).

    Papermill's record names ``path`` (not the temporary file it wrote first), and the injected-parameters
    cell has a stable id (:func:`.export.stable_cell_ids`). Under ``SOURCE_DATE_EPOCH`` no wall-clock time
    is kept, so two builds of the same inputs write the same bytes: papermill's start and end times of the
    notebook and of each cell become the build moment, its durations (seconds) are left empty, and
    nbclient's per-cell ``execution`` timestamps are removed. Without it the times are kept as measured.
    ``notebook`` is changed in place.
    """
    import nbformat

    from ..formatting import build_moment
    from .export import stable_cell_ids

    stable_cell_ids(notebook)
    record = notebook.metadata.get("papermill", {})
    if "output_path" in record:
        record["output_path"] = str(path)
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        moment = build_moment().isoformat()
        for timed in [record, *(cell.get("metadata", {}).get("papermill", {}) for cell in notebook.cells)]:
            timed.update({key: moment for key in ("start_time", "end_time") if key in timed})
            if "duration" in timed:
                timed["duration"] = None
        for cell in notebook.cells:
            cell.get("metadata", {}).pop("execution", None)
    return nbformat.writes(notebook)
