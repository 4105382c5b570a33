"""The ``lymphoma-evidence`` command line: parses arguments and calls the library, nothing more.

Exit codes, the same for every command (:data:`EXIT_CODES`): 0 clean, 1 findings or problems (invalid
evidence, failed reports, unexplained removals, audit findings with ``--strict``), 2 usage errors
(unknown option, command, revision, figure, profile or report name, a path that does not exist or cannot
be read, an output file that cannot be written, no release to compare with).
"""

from __future__ import annotations

import atexit
import gc
import sys
import warnings
from pathlib import Path

import click

from . import __version__
from .errors import EvidenceError, LymphomaEvidenceError, OutputFolderError, OutputWriteError, UsageError

#: Exit code -> what it means; shown in ``--help`` and the README.
EXIT_CODES = {0: "clean: nothing wrong was found",
              1: "findings or problems: invalid evidence, failed reports, audit findings (--strict), "
                 "removed results the CHANGELOG does not explain",
              2: "usage error: unknown option, command, revision, figure, profile or report name; a path "
                 "that does not exist or cannot be read; an output file that cannot be written; no release "
                 "to compare with"}
EXIT_HELP = "\b\nExit codes (every command):\n" + "\n".join(
    f"  {code}  {meaning}" for code, meaning in EXIT_CODES.items())

evidence_option = click.option(
    "--evidence", "evidence_path", type=click.Path(path_type=Path, file_okay=False),
    default=None, help="Evidence folder to use (default: evidence/ of the project found from here).")


def _evidence_folder(path: Path | None) -> Path:
    """The evidence folder as the user gave it, else the project's ``evidence/``."""
    from .paths import evidence_dir

    folder = path if path is not None else evidence_dir()
    if not folder.is_dir():
        raise click.UsageError(f"evidence folder {folder} does not exist")
    return folder


def _output_file(path: Path) -> Path:
    """``path`` when its folder exists; a usage error (exit 2) naming the folder otherwise."""
    if not path.parent.is_dir():
        raise click.UsageError(f"cannot write {path}: the folder {path.parent} does not exist; create it "
                               "or give another --out")
    return path


def _echo_problems(err: EvidenceError, outcome: str, folder: Path | None = None) -> None:
    """Print each problem on stderr (located under ``folder`` as given), then a count and what happened."""
    from .paths import shown_path

    shown = shown_path(folder) if folder is not None else None
    for problem in err.problems:
        in_folder = problem.file.endswith((".csv", ".json"))  # not a workbook or trial record
        click.echo(problem.render(shown if in_folder else None), err=True)
    click.echo(f"{len(err.problems)} problem(s); {outcome}", err=True)


def load_or_exit(path: Path | None):
    """Load the evidence for a command, or print its problems and exit 1."""
    from .data.evidence import load_evidence

    folder = _evidence_folder(path)
    try:
        return load_evidence(folder)
    except EvidenceError as err:
        _echo_problems(err, "run 'lymphoma-evidence validate' after fixing.", folder)
        sys.exit(1)


class ToolkitFailure(click.ClickException):
    """A toolkit error shown as one line, ``error: ...``; exit 1 (findings or problems)."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class ToolkitUsageError(ToolkitFailure):
    """A toolkit error about what the command was given (a revision, a path, a parameter); exit 2."""

    exit_code = 2


class ToolkitGroup(click.Group):
    """The command group: the toolkit's own errors become exit 2 (usage: also an output file that cannot
    be written, such as ``export --out`` in a read-only folder) or 1 (anything else), the same under the
    console script and click's test runner."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UsageError as err:
            raise ToolkitUsageError(str(err)) from err
        except OutputWriteError as err:
            raise ToolkitUsageError(f"{err.reason}; give another --out, or make its folder writable") from err
        except OutputFolderError as err:
            raise ToolkitUsageError(str(err)) from err
        except LymphomaEvidenceError as err:
            raise ToolkitFailure(str(err)) from err


@click.group(cls=ToolkitGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_HELP)
@click.version_option(__version__, prog_name="lymphoma-evidence")
def cli() -> None:
    """Curated evidence on lymphoma treatment after CAR T-cell therapy, and its briefing reports."""


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one 'file:line:column: message' per line; json: a list with one object per "
                   "problem (file, line, column, code, message), for editors and CI.")
@evidence_option
def validate(path: Path | None, fmt: str, evidence_path: Path | None) -> None:
    """Check the evidence tables; print every problem, located by file, line and column.

    PATH (or --evidence) is the evidence folder; default: evidence/ of the project. Exits 1 when there
    is any problem.
    """
    from .data.validate import validate_evidence
    from .paths import shown_path

    folder = _evidence_folder(path or evidence_path)
    problems = validate_evidence(folder)
    if fmt == "json":
        import json

        lines = ",\n".join(json.dumps(problem.as_dict(), ensure_ascii=False) for problem in problems)
        click.echo(f"[\n{lines}\n]" if problems else "[]")
    else:
        shown = shown_path(folder)
        for problem in problems:
            click.echo(problem.render(shown))
    if problems:
        files = len({p.file for p in problems})
        click.echo(f"{len(problems)} problem(s) in {files} file(s) under {folder}", err=True)
        sys.exit(1)
    click.echo(f"{folder}: evidence is valid", err=fmt == "json")


@cli.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text",
              show_default=True, help="text, md (for a pull request comment) or json.")
@evidence_option
def diff(old: str | None, new: str | None, fmt: str, evidence_path: Path | None) -> None:
    """Show what changed from OLD to NEW: each an evidence folder or a git revision (HEAD~1, a tag).

    OLD defaults to the latest release (the newest evidence-vX.Y.Z tag, or in a clone without tags the
    release commit of the newest version in CHANGELOG.md), NEW to the evidence folder.
    Exits 1 when a result row was removed and NEW's CHANGELOG.md does not name its result_id.
    """
    from .analyst.diff import diff_evidence
    from .analyst.diffreport import RENDERERS
    from .analyst.revisions import latest_release, missing_tag_hint
    from .errors import UsageError

    folder = _evidence_folder(evidence_path)
    if old is None:
        release = latest_release(folder)
        if release is None:
            hint = missing_tag_hint(folder)
            raise UsageError("there is no evidence release to compare with (no evidence-vX.Y.Z tag or "
                             f"release commit{'; ' + hint if hint else ''}); give OLD, e.g. 'diff HEAD~1', "
                             "or make one with 'lymphoma-evidence release'")
        old = release[1]
    result = diff_evidence(old, new if new is not None else str(folder), folder)
    click.echo(RENDERERS[fmt](result), nl=False)
    if result.unexplained_removals:
        sys.exit(1)


@cli.command()
@click.argument("bump", type=click.Choice(["major", "minor", "patch"]))
@click.option("--no-git", is_flag=True, help="Only write the files; do not commit or tag.")
@evidence_option
def release(bump: str, no_git: bool, evidence_path: Path | None) -> None:
    """Release the evidence: validate, bump the version (BUMP: major, minor or patch), tag it in git.

    CHANGELOG.md must have a '## X.Y.Z' section for the new version (it is dated if it has no date).
    Inside a git repository the version change is committed and tagged evidence-vX.Y.Z.
    """
    from .analyst.release import release_evidence

    folder = _evidence_folder(evidence_path)
    try:
        done = release_evidence(folder, bump, git=not no_git)
    except EvidenceError as err:
        _echo_problems(err, "nothing was released; fix the evidence first.", folder)
        sys.exit(1)
    untagged = "--no-git" if no_git else "not in a git repository"
    tagged = f"; tagged {done.tag}" if done.tag else f" (not tagged: {untagged})"
    click.echo(f"released evidence {done.version} (was {done.previous}) on {done.released}{tagged}")
    click.echo("the notebooks' stored outputs now predate the evidence: run 'make notebooks' and commit them")


@cli.command()
@click.option("--stale-after-months", type=click.IntRange(min=0), default=12, show_default=True,
              help="Flag sources whose 'accessed' date, and trials whose registry status date, are older.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Reference date YYYY-MM-DD (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text",
              show_default=True, help="text (tables), md or json.")
@click.option("--strict", is_flag=True, help="Exit 1 when anything is found.")
@evidence_option
def audit(stale_after_months: int, today, fmt: str, strict: bool, evidence_path: Path | None) -> None:
    """List stale sources and trial statuses, gaps in the evidence, and changes since the latest release."""
    from .analyst.audit import audit_evidence
    from .analyst.auditreport import RENDERERS

    report = audit_evidence(load_or_exit(evidence_path), stale_after_months,
                            today.date() if today else None, compare=True)
    click.echo(RENDERERS[fmt](report), nl=False)
    if strict and report.total:
        sys.exit(1)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["xlsx"]), default="xlsx", show_default=True,
              help="Spreadsheet format.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Workbook to write (default: evidence-<version>.xlsx in the current folder).")
@evidence_option
def export(fmt: str, out: Path | None, evidence_path: Path | None) -> None:
    """Export the evidence tables to a workbook: a sheet per table and a 'Fields' sheet."""
    from .analyst.xlsx import default_workbook_name, export_workbook

    folder = _evidence_folder(evidence_path)
    target = _output_file(out or Path(default_workbook_name(folder)))
    click.echo(f"wrote {export_workbook(target, folder)}")


@cli.command("import-xlsx")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@evidence_option
def import_xlsx(file: Path, evidence_path: Path | None) -> None:
    """Validate an edited workbook FILE and, only if valid, write its tables to the evidence CSVs."""
    from .analyst.xlsx import import_workbook

    folder = _evidence_folder(evidence_path)
    try:
        result = import_workbook(file, folder)
    except EvidenceError as err:
        _echo_problems(err, f"{file} was not imported and {folder} is unchanged.", folder)
        sys.exit(1)
    for sheet in result.ignored_sheets:
        click.echo(f"note: sheet '{sheet}' is not an evidence table; ignored", err=True)
    changed = ", ".join(result.changed_files) or "nothing (the workbook matches the evidence)"
    click.echo(f"updated {changed}")


@cli.command("import-trial")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--class-id", default=None,
              help="therapy class of trials not yet in trials.csv (required for those).")
@click.option("--write", is_flag=True, help="Update trials.csv (validated first, replaced atomically).")
@click.option("--source", "show_source", is_flag=True, help="Also print draft sources.csv rows.")
@evidence_option
def import_trial(files: tuple[Path, ...], class_id: str | None, write: bool, show_source: bool,
                 evidence_path: Path | None) -> None:
    """Turn ClinicalTrials.gov API v2 records (saved JSON FILES) into trials.csv rows."""
    from .analyst.ctgov import import_trials, render_sources, render_updates
    from .data.schema import load_package

    folder = _evidence_folder(evidence_path)
    try:
        updates = import_trials(list(files), folder, class_id=class_id, write=write)
    except EvidenceError as err:
        _echo_problems(err, "trials.csv was not changed.", folder)
        sys.exit(1)
    package = load_package(folder)
    click.echo(render_updates(updates, package.table("trials").columns), nl=False)
    if show_source:
        click.echo(render_sources(updates, package.table("sources").columns), nl=False)
    if write:
        click.echo(f"wrote {folder / 'trials.csv'}")


def _progress(line: str) -> None:
    """Progress of a slow command, on stderr so the output stays clean."""
    click.echo(line, err=True)


@cli.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("figures"),
              show_default=True, help="Folder for the figure files and figures.md.")
@click.option("--only", "only", default=None, metavar="NAMES",
              help="Comma-separated figure names (default: all but stated_ranges); see --list.")
@click.option("--post-car-t-only", is_flag=True, help="Only figures of direct (post-CAR-T) evidence.")
@click.option("--profile", default=None, metavar="NAME",
              help="Patient of the eligibility figure: example, fit-with-donor, fit-no-donor, "
                   "unfit-cd19-negative (default: example).")
@click.option("--list", "list_names", is_flag=True, help="List the figure names and exit.")
@click.option("--format", "formats", default="png,svg", show_default=True,
              help="Comma-separated file formats: png, svg.")
@click.option("--dpi", type=click.IntRange(min=200), default=200, show_default=True, help="PNG resolution.")
@evidence_option
def figures(out_dir: Path, only: str | None, post_car_t_only: bool, profile: str | None, list_names: bool,
            formats: str, dpi: int, evidence_path: Path | None) -> None:
    """Write slide-sized (16:9) figures as PNG and SVG, plus figures.md with alt text and sources."""
    from .analysis.tables import analysis_tables, parse_profile
    from .figures.figureset import FIGURE_NAMES, build_figures, export_figures, parse_formats, parse_names

    if list_names:
        for name, what in FIGURE_NAMES.items():
            click.echo(f"{name}: {what}")
        return
    names, patient = parse_names(only), parse_profile(profile)
    parse_formats(formats)
    click.echo("reading and checking the evidence", err=True)
    evidence = load_or_exit(evidence_path)
    tables = analysis_tables(evidence, patient, stated_ranges="stated_ranges" in names)
    figure_set = build_figures(tables, names, post_car_t_only=post_car_t_only, progress=_progress)
    _progress(f"writing {len(figure_set.figures)} figure(s) as {formats}")
    written = export_figures(figure_set, out_dir, formats=formats, dpi=dpi)
    click.echo(f"wrote {len(written)} files to {out_dir} (index: {written[-1]})")


@cli.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=Path("deck.pptx"),
              show_default=True, help="PowerPoint file to write.")
@click.option("--title", default=None, help="Title of the deck (default: the topic's, texts.csv deck_title).")
@click.option("--profile", default=None, metavar="NAME",
              help="Patient of the worked case: example, fit-with-donor, fit-no-donor, unfit-cd19-negative.")
@click.option("--post-car-t-only", is_flag=True, help="Leave out the slide of indirect evidence.")
@evidence_option
def slides(out: Path, title: str | None, profile: str | None, post_car_t_only: bool,
           evidence_path: Path | None) -> None:
    """Build the 16:9 teaching deck: outlook, options, direct evidence, harms, a worked case, trials,
    takeaways, references, with speaker notes."""
    from .analysis.tables import analysis_tables, parse_profile
    from .figures.slides import write_deck

    patient = parse_profile(profile)
    _output_file(out)
    click.echo("reading and checking the evidence", err=True)
    evidence = load_or_exit(evidence_path)
    path = write_deck(analysis_tables(evidence, patient), out, title=title,
                      post_car_t_only=post_car_t_only, progress=_progress)
    click.echo(f"wrote {path}")


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    from .errors import ParameterError
    from .publish.definitions import parse_shard

    try:
        return parse_shard(value) if value else None
    except ParameterError as err:
        raise click.BadParameter(str(err)) from err


@cli.command()
@click.option("--only", multiple=True, metavar="NAME", help="Build only this report (repeatable).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Most reports run at once (default: number of CPUs; fewer when the reports' last "
                   "recorded times are too short to be worth another kernel).")
@click.option("--force", is_flag=True,
              help="Rebuild reports whose inputs are unchanged (evidence unchanged since the last build "
                   "validated it, with the same validator, is not validated again).")
@click.option("--shard", callback=_shard, metavar="I/N", help="Build every N-th report, from the I-th.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Output folder (default: reports/ of the project).")
@click.option("--reports", "definitions", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None,
              help="Report definitions (default: notebooks/reports.toml).")
@click.option("--timeout", type=click.FloatRange(min=1), default=600, show_default=True,
              help="Seconds one report may run before it is stopped and marked failed.")
@click.option("--wait", "lock_wait", type=click.FloatRange(min=0), default=0, show_default=True,
              help="Seconds to wait for another build of the same folder to finish.")
@click.option("--fresh-kernels", is_flag=True,
              help="Start a fresh kernel for every report instead of reusing reset warm kernels.")
@evidence_option
def build(only: tuple[str, ...], jobs: int | None, force: bool, shard: tuple[int, int] | None,
          out: Path | None, definitions: Path | None, timeout: float, lock_wait: float,
          fresh_kernels: bool, evidence_path: Path | None) -> None:
    """Build the HTML briefings: validate, run changed notebooks, export, write reports/index.html.

    Exits 1 when the evidence is invalid or any report failed (its previous HTML is kept).
    """
    from .paths import notebooks_dir, reports_dir
    from .publish.definitions import UnknownReportError
    from .publish.engine import BuildOptions, run_build

    options = BuildOptions(definitions=definitions or notebooks_dir() / "reports.toml",
                           evidence=_evidence_folder(evidence_path), out=out or reports_dir(),
                           only=only, shard=shard, force=force, timeout=timeout, lock_wait=lock_wait,
                           fresh_kernels=fresh_kernels, **({"jobs": jobs} if jobs else {}))
    try:
        result = run_build(options, progress=lambda line: click.echo(line, err=True))
    except UnknownReportError as err:
        raise click.BadParameter(str(err), param_hint="--only") from err
    except EvidenceError as err:
        _echo_problems(err, "no report was built; fix the evidence and build again.", options.evidence)
        sys.exit(1)
    sys.exit(result.exit_code)


def main() -> None:
    """Console-script entry point: run the CLI, turning the toolkit's own errors into one-line messages.

    Warnings that libraries raise about their own code are not shown (they would look like problems in
    the evidence); ``python -W default -m lymphoma_evidence ...`` or ``PYTHONWARNINGS`` shows them.
    """
    if not sys.warnoptions:
        warnings.simplefilter("ignore")
    # At exit, every object moves to the permanent generation, so the interpreter's collections at
    # shutdown have nothing to traverse: in a process that is ending they free nothing worth freeing, and
    # took about 0.15 s of every build (benchmarks/RESULTS.md). Files are flushed and closed as before.
    atexit.register(gc.freeze)
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)  # 2 for click's usage errors and the toolkit's (ToolkitUsageError)
    except UsageError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    except LymphomaEvidenceError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
