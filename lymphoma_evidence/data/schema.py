"""The data contract: reads ``datapackage.json`` (a Frictionless Data Package) into plain descriptors.

The schema lives once, in ``evidence/datapackage.json``; everything else derives from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import EvidenceError, Problem
from ..paths import SCHEMA_FILE

#: Table name in the package -> attribute name on :class:`~lymphoma_evidence.data.evidence.Evidence`.
TABLE_ATTRIBUTES = {
    "sources": "sources",
    "therapy_classes": "classes",
    "agents": "agents",
    "results": "results",
    "reported_ranges": "reported_ranges",
    "eligibility": "eligibility",
    "trials": "trials",
    "discussion_questions": "questions",
    "outcomes": "outcomes",
    "harms": "harms",
    "approvals": "approvals",
    "certainty": "certainty",
    "option_details": "option_details",
    "aid_options": "aid_options",
    "aid_text": "aid_text",
    "aid_timing": "aid_timing",
    "clinical_questions": "clinical_questions",
    "comparisons": "comparisons",
    # the topic's words and choices (see evidence/README.md, "The topic")
    "measures": "measures",
    "class_statuses": "class_statuses",
    "class_kinds": "class_kinds",
    "diseases": "diseases",
    "featured_classes": "featured_classes",
    "glossary": "glossary",
    "abbreviations": "abbreviations",
    "texts": "texts",
    "known_gaps": "known_gaps",
    "strata": "strata",
}

#: Resource property that lets a table hold only its header (e.g. certainty.csv before any rating).
MAY_BE_EMPTY = "x-may-be-empty"
#: Resource property marking a table of the topic's words and choices (measures, glossary, titles, ...).
TOPIC = "x-topic"


@dataclass(frozen=True)
class Field:
    """One column of a table, as the Table Schema describes it."""

    name: str
    type: str
    description: str
    required: bool
    constraints: dict

    @property
    def enum(self) -> list[str] | None:
        """Allowed values, when the schema lists them."""
        return self.constraints.get("enum")


@dataclass(frozen=True)
class Table:
    """One resource of the package: a CSV file and its Table Schema."""

    name: str
    path: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...]  # (field, table, field)
    raw_schema: dict
    may_be_empty: bool = False
    topic: bool = False

    @property
    def columns(self) -> list[str]:
        """Column names in schema order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class Package:
    """The whole data package: its version, title and tables."""

    title: str
    version: str
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        """The table called ``name``."""
        return next(t for t in self.tables if t.name == name)


def _table_from_resource(resource: dict) -> Table:
    schema = resource["schema"]
    fields = tuple(
        Field(
            name=f["name"],
            type=f.get("type", "string"),
            description=f.get("description", ""),
            required=bool(f.get("constraints", {}).get("required", False)),
            constraints=dict(f.get("constraints", {})),
        )
        for f in schema["fields"]
    )
    pk = schema.get("primaryKey", [])
    fks = tuple(
        (fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"])
        for fk in schema.get("foreignKeys", [])
    )
    return Table(
        name=resource["name"],
        path=resource["path"],
        fields=fields,
        primary_key=tuple([pk] if isinstance(pk, str) else pk),
        foreign_keys=fks,
        raw_schema=schema,
        may_be_empty=bool(resource.get(MAY_BE_EMPTY, False)),
        topic=bool(resource.get(TOPIC, False)),
    )


@cache
def _load_package_cached(path: Path, mtime_ns: int) -> Package:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise EvidenceError(
            [Problem(SCHEMA_FILE, 0, "", f"cannot read the schema: {err}", "schema-error")], path.parent
        ) from err
    names = {r.get("name") for r in data.get("resources", [])}
    missing = [n for n in TABLE_ATTRIBUTES if n not in names]
    if missing:
        raise EvidenceError(
            [Problem(SCHEMA_FILE, 0, "", f"the package lacks resource(s) {', '.join(missing)}",
                     "schema-error")],
            path.parent,
        )
    tables = tuple(_table_from_resource(r) for r in data["resources"] if r["name"] in TABLE_ATTRIBUTES)
    return Package(title=data.get("title", ""), version=str(data.get("version", "")), tables=tables)


def load_package(evidence_path: Path) -> Package:
    """Read ``datapackage.json`` in ``evidence_path``.

    Raises
    ------
    EvidenceError
        When the file is missing, is not valid JSON, or lacks one of the project's tables.
    """
    path = Path(evidence_path) / SCHEMA_FILE
    if not path.is_file():
        raise EvidenceError(
            [Problem(SCHEMA_FILE, 0, "", f"{path} does not exist; an evidence folder needs its schema",
                     "missing-file")],
            Path(evidence_path),
        )
    return _load_package_cached(path.resolve(), path.stat().st_mtime_ns)
