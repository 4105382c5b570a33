"""Evidence CSVs as text: read records with their original bytes, render them back, replace files atomically.

The analyst tools work on text, not typed frames, so that they can handle evidence that does not validate
yet, and so that rewriting a table leaves every untouched row byte-for-byte as it was.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .. import fileio
from ..errors import EvidenceWriteError, OutputWriteError


@dataclass(frozen=True)
class TextTable:
    """A CSV read as text.

    Attributes
    ----------
    columns : tuple of str
        The header, as in the file.
    rows : tuple of tuple of str
        Data rows (blank lines skipped), cells as text, ``""`` for an empty cell.
    raw : tuple of str
        Each row's original text, line ending included (none on an unterminated last line).
    lines : tuple of int
        Line number of each row's first line (the header is line 1).
    header_raw : str
        The header's original text.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    raw: tuple[str, ...]
    lines: tuple[int, ...]
    header_raw: str

    def records(self) -> list[dict[str, str]]:
        """Rows as ``{column: text}``; a short row is padded with ``""``."""
        return [dict(zip(self.columns, (*row, *[""] * len(self.columns)), strict=False))
                for row in self.rows]


def split_records(text: str) -> list[tuple[str, int]]:
    """Split CSV text into records (a quoted cell may span lines), each with its first line number."""
    records: list[tuple[str, int]] = []
    buffer, start = "", 1
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if not buffer:
            start = number
        buffer += line
        if buffer.count('"') % 2 == 0:
            records.append((buffer, start))
            buffer = ""
    if buffer:
        records.append((buffer, start))
    return records


def _parse_record(record: str) -> tuple[str, ...]:
    parsed = list(csv.reader(io.StringIO(record, newline="")))
    return tuple(parsed[0]) if parsed else ()


def parse_table(text: str) -> TextTable:
    """Parse CSV text (header + rows) into a :class:`TextTable`; blank lines are skipped."""
    records = [(raw, line) for raw, line in split_records(text) if raw.strip("\r\n")]
    if not records:
        return TextTable((), (), (), (), "")
    (header_raw, _), body = records[0], records[1:]
    return TextTable(
        columns=_parse_record(header_raw),
        rows=tuple(_parse_record(raw) for raw, _ in body),
        raw=tuple(raw for raw, _ in body),
        lines=tuple(line for _, line in body),
        header_raw=header_raw,
    )


def read_table(path: Path) -> TextTable | None:
    """Read the CSV at ``path`` as text (UTF-8, a byte-order mark is ignored); ``None`` when missing."""
    path = Path(path)
    if not path.is_file():
        return None
    return parse_table(path.read_bytes().decode("utf-8-sig", errors="replace"))


def csv_line(values: list[str] | tuple[str, ...]) -> str:
    """One CSV record as the contract writes it: ``QUOTE_MINIMAL``, ending in ``\\n``.

    The csv module is told the line ends in ``\\r\\n`` so that it also quotes a cell holding a bare
    carriage return (it leaves those unquoted with a ``\\n`` terminator, and they would not read back).
    """
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()[:-2] + "\n"


def render_table(columns: list[str] | tuple[str, ...], rows: list[tuple[str, ...]],
                 original: TextTable | None = None) -> str:
    """CSV text for ``rows``, reusing ``original``'s exact text for the header and every unchanged row.

    A row is unchanged when an original row has exactly the same cells; so a table rewritten from a
    spreadsheet differs from its file only where a cell really changed.
    """
    pool: dict[tuple[str, ...], list[str]] = {}
    if original is not None and tuple(original.columns) == tuple(columns):
        for row, raw in zip(original.rows, original.raw, strict=True):
            pool.setdefault(tuple(row), []).append(raw)
        header = original.header_raw
    else:
        header = csv_line(columns)
    parts = [header if header.endswith("\n") or not rows else header + "\n"]
    for i, row in enumerate(rows):
        reused = pool.get(tuple(row))
        text = reused.pop(0) if reused else csv_line(row)
        if not text.endswith("\n") and i < len(rows) - 1:
            text += "\n"
        parts.append(text)
    return "".join(parts)


def replace_files(folder: Path, contents: dict[str, str]) -> list[str]:
    """Write ``contents`` (file name -> text) into ``folder`` as UTF-8, all files or none.

    Delegates to :func:`lymphoma_evidence.fileio.replace_files`: every changed file is written to a
    temporary file first, then moved into place; if any step fails, the files already replaced get their
    old bytes back. Unchanged files are not touched; replaced files keep their permissions.

    Returns
    -------
    list of str
        The names of the files whose bytes changed.

    Raises
    ------
    EvidenceWriteError
        When a file cannot be written; the folder is left as it was.
    """
    try:
        return fileio.replace_files(folder, {name: text.encode("utf-8") for name, text in contents.items()})
    except OutputWriteError as err:
        raise EvidenceWriteError(f"could not write {folder}: {err.reason}; no evidence file was changed") \
            from err
