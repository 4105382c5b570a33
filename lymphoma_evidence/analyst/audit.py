"""Staleness and gaps in the evidence: what an analyst should look at next.

Each finding kind is one function taking an :class:`~lymphoma_evidence.data.evidence.Evidence` and returning
a DataFrame (one row per finding, empty with the same columns when nothing is found);
:func:`audit_evidence` runs them all for the CLI and the audit report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ..analysis.approvals import class_status
from ..data.evidence import Evidence
from ..data.provenance import TO_COMPLETE
from ..errors import ParameterError

#: Default age (months since ``accessed``) after which a source counts as stale.
STALE_AFTER_MONTHS = 12
#: Sources of investigational-class entries older than this many years are flagged.
INVESTIGATIONAL_MAX_AGE_YEARS = 2


def _today(today: date | None) -> pd.Timestamp:
    return pd.Timestamp(today if today is not None else date.today())


def stale_sources(evidence: Evidence, months: int = STALE_AFTER_MONTHS,
                  today: date | None = None) -> pd.DataFrame:
    """Sources last read (``accessed``) more than ``months`` months before ``today``.

    Parameters
    ----------
    months : int
        Age limit in whole months (``>= 0``); a source accessed exactly ``months`` ago is not stale.
    today : datetime.date, optional
        The reference date (default: today), so that results are reproducible.

    Returns
    -------
    pandas.DataFrame
        Columns ``source_id, label, accessed, months_since`` (``months_since``: whole months), oldest
        first.
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise ParameterError(f"months must be a whole number >= 0, got {months!r}; e.g. 12")
    now = _today(today)
    sources = evidence.sources
    accessed = pd.to_datetime(sources["accessed"])
    stale = sources[(accessed < now - pd.DateOffset(months=months)).fillna(False).to_numpy()]
    frame = stale[["source_id", "label", "accessed"]].copy()
    seen = pd.to_datetime(frame["accessed"])
    frame["months_since"] = ((now.year - seen.dt.year) * 12 + (now.month - seen.dt.month)
                             - (now.day < seen.dt.day).astype(int)).astype("Int64")
    return frame.sort_values("accessed", kind="mergesort").reset_index(drop=True)


def agents_without_post_car_t(evidence: Evidence) -> pd.DataFrame:
    """Agents with no result row where every patient had prior CAR T-cell therapy.

    Returns columns ``agent_id, name, class_id``, in agents.csv order.
    """
    results = evidence.results
    covered = set(results.loc[results["post_car_t"].fillna(False).astype(bool), "agent_id"].dropna())
    agents = evidence.agents
    missing = agents[~agents["agent_id"].isin(covered)]
    return missing[["agent_id", "name", "class_id"]].reset_index(drop=True)


def classes_without_reported_range(evidence: Evidence) -> pd.DataFrame:
    """Therapy classes that no row of reported_ranges.csv is about.

    Returns columns ``class_id, name, role``, in therapy_classes.csv order.
    """
    classes = evidence.classes
    ranged = set(evidence.reported_ranges["class_id"].dropna())
    return classes.loc[~classes["class_id"].isin(ranged),
                       ["class_id", "name", "role"]].reset_index(drop=True)


def results_without_data_cutoff(evidence: Evidence) -> pd.DataFrame:
    """Result rows with an empty ``data_cutoff``.

    Returns columns ``result_id, scope_id, trial, source_id``, in results.csv order.
    """
    results = evidence.results
    return results.loc[results["data_cutoff"].isna(),
                       ["result_id", "scope_id", "trial", "source_id"]].reset_index(drop=True)


def _investigational_entries(evidence: Evidence) -> pd.DataFrame:
    """(table, entry_id, class_id, source_id) of every row about an investigational class or its agents.

    A class is investigational as derived from approvals.csv
    (:func:`~lymphoma_evidence.analysis.approvals.class_status`).
    """
    status = class_status(evidence)
    investigational = set(status.loc[status["status"] == "investigational", "class_id"].dropna())
    class_of = dict(zip(evidence.agents["agent_id"], evidence.agents["class_id"], strict=True))
    pieces = []
    for table, frame, id_column, scope_column in (
        ("results", evidence.results, "result_id", "scope_id"),
        ("harms", evidence.harms, "harm_id", "scope_id"),
        ("outcomes", evidence.outcomes, "outcome_id", "scope_id"),
        ("eligibility", evidence.eligibility, "scope_id", "scope_id"),
        ("reported_ranges", evidence.reported_ranges, "range_id", "class_id"),
    ):
        scope = frame[scope_column].astype("string")
        class_id = scope.map(lambda s: class_of.get(s, s), na_action="ignore")
        pieces.append(pd.DataFrame({"table": table, "entry_id": frame[id_column].astype("string"),
                                    "class_id": class_id.astype("string"),
                                    "source_id": frame["source_id"].astype("string")}))
    entries = pd.concat(pieces, ignore_index=True)
    return entries[entries["class_id"].isin(investigational).fillna(False).to_numpy()]


def old_investigational_sources(evidence: Evidence, years: int = INVESTIGATIONAL_MAX_AGE_YEARS,
                                today: date | None = None) -> pd.DataFrame:
    """Entries about investigational classes whose source was published more than ``years`` years ago.

    Entries are rows of results, outcomes, eligibility and reported_ranges about an investigational
    class or one of its agents. A source's age is ``today.year - year``; undated sources are skipped.

    Returns columns ``table, entry_id, class_id, source_id, year, age_years``.
    """
    now = _today(today)
    entries = _investigational_entries(evidence)
    years_of = evidence.sources.drop_duplicates("source_id").set_index("source_id")["year"]
    entries = entries.assign(year=entries["source_id"].map(years_of).astype("Int64"))
    entries = entries.assign(age_years=(now.year - entries["year"]).astype("Int64"))
    old = entries[(entries["age_years"] > years).fillna(False).to_numpy()]
    return old.reset_index(drop=True)


def sources_to_complete(evidence: Evidence) -> pd.DataFrame:
    """Sources flagged ``identifier_to_complete``: no PMID or DOI seen yet; an analyst must add one.

    Returns columns ``source_id, label, citation, url``, in sources.csv order.
    """
    sources = evidence.sources
    flagged = (sources["identifier_status"] == TO_COMPLETE).fillna(False).to_numpy()
    return sources.loc[flagged, ["source_id", "label", "citation", "url"]].reset_index(drop=True)


def press_only_approvals(evidence: Evidence) -> pd.DataFrame:
    """Approvals whose source is a press article, not the label or the agency page.

    Returns columns ``approval_id, agent_id, regulator, source_id``, in approvals.csv order.
    """
    kinds = evidence.sources.drop_duplicates("source_id").set_index("source_id")["source_type"]
    approvals = evidence.approvals
    kind = approvals["source_id"].map(kinds)
    press = (kind == "article").fillna(False).to_numpy()
    return approvals.loc[press, ["approval_id", "agent_id", "regulator", "source_id"]].reset_index(drop=True)


#: Finding kind -> its heading in reports.
FINDING_TITLES = {
    "stale_sources": "Sources not checked for more than {months} months",
    "agents_without_post_car_t": "Agents without post-CAR-T results",
    "classes_without_reported_range": "Therapy classes without a reported range",
    "results_without_data_cutoff": "Results without a data cut-off date",
    "old_investigational_sources": "Investigational entries with sources more than {years} years old",
    "sources_to_complete": "Sources whose identifier is still to complete (no PMID or DOI seen)",
    "press_only_approvals": "Approvals cited from a press article only (label or agency page not seen)",
}


@dataclass(frozen=True)
class AuditReport:
    """Every finding of an audit: ``findings`` maps a kind (see :data:`FINDING_TITLES`) to its frame."""

    findings: dict[str, pd.DataFrame]
    titles: dict[str, str]
    today: date

    @property
    def total(self) -> int:
        """Number of findings of every kind."""
        return sum(len(frame) for frame in self.findings.values())

    def render_text(self) -> str:
        """A plain-text report: a heading per kind with its count, then one line per finding."""
        lines = [f"Evidence audit ({self.today.isoformat()}): {self.total} finding(s)"]
        for kind, frame in self.findings.items():
            lines.append(f"{self.titles[kind]}: {len(frame)}")
            for row in frame.astype("string").fillna("").itertuples(index=False):
                lines.append("  " + ", ".join(str(value) for value in row))
        return "\n".join(lines) + "\n"


def audit_evidence(evidence: Evidence, stale_after_months: int = STALE_AFTER_MONTHS,
                   today: date | None = None) -> AuditReport:
    """Run every audit on ``evidence``; ``today`` defaults to the current date."""
    day = today if today is not None else date.today()
    findings = {
        "stale_sources": stale_sources(evidence, stale_after_months, day),
        "agents_without_post_car_t": agents_without_post_car_t(evidence),
        "classes_without_reported_range": classes_without_reported_range(evidence),
        "results_without_data_cutoff": results_without_data_cutoff(evidence),
        "old_investigational_sources": old_investigational_sources(evidence, today=day),
        "sources_to_complete": sources_to_complete(evidence),
        "press_only_approvals": press_only_approvals(evidence),
    }
    titles = {kind: title.format(months=stale_after_months, years=INVESTIGATIONAL_MAX_AGE_YEARS)
              for kind, title in FINDING_TITLES.items()}
    return AuditReport(findings, titles, day)
