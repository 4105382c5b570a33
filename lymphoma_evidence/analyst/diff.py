"""What changed between two versions of the evidence: rows, fields and the effect on the class ranges.

Both sides are read as text (:mod:`.textio`), so a side that does not validate can still be compared; the
result says which sides did not validate. Rows are matched by each table's primary key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..data.schema import Package, Table, load_package
from ..errors import EvidenceError, ParameterError
from ..paths import evidence_dir
from .changelog import CHANGELOG_FILE, read_changelog, unexplained
from .textio import TextTable, read_table

Ranges = dict[tuple[str, str], tuple[float, float]]


@dataclass(frozen=True)
class FieldChange:
    """One cell that changed: column, text before, text after (``""`` for empty)."""

    column: str
    before: str
    after: str


@dataclass(frozen=True)
class RowChange:
    """A row present on both sides whose cells differ; ``key`` is its primary key (``/``-joined)."""

    key: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class TableDiff:
    """The changes to one table. ``added`` and ``removed`` hold whole rows as ``{column: text}``."""

    table: str
    file: str
    key_columns: tuple[str, ...]
    added: tuple[dict[str, str], ...] = ()
    removed: tuple[dict[str, str], ...] = ()
    changed: tuple[RowChange, ...] = ()
    columns_added: tuple[str, ...] = ()
    columns_removed: tuple[str, ...] = ()

    def key(self, row: dict[str, str]) -> str:
        """A row's primary key, ``/``-joined."""
        return "/".join(row.get(c, "") for c in self.key_columns)

    @property
    def is_empty(self) -> bool:
        """True when the table did not change."""
        return not (self.added or self.removed or self.changed or self.columns_added
                    or self.columns_removed)


@dataclass(frozen=True)
class RangeChange:
    """A class's range of study rates (proportions 0-1, ``None`` when no study) before and after."""

    class_id: str
    class_name: str
    endpoint: str
    before: tuple[float, float] | None
    after: tuple[float, float] | None


@dataclass(frozen=True)
class EvidenceDiff:
    """Everything that changed from ``old`` to ``new``.

    ``notes`` say what the comparison could not do cleanly (a side that does not validate, a missing
    table, duplicate keys). ``unexplained_removals`` lists removed result ids that the new side's
    ``CHANGELOG.md`` does not name.
    """

    old: str
    new: str
    old_version: str
    new_version: str
    tables: tuple[TableDiff, ...]
    ranges: tuple[RangeChange, ...]
    notes: tuple[str, ...]
    unexplained_removals: tuple[str, ...]

    @property
    def removed_result_ids(self) -> list[str]:
        """Result ids present in ``old`` and gone from ``new``."""
        return [t.key(r) for t in self.tables if t.table == "results" for r in t.removed]

    @property
    def is_empty(self) -> bool:
        """True when no table changed."""
        return all(t.is_empty for t in self.tables)


def _keyed(table: Table, text: TextTable, side: str, notes: list[str]) -> dict[str, dict[str, str]]:
    missing = [c for c in table.primary_key if c not in text.columns]
    if missing and text.columns:   # a missing file (no columns) is noted once by its caller
        notes.append(f"{table.path} ({side}) lacks key column(s) {', '.join(missing)}; "
                     "its rows cannot be matched")
    if missing:
        return {}
    rows: dict[str, dict[str, str]] = {}
    for record, line in zip(text.records(), text.lines, strict=True):
        key = "/".join(record[c] for c in table.primary_key)
        if key in rows:
            notes.append(f"{table.path}:{line} ({side}): duplicate key {key!r}; only its first row "
                         "is compared")
            continue
        rows[key] = record
    return rows


def diff_table(table: Table, old: TextTable | None, new: TextTable | None,
               notes: list[str] | None = None) -> TableDiff:
    """Compare one table's text on two sides (``None`` = file missing), matching rows by primary key.

    Only columns present on both sides are compared cell by cell; added or removed columns are listed.
    """
    notes = [] if notes is None else notes
    empty = TextTable((), (), (), (), "")
    old_text, new_text = old or empty, new or empty
    before = _keyed(table, old_text, "old", notes)
    after = _keyed(table, new_text, "new", notes)
    shared = [c for c in new_text.columns if c in old_text.columns]
    changed = []
    for key in after.keys() & before.keys():
        fields = tuple(FieldChange(c, before[key][c], after[key][c]) for c in shared
                       if before[key][c] != after[key][c])
        if fields:
            changed.append(RowChange(key, fields))
    order = {key: i for i, key in enumerate(after)}
    return TableDiff(
        table=table.name, file=table.path, key_columns=table.primary_key,
        added=tuple(row for key, row in after.items() if key not in before),
        removed=tuple(row for key, row in before.items() if key not in after),
        changed=tuple(sorted(changed, key=lambda c: order[c.key])),
        columns_added=tuple(c for c in new_text.columns if c not in old_text.columns) if old else (),
        columns_removed=tuple(c for c in old_text.columns if c not in new_text.columns) if new else (),
    )


def _rate(record: dict[str, str]) -> float | None:
    try:
        n, responders = int(record.get("n", "")), int(record.get("responders", ""))
    except ValueError:
        return None
    return responders / n if n > 0 and 0 <= responders <= n else None


def class_ranges(results: TextTable | None, agents: TextTable | None) -> Ranges:
    """Per (class_id, endpoint): the lowest and highest study rate, as proportions 0-1.

    Rates are responders / n of whole-population rows (``subgroup_of`` empty); rows without usable
    counts are left out. A row's class is its agent's class, or its ``scope_id`` when that is a class.
    Computed from text so that in-progress evidence can be summarised.
    """
    if results is None or agents is None:
        return {}
    class_of = {a.get("agent_id", ""): a.get("class_id", "") for a in agents.records()}
    rates: dict[tuple[str, str], list[float]] = {}
    for record in results.records():
        rate = _rate(record)
        scope = record.get("scope_id", "") or record.get("agent_id", "")  # agent_id: evidence before 0.2
        class_id = class_of.get(scope, scope)  # a class-scoped row names its class
        if rate is None or not class_id or record.get("subgroup_of", ""):
            continue
        rates.setdefault((class_id, record.get("endpoint", "")), []).append(rate)
    return {key: (min(values), max(values)) for key, values in rates.items()}


def _class_names(folder: Path) -> dict[str, str]:
    classes = read_table(folder / "therapy_classes.csv")
    return {} if classes is None else {c.get("class_id", ""): c.get("name", "")
                                       for c in classes.records()}


def summary_ranges(evidence) -> Ranges:
    """Per (class_id, endpoint and stratum of directness): the range of study rates (0-1) that the reports
    show.

    Uses :func:`lymphoma_evidence.analysis.summaries.class_summary` (one data cut per trial population,
    strata never mixed): the endpoint is written with its stratum, e.g. ``"ORR (After CAR-T)"``; a class
    with several diseases in one stratum gets the widest range over them.
    """
    from ..analysis.strata import STRATUM_LABELS
    from ..analysis.summaries import class_summary
    from ..analysis.topic import response_measures

    ranges: Ranges = {}
    for endpoint in response_measures(evidence):
        summary = class_summary(evidence, endpoint)
        for (class_id, stratum), group in summary.groupby(["class_id", "stratum"], sort=False):
            ranges[(str(class_id), f"{endpoint} ({STRATUM_LABELS[str(stratum)]})")] = (
                float(group["rate_min"].min()), float(group["rate_max"].max()))
    return ranges


def _load(folder: Path, label: str) -> tuple[object | None, str | None]:
    from ..data.evidence import load_evidence

    try:
        return load_evidence(folder), None
    except EvidenceError as err:
        return None, (f"{label} does not validate ({len(err.problems)} problem(s)): its rows were "
                      "compared as raw text; run 'lymphoma-evidence validate' on it for details")
    except (KeyError, ValueError, TypeError) as err:  # an older schema that today's checks do not fit
        return None, (f"{label} cannot be checked with this version of the toolkit ({type(err).__name__}: "
                      f"{err}); its rows were compared as raw text")


def _raw_ranges(folder: Path) -> Ranges:
    return class_ranges(read_table(folder / "results.csv"), read_table(folder / "agents.csv"))


def both_ranges(old_folder: Path, new_folder: Path, labels: tuple[str, str]) -> tuple[
        Ranges, Ranges, list[str]]:
    """The class ranges of both sides, computed the same way, and notes on how.

    When both sides validate, the ranges are those the reports show (:func:`summary_ranges`); otherwise
    both come from raw rows (:func:`class_ranges`, every data cut) so that the two stay comparable.
    """
    (old, old_note), (new, new_note) = _load(old_folder, labels[0]), _load(new_folder, labels[1])
    notes = [n for n in (old_note, new_note) if n]
    if old is not None and new is not None:
        return summary_ranges(old), summary_ranges(new), notes
    notes.append("class ranges computed from raw rows on both sides (every data cut, whole "
                 "populations), not as the reports compute them")
    return _raw_ranges(old_folder), _raw_ranges(new_folder), notes


def range_changes(old: Ranges, new: Ranges, names: dict[str, str]) -> list[RangeChange]:
    """The class ranges that differ between two sides, in class id then endpoint order."""
    changes = []
    for class_id, endpoint in sorted(old.keys() | new.keys()):
        before, after = old.get((class_id, endpoint)), new.get((class_id, endpoint))
        if before != after:
            changes.append(RangeChange(class_id, names.get(class_id) or class_id, endpoint, before, after))
    return changes


def _package(old_folder: Path, new_folder: Path) -> Package:
    try:
        return load_package(new_folder)
    except EvidenceError:
        return load_package(old_folder)


def diff_folders(old_folder: Path, new_folder: Path, old_label: str = "old",
                 new_label: str = "new") -> EvidenceDiff:
    """Compare two evidence folders; removed result ids are checked against the new side's changelog."""
    old_folder, new_folder = Path(old_folder), Path(new_folder)
    package = _package(old_folder, new_folder)
    old_ranges, new_ranges, notes = both_ranges(old_folder, new_folder, (old_label, new_label))
    tables = []
    for table in package.tables:
        old, new = read_table(old_folder / table.path), read_table(new_folder / table.path)
        for text, label in ((old, old_label), (new, new_label)):
            if text is None:
                notes.append(f"{table.path} is missing in {label}; treated as empty")
        tables.append(diff_table(table, old, new, notes))
    versions = [_version(f) for f in (old_folder, new_folder)]
    removed = [t.key(r) for t in tables if t.table == "results" for r in t.removed]
    return EvidenceDiff(
        old=old_label, new=new_label, old_version=versions[0], new_version=versions[1],
        tables=tuple(tables), notes=tuple(notes),
        ranges=tuple(range_changes(old_ranges, new_ranges,
                                   {**_class_names(old_folder), **_class_names(new_folder)})),
        unexplained_removals=tuple(unexplained(removed, read_changelog(new_folder / CHANGELOG_FILE))),
    )


def _version(folder: Path) -> str:
    try:
        return load_package(folder).version
    except EvidenceError:
        return ""


def diff_evidence(old: str | Path, new: str | Path, evidence_path: Path | str | None = None) -> EvidenceDiff:
    """Compare two versions of the evidence, each an evidence folder or a git revision.

    Parameters
    ----------
    old, new : str or Path
        An existing folder holding ``datapackage.json``, or a revision (``HEAD~1``, a tag, a commit) of
        the git repository that holds ``evidence_path``; a revision is read with ``git show`` into a
        temporary folder, never checked out.
    evidence_path : Path, optional
        The evidence folder whose repository revisions refer to (default: the project's ``evidence/``).

    Raises
    ------
    ParameterError
        When a side is neither a folder nor a revision.
    """
    from .revisions import open_side

    evidence_path = Path(evidence_path) if evidence_path is not None else evidence_dir()
    if not evidence_path.is_dir():
        raise ParameterError(f"evidence folder {evidence_path} does not exist; pass --evidence DIR")
    with open_side(old, evidence_path) as before, open_side(new, evidence_path) as after:
        return diff_folders(before.folder, after.folder, before.label, after.label)


def diff_against_previous_release(evidence_path: Path | str | None = None) -> EvidenceDiff | None:
    """Compare the previous released version (see :func:`.revisions.previous_release`) with the folder.

    Returns ``None`` when no earlier release can be found (for example at the first release).
    """
    from .revisions import previous_release

    folder = Path(evidence_path) if evidence_path is not None else evidence_dir()
    release = previous_release(folder)
    if release is None:
        return None
    version, revision = release
    result = diff_evidence(revision, folder, folder)
    return replace(result, old=f"release {version} ({revision[:10]})")
