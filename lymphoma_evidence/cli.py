"""The ``lymphoma-evidence`` command line: parses arguments and calls the library, nothing more.

Exit codes: 0 success, 1 problems found (invalid evidence, failed reports), 2 usage errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import EvidenceError, LymphomaEvidenceError

evidence_option = click.option(
    "--evidence", "evidence_path", type=click.Path(path_type=Path, file_okay=False),
    default=None, help="Evidence folder to use (default: evidence/ of the project found from here).")


def _evidence_folder(path: Path | None) -> Path:
    from .paths import evidence_dir

    folder = path if path is not None else evidence_dir()
    if not folder.is_dir():
        raise click.UsageError(f"evidence folder {folder} does not exist")
    return folder


def _echo_problems(err: EvidenceError, outcome: str) -> None:
    """Print each problem on stderr, then a count and what happened."""
    for problem in err.problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(err.problems)} problem(s); {outcome}", err=True)


def load_or_exit(path: Path | None):
    """Load the evidence for a command, or print its problems and exit 1."""
    from .data.evidence import load_evidence

    try:
        return load_evidence(_evidence_folder(path))
    except EvidenceError as err:
        _echo_problems(err, "run 'lymphoma-evidence validate' after fixing.")
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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

    folder = _evidence_folder(path or evidence_path)
    problems = validate_evidence(folder)
    if fmt == "json":
        import json

        lines = ",\n".join(json.dumps(problem.as_dict(), ensure_ascii=False) for problem in problems)
        click.echo(f"[\n{lines}\n]" if problems else "[]")
    else:
        for problem in problems:
            click.echo(str(problem))
    if problems:
        files = len({p.file for p in problems})
        click.echo(f"{len(problems)} problem(s) in {files} file(s) under {folder}", err=True)
        sys.exit(1)
    click.echo(f"{folder}: evidence is valid", err=fmt == "json")


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text",
              show_default=True, help="text, md (for a pull request comment) or json.")
@evidence_option
def diff(old: str, new: str, fmt: str, evidence_path: Path | None) -> None:
    """Show what changed from OLD to NEW: each an evidence folder or a git revision (HEAD~1, a tag).

    Exits 1 when a result row was removed and NEW's CHANGELOG.md does not name its result_id.
    """
    from .analyst.diff import diff_evidence
    from .analyst.diffreport import RENDERERS

    result = diff_evidence(old, new, _evidence_folder(evidence_path))
    click.echo(RENDERERS[fmt](result), nl=False)
    if result.unexplained_removals:
        sys.exit(1)


@cli.command()
@click.option("--stale-after-months", type=click.IntRange(min=0), default=12, show_default=True,
              help="Flag sources whose 'accessed' date is older than this.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Reference date YYYY-MM-DD (default: today).")
@click.option("--strict", is_flag=True, help="Exit 1 when anything is found.")
@evidence_option
def audit(stale_after_months: int, today, strict: bool, evidence_path: Path | None) -> None:
    """List stale sources and gaps in the evidence (post-CAR-T data, ranges, data cut-offs)."""
    from .analyst.audit import audit_evidence

    report = audit_evidence(load_or_exit(evidence_path), stale_after_months,
                            today.date() if today else None)
    click.echo(report.render_text(), nl=False)
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
    click.echo(f"wrote {export_workbook(out or Path(default_workbook_name(folder)), folder)}")


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
        _echo_problems(err, f"{file} was not imported and {folder} is unchanged.")
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
        _echo_problems(err, "trials.csv was not changed.")
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
    from .figures.figureset import FIGURE_NAMES, build_figures, export_figures, parse_names, parse_profile

    if list_names:
        for name, what in FIGURE_NAMES.items():
            click.echo(f"{name}: {what}")
        return
    names, patient = parse_names(only), parse_profile(profile)
    evidence = load_or_exit(evidence_path)
    figure_set = build_figures(evidence, names, post_car_t_only=post_car_t_only, profile=patient,
                               progress=_progress)
    _progress(f"writing {len(figure_set.figures)} figure(s) as {formats}")
    written = export_figures(figure_set, out_dir, formats=formats, dpi=dpi)
    click.echo(f"wrote {len(written)} files to {out_dir} (index: {written[-1]})")


@cli.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=Path("deck.pptx"),
              show_default=True, help="PowerPoint file to write.")
@click.option("--title", default=None, help="Title of the deck (default: the standard session title).")
@click.option("--profile", default=None, metavar="NAME",
              help="Patient of the worked case: example, fit-with-donor, fit-no-donor, unfit-cd19-negative.")
@click.option("--post-car-t-only", is_flag=True, help="Leave out the slide of indirect evidence.")
@evidence_option
def slides(out: Path, title: str | None, profile: str | None, post_car_t_only: bool,
           evidence_path: Path | None) -> None:
    """Build the 16:9 teaching deck: outlook, options, direct evidence, harms, a worked case, trials,
    takeaways, references, with speaker notes."""
    from .figures.figureset import parse_profile
    from .figures.slides import DECK_TITLE, write_deck

    patient = parse_profile(profile)
    evidence = load_or_exit(evidence_path)
    path = write_deck(evidence, out, title=title or DECK_TITLE, profile=patient,
                      post_car_t_only=post_car_t_only, progress=_progress)
    click.echo(f"wrote {path}")


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    from .build.definitions import parse_shard
    from .errors import ParameterError

    try:
        return parse_shard(value) if value else None
    except ParameterError as err:
        raise click.BadParameter(str(err)) from err


@cli.command()
@click.option("--only", multiple=True, metavar="NAME", help="Build only this report (repeatable).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Reports run at once (default: number of CPUs).")
@click.option("--force", is_flag=True, help="Rebuild reports whose inputs are unchanged.")
@click.option("--shard", callback=_shard, metavar="I/N", help="Build every N-th report, from the I-th.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Output folder (default: reports/ of the project).")
@click.option("--reports", "definitions", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Report definitions (default: notebooks/reports.toml).")
@click.option("--timeout", type=click.FloatRange(min=1), default=600, show_default=True,
              help="Seconds one report may run before it is stopped and marked failed.")
@click.option("--wait", "lock_wait", type=click.FloatRange(min=0), default=0, show_default=True,
              help="Seconds to wait for another build of the same folder to finish.")
@evidence_option
def build(only: tuple[str, ...], jobs: int | None, force: bool, shard: tuple[int, int] | None,
          out: Path | None, definitions: Path | None, timeout: float, lock_wait: float,
          evidence_path: Path | None) -> None:
    """Build the HTML briefings: validate, run changed notebooks, export, write reports/index.html.

    Exits 1 when the evidence is invalid or any report failed (its previous HTML is kept).
    """
    from .build.definitions import UnknownReportError
    from .build.engine import BuildOptions, run_build
    from .paths import notebooks_dir, reports_dir

    options = BuildOptions(definitions=definitions or notebooks_dir() / "reports.toml",
                           evidence=_evidence_folder(evidence_path), out=out or reports_dir(),
                           only=only, shard=shard, force=force, timeout=timeout, lock_wait=lock_wait,
                           **({"jobs": jobs} if jobs else {}))
    try:
        result = run_build(options, progress=lambda line: click.echo(line, err=True))
    except UnknownReportError as err:
        raise click.BadParameter(str(err), param_hint="--only") from err
    except EvidenceError as err:
        _echo_problems(err, "no report was built; fix the evidence and build again.")
        sys.exit(1)
    sys.exit(result.exit_code)


def main() -> None:
    """Console-script entry point: run the CLI, turning the toolkit's own errors into one-line messages."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as err:
        err.show()
        sys.exit(2 if isinstance(err, click.UsageError) else 1)
    except LymphomaEvidenceError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
