"""The project's exception tree and the `Problem` record validation reports are made of.

Every error the toolkit raises on purpose derives from :class:`LymphomaEvidenceError`, so a caller
(or the CLI) can catch one type and print a clean message instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the evidence, located as precisely as the data allows.

    Attributes
    ----------
    file : str
        File name relative to the evidence folder, e.g. ``results.csv``.
    line : int
        Line number in that file (the header is line 1); 0 when the problem concerns the whole file.
    column : str
        Column name, or ``""`` when the problem concerns a whole row or file.
    message : str
        What is wrong, what was expected, and how to fix it.
    code : str
        A short, stable type code (e.g. ``type-error``, ``foreign-key``) for tests and tooling.
    """

    file: str
    line: int
    column: str
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return self.render()

    def location(self, folder: Path | str | None = None) -> str:
        """``file:line:column`` with only the parts that exist (no line 0, no empty column).

        ``folder`` (the evidence folder as the user gave it) is put before the file name, so that the
        location opens from where the command ran.
        """
        parts = [str(Path(folder) / self.file) if folder is not None else self.file]
        if self.line:
            parts.append(str(self.line))
        if self.column:
            parts.append(self.column)
        return ":".join(parts)

    def render(self, folder: Path | str | None = None) -> str:
        """``location: message``, e.g. ``evidence/results.csv:20:n: 'many' is not a whole number``."""
        return f"{self.location(folder)}: {self.message}"


class LymphomaEvidenceError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class EvidenceError(LymphomaEvidenceError):
    """Raised when the evidence tables are invalid; carries every problem found."""

    def __init__(self, problems: list[Problem], path: Path | None = None) -> None:
        self.problems = list(problems)
        self.path = path
        where = f" in {path}" if path else ""
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(
            f"{len(self.problems)} problem(s) in the evidence{where}:\n{shown}{tail}\n"
            "Run 'lymphoma-evidence validate' for the full list."
        )

    @property
    def first(self) -> Problem:
        """The first problem, for callers that show one line."""
        return self.problems[0]


class ParameterError(LymphomaEvidenceError, ValueError):
    """Raised when an argument or report parameter has a value the toolkit cannot use."""


class UsageError(ParameterError):
    """Raised when a command is given something it cannot use at all: an unknown revision, a path that
    cannot be read. The command line exits 2 for it, as for any other usage error."""


class ProjectNotFoundError(LymphomaEvidenceError):
    """Raised when no project folder (one holding ``evidence/datapackage.json``) can be found."""


class BuildError(LymphomaEvidenceError):
    """Raised when the report build cannot proceed (locked output, unwritable folder, bad definitions)."""
