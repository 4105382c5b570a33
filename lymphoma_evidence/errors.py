"""The project's exception tree, the catalogue of problem codes, and the `Problem` record.

Every error the toolkit raises on purpose derives from :class:`LymphomaEvidenceError`, so a caller
(or the CLI) can catch one type and print a clean message instead of a traceback. The whole tree is here::

    LymphomaEvidenceError
    ├── EvidenceError          invalid evidence tables (carries every Problem)
    ├── ParameterError         an argument or report parameter that cannot be used (also a ValueError)
    │   ├── UnknownReportError
    │   └── UsageError         a revision, path or bump the command cannot use at all (exit 2)
    ├── ProjectNotFoundError
    ├── OutputWriteError       a file that cannot be written
    ├── BuildError             the report build cannot proceed
    │   ├── KernelStartError
    │   ├── ReportFailedError
    │   └── OutputFolderError  the output folder cannot be created or written (exit 2)
    ├── EvidenceWriteError     evidence files that cannot be replaced
    ├── GitError
    ├── ReleaseError           the evidence cannot be released as it is
    └── TrialRecordError

Part of the foundation layer: imports nothing from the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class ProblemCode(StrEnum):
    """The stable type code of every :class:`Problem` (for tests, editors and CI tooling)."""

    #: the problem has no more specific code
    INVALID = "invalid"
    # -- the schema and the files
    SCHEMA_ERROR = "schema-error"  # datapackage.json cannot be read or lacks a table
    MISSING_FILE = "missing-file"  # a table's CSV (or the schema) does not exist
    EMPTY_FILE = "empty-file"  # a CSV without even a header row
    NO_ROWS = "no-rows"  # a CSV with a header but no rows
    ENCODING_ERROR = "encoding-error"  # not UTF-8
    DELIMITER_ERROR = "delimiter-error"  # separated by ';' instead of ','
    PARSE_ERROR = "parse-error"  # CSV that cannot be parsed (an unclosed quote)
    DUPLICATE_HEADER = "duplicate-header"  # a column named twice
    EXTRA_COLUMN = "extra-column"  # a column the schema does not describe
    MISSING_COLUMN = "missing-column"  # a required column is absent
    ROW_WIDTH = "row-width"  # a row with more or fewer cells than the header
    # -- one value
    TYPE_ERROR = "type-error"  # a value that is not of its column's type
    SCHEMA = "schema"  # a value breaking a schema constraint (enum, range, pattern, unique, required)
    RANGE = "range"  # a rate outside 0-100
    # -- across rows and tables
    FOREIGN_KEY = "foreign-key"  # a reference to a row that does not exist
    ID_CLASH = "id-clash"  # an agent_id equal to a class_id
    RESPONDERS_EXCEED_N = "responders-exceed-n"  # more responders than patients
    PERCENT_MISMATCH = "percent-mismatch"  # reported percent does not match responders / n
    DERIVED_COUNT = "derived-count"  # a count derived from a percentage that does not fit
    RATE_ABOVE_WITHIN = "rate-above-within"  # a response rate above that of the measure it is within
    SECONDARY_SOURCE = "secondary-source"  # a result cited to a review instead of a primary source
    UNTRACEABLE_SOURCE = "untraceable-source"  # a source with no PMID, DOI, NCT id or url
    SUBGROUP_SELF = "subgroup-self"  # a result that is a subgroup of itself
    RANGE_ORDER = "range-order"  # a stated range whose low end is above its high end
    MISSING_TIMEPOINT = "missing-timepoint"  # a survival rate without its time point
    INTERVAL_ORDER = "interval-order"  # an interval that does not contain its value
    ROUNDED_COUNT = "rounded-count"  # a rounded count that is not the nearest, or that only one count fits
    DIRECTNESS = "directness"  # post_car_t, prior_car_t_percent and time_to_relapse that disagree
    SHARE_MISMATCH = "share-mismatch"  # rows about the same patients with different prior-CAR-T shares
    IDENTIFIER_STATUS = "identifier-status"  # an identifier_to_complete flag without its citation or address
    APPROVAL_SOURCE = "approval-source"  # an approval cited to something other than a label or agency page
    APPROVAL_DATE = "approval-date"  # a month-only approval date that is not the first of the month
    CERTAINTY_RATIONALE = "certainty-rationale"  # a serious GRADE domain without a rationale
    MEASURE_WORDS = "measure-words"  # a measure shown to readers without a row in measures.csv
    MEASURE_CHOICE = "measure-choice"  # a measures.csv choice that does not fit the measure's kind
    CLAIM_WITHOUT_SOURCE = "claim-without-source"  # a clinical statement of texts.csv without a source
    READER_NOTE = "reader-note"  # a known gap readers see without plain words, or with an analyst's words
    NOT_REACHED = "not-reached"  # a median not reached with a value, or a value missing without not_reached
    COMPARISON = "comparison"  # a comparison whose measure, adjustment, randomisation or words disagree
    # -- spreadsheet import
    FORMULA = "formula"  # a workbook cell holding a formula instead of a value
    EXTRA_CELL = "extra-cell"  # a workbook cell outside the table's columns
    MISSING_SHEET = "missing-sheet"  # a workbook without one of the tables


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
        A short, stable type code from :class:`ProblemCode` (e.g. ``type-error``, ``foreign-key``).

    Raises
    ------
    ValueError
        When ``code`` is not in the :class:`ProblemCode` catalogue (a programming error).
    """

    file: str
    line: int
    column: str
    message: str
    code: str = ProblemCode.INVALID

    def __post_init__(self) -> None:
        ProblemCode(self.code)  # every code is catalogued

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

    def as_dict(self) -> dict[str, str | int]:
        """The problem as plain data: ``file``, ``line``, ``column``, ``code``, ``message``."""
        return {"file": self.file, "line": self.line, "column": self.column, "code": str(self.code),
                "message": self.message}


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


class ParameterError(LymphomaEvidenceError, ValueError):
    """Raised when an argument or report parameter has a value the toolkit cannot use."""


class UsageError(ParameterError):
    """Raised when a command is given something it cannot use at all: an unknown revision, a path that
    cannot be read. The command line exits 2 for it, as for any other usage error."""


class ProjectNotFoundError(LymphomaEvidenceError):
    """Raised when no project folder (one holding ``evidence/datapackage.json``) can be found."""


class BuildError(LymphomaEvidenceError):
    """Raised when the report build cannot proceed (locked output, unwritable folder, bad definitions)."""


class UnknownReportError(ParameterError):
    """Raised when a report is requested by name (``--only``) but not defined in reports.toml."""


class OutputWriteError(LymphomaEvidenceError):
    """Raised when a file cannot be written (disk full, read-only folder); the old file is kept.

    Attributes
    ----------
    path : Path
        The file (or folder) that could not be written.
    reason : str
        ``cannot write PATH: STRERROR (errno N)``, without a hint.
    """

    def __init__(self, path: Path | str, err: OSError) -> None:
        self.path = Path(path)
        self.reason = f"cannot write {self.path}: {err.strerror or err} (errno {err.errno})"
        super().__init__(f"{self.reason}. Free disk space or make the folder writable.")


class OutputFolderError(BuildError):
    """Raised when a build's output cannot be written (a folder that cannot be created, a read-only
    folder, a full disk); the files already there are kept. The command line exits 2 for it, as for an
    output file that cannot be written by any other command."""


class KernelStartError(BuildError):
    """Raised when a kernel cannot be started or warmed (missing ipykernel, broken environment)."""


class ReportFailedError(BuildError):
    """Raised when a report's notebook raises, its kernel dies, or it exceeds the time limit.

    Attributes
    ----------
    report : str
        The report name.
    cell_index : int or None
        Index of the failing cell in the executed notebook (``None`` when no cell is to blame).
    ename, evalue : str
        The exception's name and value (``ReportTimeout`` for the time limit).
    """

    def __init__(self, report: str, ename: str, evalue: str, cell_index: int | None = None) -> None:
        self.report, self.ename, self.evalue, self.cell_index = report, ename, evalue, cell_index
        cell = f" in cell {cell_index}" if cell_index is not None else ""
        super().__init__(f"report {report!r} failed{cell}: {ename}: {evalue}")


class EvidenceWriteError(LymphomaEvidenceError):
    """Raised when evidence files cannot be replaced; the files are left as they were."""


class GitError(LymphomaEvidenceError):
    """Raised when git cannot read the repository that holds the evidence."""


class TrialRecordError(LymphomaEvidenceError):
    """Raised when a saved study record cannot be read or lacks what a trials.csv row needs."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        super().__init__(f"{self.path}: {message}")


class ReleaseError(LymphomaEvidenceError):
    """Raised when the evidence cannot be released as it is (no CHANGELOG entry for the new version,
    uncommitted tables, an existing tag, a version that is not MAJOR.MINOR.PATCH); nothing was changed."""
