"""The report build: validate once, hash once, run changed reports on warm kernels, export, index.

Guarantees (see docs/reliability.md): no notebook runs on invalid evidence or invalid parameters; every
file is written atomically; a failing report leaves its previous HTML untouched and does not stop the
others; two builds never write the same folder at once.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BuildError, KernelStartError, ParameterError

if TYPE_CHECKING:
    from .export import Provenance, ReportExporter
    from .kernel_template import KernelTemplate, TemplateCall
    from .kernels import KernelPool
from .atomic import build_lock, ensure_folder, remove_stale_temporaries, temporary_path, write_text_atomic
from .definitions import ReportSpec, load_definitions, load_preload, notebook_modules, select_reports
from .index import ReportStatus, render_index
from .manifest import Manifest, ReportRecord, input_key, library_digest

Progress = Callable[[str], None]
EXECUTED = "executed"


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how.

    Attributes
    ----------
    definitions : Path
        The ``reports.toml`` file; notebooks are resolved relative to it and run with its folder as the
        working directory.
    evidence : Path
        The evidence folder (any name: notebooks receive it in their ``evidence_path`` parameter).
    out : Path
        Output folder (``reports/``).
    only : tuple of str
        Report names to build (empty: all).
    shard : tuple (I, N) or None
        Build every N-th selected report, starting with the I-th (1-based).
    jobs : int
        Reports executed at once (kernels running in parallel).
    force : bool
        Rebuild reports whose inputs are unchanged.
    timeout : float
        Seconds one report may run before its kernel is stopped and it is marked failed.
    lock_wait : float
        Seconds to wait for another build on the same folder; 0 refuses at once.
    fresh_kernels : bool
        Give every report a freshly started kernel instead of reusing (and resetting) warm kernels.
    """

    definitions: Path
    evidence: Path
    out: Path
    only: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    force: bool = False
    timeout: float = 600.0
    lock_wait: float = 0.0
    fresh_kernels: bool = False


@dataclass
class BuildResult:
    """The outcome of a build: one status per defined report, in definition order, and its duration."""

    statuses: list[ReportStatus]
    seconds: float

    def count(self, status: str) -> int:
        """How many selected reports ended with ``status`` (``built``, ``skipped``, ``failed``)."""
        return sum(item.selected and item.status == status for item in self.statuses)

    @property
    def exit_code(self) -> int:
        """0 when no report failed, else 1."""
        return 1 if self.count("failed") else 0


def _now() -> str:
    """When a report was built, as the index states it: ``SOURCE_DATE_EPOCH`` when set (reproducible
    builds), else now."""
    from ..formatting import build_moment

    return build_moment().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def kernel_environment(shared: Path | None = None) -> dict[str, str]:
    """The kernels' environment: this one, plus Agg plotting and fixed hashing.

    ``shared`` is this build's folder of results its reports share (``LYMPHOMA_EVIDENCE_SHARED``,
    :mod:`lymphoma_evidence.data.shared`): figures and analysis tables are computed once per build. The
    evidence and the validated bundle are given to each notebook as parameters (:func:`given_evidence`).
    """
    from ..paths import SHARED_CACHE_ENV

    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    env.pop(SHARED_CACHE_ENV, None)
    if shared is not None:
        env[SHARED_CACHE_ENV] = str(Path(shared).resolve())
    return env


#: The notebook parameters the build fills in: the evidence folder, and the folder of the bundle it
#: validated (``load_evidence(evidence_path, cache=evidence_cache)``).
EVIDENCE_PARAMETER, CACHE_PARAMETER = "evidence_path", "evidence_cache"


def given_evidence(specs: Sequence[ReportSpec], evidence: Path, cache: Path) -> list[ReportSpec]:
    """``specs`` with ``evidence`` and ``cache`` in the parameters their notebooks declare for them
    (:data:`EVIDENCE_PARAMETER`, :data:`CACHE_PARAMETER`); the values replace any given in reports.toml.

    Raises
    ------
    ParameterError
        When a notebook has no ``evidence_path`` parameter but ``evidence`` is not the evidence it finds
        itself (the ``evidence/`` folder of the project above it): it would read other evidence.
    """
    from .params import notebook_parameters

    folder, given, problems = Path(evidence).resolve(), [], []
    for spec in specs:
        declared = notebook_parameters(spec.notebook) or {}
        values = {EVIDENCE_PARAMETER: str(folder), CACHE_PARAMETER: str(Path(cache).resolve())}
        values = {name: value for name, value in values.items() if name in declared}
        if EVIDENCE_PARAMETER not in values and _own_evidence(spec.notebook) != folder:
            problems.append(f"report {spec.name!r} ({spec.notebook.name}): the notebook has no "
                            f"{EVIDENCE_PARAMETER} parameter, so it cannot be given the evidence in "
                            f'{folder}; add `{EVIDENCE_PARAMETER}: str = ""` to its parameters cell and '
                            f"call load_evidence({EVIDENCE_PARAMETER} or None).")
        given.append(replace(spec, parameters={**spec.parameters, **values}) if values else spec)
    if problems:
        raise ParameterError(f"{len(problems)} report(s) cannot be given the evidence; nothing was run:\n  "
                             + "\n  ".join(problems))
    return given


def _own_evidence(notebook: Path) -> Path | None:
    """The evidence folder a notebook finds by itself (the project's, found from its folder), or None."""
    from ..errors import ProjectNotFoundError
    from ..paths import evidence_dir, find_project_root

    try:
        return evidence_dir(find_project_root(notebook.parent)).resolve()
    except ProjectNotFoundError:
        return None


@dataclass(frozen=True)
class _Executed:
    """A report whose notebook ran: what is needed to export and write it."""

    spec: ReportSpec
    notebook: object
    scratch: Path
    started: float


class _Runner:
    """Runs the reports that need building; shared state for the worker threads."""

    def __init__(self, options: BuildOptions, manifest: Manifest, keys: dict[str, str],
                 provenance: Provenance, exporter: ReportExporter, progress: Progress) -> None:
        self.options, self.manifest, self.keys = options, manifest, keys
        self.provenance, self.exporter, self.progress = provenance, exporter, progress
        self.executed = options.out / EXECUTED

    def run(self, specs: Sequence[ReportSpec], pool: KernelPool) -> dict[str, str]:
        """Execute ``specs`` on ``pool``'s kernels, ``pool.size`` at once, and export them; name -> status.

        The report threads execute; this thread exports and writes each executed report while they go
        on to the next one, so the export of one report overlaps the execution of the next.
        """
        self.pool = pool
        executor = ThreadPoolExecutor(pool.size, thread_name_prefix="report")
        outcome: dict[str, str] = {}
        try:
            futures = {executor.submit(self._execute_one, spec): spec for spec in self._longest_first(specs)}
            for done, future in enumerate(as_completed(futures), start=1):
                spec, result = futures[future], future.result()
                outcome[spec.name], message = result if isinstance(result, tuple) else self._write(result)
                self.progress(f"[{done}/{len(specs)}] {spec.name}: {message}")
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        return outcome

    def _longest_first(self, specs: Sequence[ReportSpec]) -> list[ReportSpec]:
        """``specs`` in the order to start them: reports new to the manifest first (their time is
        unknown), then by the seconds their last build took, longest first, so no long report starts
        last while the other kernels sit idle. Ties keep the definition order."""
        def last_seconds(spec: ReportSpec) -> float:
            record = self.manifest.records.get(spec.name)
            return float("inf") if record is None else record.seconds

        return sorted(specs, key=last_seconds, reverse=True)

    def _execute_one(self, spec: ReportSpec) -> _Executed | tuple[str, str]:
        """Run ``spec`` on a kernel: the executed report, or its failure as ``(status, message)``."""
        from .execute import ReportFailedError

        started = time.perf_counter()
        scratch = temporary_path(self.executed / f"{spec.name}.ipynb")
        executed = None
        try:
            manager = self.pool.take()
            started = time.perf_counter()  # the report's own time, without its wait for a kernel
            executed = _Executed(spec, self._execute(spec, manager, scratch), scratch, started)
            return executed
        except (ReportFailedError, KernelStartError) as err:
            return self._failed(spec, str(err), started)
        except BuildError:
            raise
        except Exception as err:  # an unexpected failure of one report must not stop others
            return self._crashed(spec, err, started)
        finally:
            if executed is None:  # the scratch notebook is the writer's once the report ran
                scratch.unlink(missing_ok=True)

    def _write(self, done: _Executed) -> tuple[str, str]:
        """Export an executed report, write its HTML and executed notebook, and record it."""
        from .execute import kept_notebook

        spec = done.spec
        try:
            kept = self.executed / f"{spec.name}.ipynb"
            record = kept_notebook(done.notebook, kept)
            html = self.exporter.export(done.notebook, spec.title, self.provenance, spec.audience)
            write_text_atomic(self.options.out / f"{spec.name}.html", html)
            write_text_atomic(kept, record)
        except BuildError:
            raise
        except Exception as err:  # an unexpected failure of one report must not stop others
            return self._crashed(spec, err, done.started)
        finally:
            done.scratch.unlink(missing_ok=True)
        (self.executed / f"{spec.name}.failed.ipynb").unlink(missing_ok=True)
        seconds = time.perf_counter() - done.started
        self.manifest.record(spec.name, ReportRecord(self.keys[spec.name], "built", _now(), seconds,
                                                     evidence_hash=self.provenance.evidence_hash))
        return "built", f"built in {seconds:.1f} s"

    def _execute(self, spec: ReportSpec, manager, scratch: Path):
        """Execute on the warm kernel ``manager``; a failed run's notebook is kept as NAME.failed.ipynb.

        The kernel goes back to the pool (reset for the next report) only when the report succeeded;
        after any failure, timeout or crash it is shut down.
        """
        from .execute import ReportFailedError, execute_report

        succeeded = False
        try:
            notebook = execute_report(spec, manager, scratch, self.options.timeout)
            succeeded = True
            return notebook
        except ReportFailedError:
            if scratch.is_file() and scratch.stat().st_size:
                os.replace(scratch, self.executed / f"{spec.name}.failed.ipynb")
            raise
        finally:
            self.pool.release(manager, reusable=succeeded)

    def _crashed(self, spec: ReportSpec, err: Exception, started: float) -> tuple[str, str]:
        """Record a report that failed in an unexpected way (not in one of its cells)."""
        return self._failed(spec, f"report {spec.name!r} failed: {type(err).__name__}: {err}", started)

    def _failed(self, spec: ReportSpec, error: str, started: float) -> tuple[str, str]:
        seconds = time.perf_counter() - started
        self.manifest.record(spec.name, ReportRecord(self.keys[spec.name], "failed", _now(), seconds,
                                                     error=error,
                                                     evidence_hash=self.provenance.evidence_hash))
        return "failed", f"FAILED after {seconds:.1f} s: {error}"


def _statuses(specs: Sequence[ReportSpec], selected: set[str], outcome: dict[str, str],
              manifest: Manifest, out: Path) -> list[ReportStatus]:
    statuses = []
    for spec in specs:
        record = manifest.records.get(spec.name)
        if spec.name in outcome:
            status = outcome[spec.name]
        elif spec.name in selected:
            status = "skipped"
        else:
            status = record.status if record else "not built"
        statuses.append(ReportStatus(spec, status, record, (out / f"{spec.name}.html").is_file(),
                                     selected=spec.name in selected))
    return statuses


def _provenance(built: str, evidence: Path, evidence_version: str, evidence_hash: str):
    from .. import __version__
    from .export import Provenance, release_date

    return Provenance(built, evidence_version, evidence_hash, __version__,
                      release_date(evidence, evidence_version))


def run_build(options: BuildOptions, progress: Progress = _stderr) -> BuildResult:
    """Build the reports: validate, check parameters, execute what changed, export, write the index.

    Raises
    ------
    EvidenceError
        When the evidence is invalid and some report needs building (nothing runs).
    ParameterError
        When a report's parameters do not fit its notebook (nothing runs), or ``only`` names an
        unknown report.
    BuildError
        When the definitions are malformed, another build holds the output folder, or the output
        folder cannot be written.
    ParameterError
        Also when ``SOURCE_DATE_EPOCH`` is set but malformed (checked first, before anything is written).
    """
    from ..formatting import build_stamp

    started = time.perf_counter()
    built = build_stamp()
    specs = load_definitions(options.definitions)
    chosen = select_reports(specs, options.only, options.shard)
    out = Path(options.out)
    ensure_folder(out)
    ensure_folder(out / EXECUTED)
    with build_lock(out, options.lock_wait):
        remove_stale_temporaries(out, out / EXECUTED)
        manifest = Manifest(out)
        outcome, provenance = _build_locked(options, chosen, manifest, progress, built)
        statuses = _statuses(specs, {spec.name for spec in chosen}, outcome, manifest, out)
        write_text_atomic(out / "index.html", render_index(statuses, provenance))
    result = BuildResult(statuses, time.perf_counter() - started)
    progress(f"{result.count('built')} built, {result.count('skipped')} up to date, "
             f"{result.count('failed')} failed in {result.seconds:.1f} s; index: {out / 'index.html'}")
    return result


def _build_locked(options: BuildOptions, chosen: list[ReportSpec], manifest: Manifest,
                  progress: Progress, built: str):
    from ..data.hashing import content_hash
    from ..data.schema import load_package

    evidence_hash = content_hash(options.evidence)
    library = library_digest()
    keys = {spec.name: input_key(spec.notebook, dict(spec.parameters), evidence_hash, library)
            for spec in chosen}
    to_run = [spec for spec in chosen if options.force
              or not manifest.is_current(spec.name, keys[spec.name], options.out / f"{spec.name}.html")]
    if not to_run:
        progress(f"all {len(chosen)} selected report(s) are up to date; nothing to run "
                 "(--force rebuilds them)")
        return {}, _provenance(built, options.evidence, load_package(options.evidence).version, evidence_hash)
    from .evidence_cache import CACHE_FOLDER, validator_identity

    kind = "fresh kernel(s)" if options.fresh_kernels else "kernel(s), reused"
    kernels = kernels_worth_starting(to_run, manifest, options.jobs)
    progress(f"building {len(to_run)} report(s) on {kernels} {kind}; {len(chosen) - len(to_run)} up to date")
    preload = load_preload(options.definitions)
    validator = validator_identity(library)
    version = _reused_version(options, evidence_hash, validator, progress)
    call = None if version is not None else _validation_call(options, evidence_hash, validator, preload)
    # The kernels start and warm up, and the evidence is validated, while this process prepares.
    warm = notebook_modules(spec.notebook for spec in to_run)
    template, pool = _start_kernels(options, kernels, len(to_run), (*preload, *warm), call)
    try:
        try:
            to_run = given_evidence(to_run, options.evidence, options.out / CACHE_FOLDER)
            _check_parameters(to_run)
            exporter = _warm_exporter(built, evidence_hash)
        finally:  # invalid evidence is reported before (and instead of) invalid parameters
            if version is None:
                version = _validated_version(options, evidence_hash, validator, template)
        provenance = _provenance(built, options.evidence, version, evidence_hash)
        runner = _Runner(options, manifest, keys, provenance, exporter, progress)
        outcome = runner.run(to_run, pool)
        _warn_about_kernels(pool, preload, options.definitions, progress)
        return outcome, provenance
    finally:
        pool.close()


#: Seconds of report time that make one more kernel worth starting. A kernel forked from the warmed
#: template costs about 0.2 s of CPU to start (one started on its own, about 1.2 s): on 2 cores, that much
#: less for the reports (benchmarks/RESULTS.md).
WORK_PER_KERNEL = 0.5


def kernels_worth_starting(specs: Sequence[ReportSpec], manifest: Manifest, jobs: int) -> int:
    """How many kernels to run ``specs`` on: ``jobs``, or fewer when the reports' last recorded times
    (from the manifest) add up to less than :data:`WORK_PER_KERNEL` seconds per kernel.

    A report without a record counts as enough work for a kernel of its own, so a first build (or one
    with a new report) uses ``jobs`` kernels.
    """
    records = [manifest.records.get(spec.name) for spec in specs]
    if any(record is None for record in records):
        return max(1, min(jobs, len(specs)))
    work = sum(record.seconds for record in records if record is not None)
    return max(1, min(jobs, len(specs), math.ceil(work / WORK_PER_KERNEL)))


def _start_kernels(options: BuildOptions, kernels: int, reports: int, preload: tuple[str, ...],
                   call: TemplateCall | None) -> tuple[KernelTemplate | None, KernelPool]:
    """Start the pool of ``kernels`` kernels for ``reports`` reports (they warm up in the background),
    forked from one warmed template that imported ``preload`` too (``[kernels] preload``, then the modules
    the notebooks import) and makes ``call`` early, unless
    ``--fresh-kernels`` asks for kernels started one by one; the template (``None`` without one) and the
    pool (which closes it).

    The kernels are told where the validated evidence will be saved (``<out>/.cache``) before it is:
    they only read it when a report loads the evidence, after the build has written it.
    """
    from .evidence_cache import fresh_shared_cache
    from .kernels import REPORTS_PER_KERNEL, KernelPool, kernel_template

    env = kernel_environment(fresh_shared_cache(options.out))
    cwd = options.definitions.parent
    if options.fresh_kernels:  # every report on a kernel started for it, as before kernels were reused
        return None, KernelPool(kernels, reports, cwd, env, reuse=1)
    template = kernel_template(cwd, env, preload, call)
    return template, KernelPool(kernels, reports, cwd, env, reuse=REPORTS_PER_KERNEL, template=template)


def _warn_about_kernels(pool: KernelPool, preload: tuple[str, ...], definitions: Path,
                        progress: Progress) -> None:
    """Say which ``preload`` modules (``[kernels]`` of ``definitions``) could not be imported, and whether
    kernels could not be forked from the template; the reports ran either way (importing what they
    needed, on kernels started one by one)."""
    if unknown := [name for name in pool.not_imported() if name in preload]:
        progress(f"warning: [kernels] preload in {definitions}: could not import {', '.join(unknown)}; "
                 "check the module names (the reports imported what they needed themselves).")
    if failure := pool.fork_failure():
        progress(f"warning: {failure}; kernels were started one by one instead (slower).")


#: Seconds the build waits for the template's child to validate the evidence before validating it itself.
VALIDATION_WAIT = 600.0


def _reused_version(options: BuildOptions, expected_hash: str, validator: str,
                    progress: Progress) -> str | None:
    """The version of the evidence bundle the last build of ``options.out`` validated, when the evidence
    and the validator are unchanged since; else ``None`` (the evidence needs validating)."""
    from .evidence_cache import validated_version

    version = validated_version(options.out, expected_hash, validator)
    if version is not None:
        progress("evidence unchanged since the last build validated it (same content hash and validator)")
    return version


def _validation_call(options: BuildOptions, expected_hash: str, validator: str,
                     preload: tuple[str, ...] = ()) -> TemplateCall:
    """Validating the evidence (and saving the bundle), as the kernel template's early call.

    The template forks the call's child once it has imported the library's data layer and the modules of
    ``preload`` that belong to the libraries validation runs on (such as ``scipy.special``): the child
    shares those imports with the kernels instead of importing them a second time.
    """
    from .evidence_cache import VALIDATION_LIBRARIES, validate_and_save
    from .kernel_template import TemplateCall

    shared = tuple(name for name in preload if name.partition(".")[0] in VALIDATION_LIBRARIES)
    return TemplateCall(f"{validate_and_save.__module__}:{validate_and_save.__name__}",
                        (str(Path(options.evidence).resolve()), str(Path(options.out).resolve()),
                         expected_hash, validator),
                        needs=("lymphoma_evidence.data.evidence", *shared))


def _validated_version(options: BuildOptions, expected_hash: str, validator: str,
                       template: KernelTemplate | None) -> str:
    """The version of the evidence, validated (and its bundle saved) by the ``template``'s child, or by
    this process when there is no template or its child saved nothing: invalid evidence (reported from
    here, with its problems), or a child that failed."""
    from .evidence_cache import validate_and_save

    if template is not None and (version := template.call_result(VALIDATION_WAIT)) is not None:
        return str(version)
    return validate_and_save(options.evidence, options.out, expected_hash, validator)


def _warm_exporter(built: str, evidence_hash: str) -> ReportExporter:
    """The report exporter, its templates compiled by a first export (while the kernels start and the
    evidence is validated elsewhere); the evidence version is not needed for that."""
    from .. import __version__
    from .export import Provenance, ReportExporter

    exporter = ReportExporter()
    exporter.warm_up(Provenance(built, "", evidence_hash, __version__))
    return exporter


def _check_parameters(specs: Sequence[ReportSpec]) -> None:
    from .params import check_parameters

    check_parameters(specs)
