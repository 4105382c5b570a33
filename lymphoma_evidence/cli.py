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


def load_or_exit(path: Path | None):
    """Load the evidence for a command, or print its problems and exit 1."""
    from .evidence import load_evidence

    try:
        return load_evidence(_evidence_folder(path))
    except EvidenceError as err:
        for problem in err.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(err.problems)} problem(s); run 'lymphoma-evidence validate' after fixing.",
                   err=True)
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lymphoma-evidence")
def cli() -> None:
    """Curated evidence on lymphoma treatment after CAR T-cell therapy, and its briefing reports."""


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path, file_okay=False))
@evidence_option
def validate(path: Path | None, evidence_path: Path | None) -> None:
    """Check the evidence tables; print one 'file:line:column: message' per problem.

    PATH (or --evidence) is the evidence folder; default: evidence/ of the project.
    """
    from .validate import validate_evidence

    folder = _evidence_folder(path or evidence_path)
    problems = validate_evidence(folder)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        files = len({p.file for p in problems})
        click.echo(f"{len(problems)} problem(s) in {files} file(s) under {folder}", err=True)
        sys.exit(1)
    click.echo(f"{folder}: evidence is valid")


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
