"""ClinicalTrials.gov study records (API v2 JSON, saved to files) -> rows of ``trials.csv``.

No network access: the analyst saves a record (``https://clinicaltrials.gov/api/v2/studies/NCT...``)
and passes the file. A file may hold one study or a search response (``{"studies": [...]}``).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..data.schema import load_package
from ..errors import EvidenceError, ParameterError, TrialRecordError
from ..paths import evidence_dir
from .diff import FieldChange
from .textio import TextTable, csv_line, read_table, render_table, replace_files

TRIALS_FILE = "trials.csv"
#: Columns an update of a known trial rewrites; title, class and population stay as curated.
UPDATED_COLUMNS = ("status", "status_date", "phase", "interventions")
PHASES = {"EARLY_PHASE1": "early 1", "PHASE1": "1", "PHASE2": "2", "PHASE3": "3", "PHASE4": "4",
          "NA": "n/a"}
#: Study statuses of the API that trials.csv accepts (expanded-access statuses are not trials).
TRIAL_STATUSES = ("NOT_YET_RECRUITING", "RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING",
                  "SUSPENDED", "TERMINATED", "COMPLETED", "WITHDRAWN", "UNKNOWN")
_NCT = re.compile(r"^NCT\d{8}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")



@dataclass(frozen=True)
class TrialRecord:
    """The parts of one study record that trials.csv and sources.csv use."""

    nct_id: str
    title: str
    official_title: str
    acronym: str
    status: str
    last_update: str
    phase: str
    interventions: str
    conditions: str
    path: Path


@dataclass(frozen=True)
class TrialUpdate:
    """What importing one record does to trials.csv: the row after, the row before (``None`` if new)."""

    record: TrialRecord
    row: dict[str, str]
    before: dict[str, str] | None
    changes: tuple[FieldChange, ...]
    note: str = ""

    @property
    def is_new(self) -> bool:
        """True when the trial is not in trials.csv yet."""
        return self.before is None


def _get(data: object, *keys: str, default: object = None) -> object:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def read_studies(path: Path | str) -> list[dict]:
    """The study objects in a saved API v2 response: one study, or the ``studies`` of a search."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise TrialRecordError(path, f"cannot read the file ({err})") from err
    except json.JSONDecodeError as err:
        raise TrialRecordError(path, f"is not JSON ({err}); save the record from "
                               "https://clinicaltrials.gov/api/v2/studies/<NCT id>") from err
    studies = data.get("studies") if isinstance(data, dict) and "studies" in data else [data]
    if not isinstance(studies, list) or not studies:
        raise TrialRecordError(path, "holds no study; expected a study record or {\"studies\": [...]}")
    return studies


def _status(value: object, path: Path) -> str:
    status = str(value or "").strip().upper().replace(",", "").replace(" ", "_")
    if status not in TRIAL_STATUSES:
        raise TrialRecordError(path, f"overallStatus {value!r} is not a trial status trials.csv "
                               f"accepts; expected one of {', '.join(TRIAL_STATUSES)}")
    return status


def _phase(phases: object, path: Path) -> str:
    if not phases:
        return "n/a"
    if not isinstance(phases, list) or any(p not in PHASES for p in phases):
        raise TrialRecordError(path, f"designModule.phases {phases!r} is not a list of "
                               f"{', '.join(PHASES)}")
    return "/".join(PHASES[p] for p in phases)


def _interventions(items: object) -> str:
    names: list[str] = []
    for item in items if isinstance(items, list) else []:
        name = str(_get(item, "name", default="")).strip()
        if name and name not in names:
            names.append(name)
    return "; ".join(names)


def parse_study(study: dict, path: Path | str) -> TrialRecord:
    """Extract a :class:`TrialRecord` from one API v2 study object.

    ``status_date`` is the record's last-update date (``lastUpdatePostDateStruct.date``, or
    ``lastUpdateSubmitDate``); phases ``["PHASE1", "PHASE2"]`` become ``1/2``.

    Raises
    ------
    TrialRecordError
        When the NCT id, title, status or last-update date is missing or malformed.
    """
    path = Path(path)
    protocol = _get(study, "protocolSection")
    if not isinstance(protocol, dict):
        raise TrialRecordError(path, "has no protocolSection; is it a ClinicalTrials.gov API v2 record?")
    ident = _get(protocol, "identificationModule", default={})
    nct_id = str(_get(ident, "nctId", default="")).strip()
    if not _NCT.match(nct_id):
        raise TrialRecordError(path, f"identificationModule.nctId {nct_id!r} is not NCT + 8 digits")
    title = str(_get(ident, "briefTitle", default="")).strip()
    if not title:
        raise TrialRecordError(path, f"{nct_id} has no identificationModule.briefTitle")
    status_module = _get(protocol, "statusModule", default={})
    updated = str(_get(status_module, "lastUpdatePostDateStruct", "date", default="")
                  or _get(status_module, "lastUpdateSubmitDate", default="")).strip()
    if not _DATE.match(updated):
        raise TrialRecordError(path, f"{nct_id} has no statusModule.lastUpdatePostDateStruct.date "
                               f"(YYYY-MM-DD); got {updated!r}")
    conditions = _get(protocol, "conditionsModule", "conditions", default=[])
    return TrialRecord(
        nct_id=nct_id, title=title,
        official_title=str(_get(ident, "officialTitle", default="") or title),
        acronym=str(_get(ident, "acronym", default="") or ""),
        status=_status(_get(status_module, "overallStatus"), path),
        last_update=updated,
        phase=_phase(_get(protocol, "designModule", "phases", default=[]), path),
        interventions=_interventions(_get(protocol, "armsInterventionsModule", "interventions")),
        conditions="; ".join(str(c) for c in conditions) if isinstance(conditions, list) else "",
        path=path,
    )


def read_records(paths: list[Path | str]) -> list[TrialRecord]:
    """Every study in the given files, parsed."""
    return [parse_study(study, path) for path in paths for study in read_studies(path)]


def _new_row(record: TrialRecord, class_id: str | None, columns: list[str]) -> dict[str, str]:
    if not class_id:
        raise ParameterError(
            f"{record.nct_id} is not in trials.csv yet and its therapy class cannot be inferred from "
            "the record; pass --class-id (a class_id of therapy_classes.csv)")
    values = {"nct_id": record.nct_id, "title": record.title, "phase": record.phase,
              "status": record.status, "status_date": record.last_update, "class_id": class_id,
              "interventions": record.interventions, "population": record.conditions,
              "prior_car_t": "unknown"}
    return {c: values.get(c, "") for c in columns}


def plan_updates(records: list[TrialRecord], trials: TextTable, columns: list[str],
                 class_id: str | None = None) -> list[TrialUpdate]:
    """What each record does to trials.csv: a new row, or the updated columns of the existing row.

    A record older than the row's ``status_date`` leaves the row as it is (with a note).

    Raises
    ------
    ParameterError
        When a record is for a new trial and ``class_id`` is not given.
    """
    existing = {r.get("nct_id", ""): r for r in trials.records()}
    updates = []
    for record in records:
        before = existing.get(record.nct_id)
        if before is None:
            row = _new_row(record, class_id, columns)
            existing[record.nct_id] = row
            updates.append(TrialUpdate(record, row, None, ()))
            continue
        if before.get("status_date", "") > record.last_update:
            updates.append(TrialUpdate(record, before, before, (), note=(
                f"record last updated {record.last_update}, before status_date "
                f"{before['status_date']}; row left as it is")))
            continue
        new = {"status": record.status, "status_date": record.last_update,
               "phase": record.phase, "interventions": record.interventions}
        row = {**before, **{c: v for c, v in new.items() if c in before}}
        changes = tuple(FieldChange(c, before[c], row[c]) for c in UPDATED_COLUMNS
                        if c in row and before[c] != row[c])
        existing[record.nct_id] = row
        updates.append(TrialUpdate(record, row, before, changes))
    return updates


def trials_text(trials: TextTable, updates: list[TrialUpdate], columns: list[str]) -> str:
    """trials.csv after the updates: rows updated in place, new trials appended, other rows unchanged."""
    changed = {u.row["nct_id"]: u.row for u in updates if not u.is_new}
    rows = []
    for record in trials.records():
        row = changed.get(record.get("nct_id", ""), record)
        rows.append(tuple(row.get(c, "") for c in columns))
    added = {u.row["nct_id"]: u.row for u in updates if u.is_new}
    rows += [tuple(row[c] for c in columns) for row in added.values()]
    return render_table(columns, rows, trials)


def import_trials(paths: list[Path | str], evidence_path: Path | str | None = None,
                  class_id: str | None = None, write: bool = False) -> list[TrialUpdate]:
    """Read saved study records and work out (and with ``write=True`` apply) their trials.csv rows.

    Writing validates the evidence with the new trials.csv first (in a temporary folder) and refuses
    when that brings any problem the evidence did not already have; the file is then replaced
    atomically. Other tables are never changed.

    Raises
    ------
    TrialRecordError
        For a record that cannot be read.
    ParameterError
        For a new trial without ``class_id``.
    EvidenceError
        When writing would make the evidence invalid; nothing is written.
    """
    folder = Path(evidence_path) if evidence_path is not None else evidence_dir()
    columns = load_package(folder).table("trials").columns
    trials = read_table(folder / TRIALS_FILE) or TextTable(tuple(columns), (), (), (), "")
    updates = plan_updates(read_records(paths), trials, columns, class_id)
    if write:
        text = trials_text(trials, updates, columns)
        _check_no_new_problems(folder, text)
        replace_files(folder, {TRIALS_FILE: text})
    return updates


def _check_no_new_problems(folder: Path, trials_csv: str) -> None:
    from ..data.validate import validate_evidence

    before = set(validate_evidence(folder))
    with tempfile.TemporaryDirectory(prefix="lymphoma-evidence-trials-") as temp:
        for path in folder.iterdir():
            if path.suffix in (".csv", ".json") and path.is_file():
                shutil.copyfile(path, Path(temp) / path.name)
        (Path(temp) / TRIALS_FILE).write_text(trials_csv, encoding="utf-8", newline="")
        new = [p for p in validate_evidence(temp) if p not in before]
    if new:
        raise EvidenceError(new, folder / TRIALS_FILE)


def draft_source(record: TrialRecord, today: date | None = None) -> dict[str, str]:
    """A draft sources.csv row for the registry record; the analyst completes it (source_type, ids).

    ``source_type`` is left empty: the schema has no type for a registry entry, so the analyst decides
    whether to cite the record or the trial's publication instead.
    """
    day = (today or date.today()).isoformat()
    label = f"ClinicalTrials.gov {record.nct_id}" + (f" ({record.acronym})" if record.acronym else "")
    return {
        "source_id": f"ctgov_{record.nct_id.lower()}",
        "citation": f"{record.official_title}. ClinicalTrials.gov identifier {record.nct_id}; "
                    f"last updated {record.last_update}",
        "label": label, "year": record.last_update[:4], "source_type": "", "pmid": "", "doi": "",
        "nct_id": record.nct_id, "url": f"https://clinicaltrials.gov/study/{record.nct_id}",
        "accessed": day,
    }


def describe_update(update: TrialUpdate) -> str:
    """One line per change, e.g. ``NCT04989803: status RECRUITING -> ACTIVE_NOT_RECRUITING``."""
    nct = update.row["nct_id"]
    if update.is_new:
        return f"{nct}: new trial (class {update.row.get('class_id', '')})"
    if update.note:
        return f"{nct}: {update.note}"
    if not update.changes:
        return f"{nct}: unchanged"
    return "\n".join(f"{nct}: {c.column} {c.before or '(empty)'} -> {c.after or '(empty)'}"
                     for c in update.changes)


def render_updates(updates: list[TrialUpdate], columns: list[str]) -> str:
    """The trials.csv rows (header first), then a change summary line per record."""
    lines = [csv_line(columns)] + [csv_line([u.row.get(c, "") for c in columns]) for u in updates]
    return "".join(lines) + "".join(describe_update(u) + "\n" for u in updates)


def render_sources(updates: list[TrialUpdate], columns: list[str], today: date | None = None) -> str:
    """Draft sources.csv rows (header first) for the records, see :func:`draft_source`."""
    rows = [draft_source(u.record, today) for u in updates]
    return "".join([csv_line(columns)] + [csv_line([row.get(c, "") for c in columns]) for row in rows])
