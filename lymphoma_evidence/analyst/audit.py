"""Staleness and gaps in the evidence: what an analyst should look at next.

Each finding kind is one function taking an :class:`~lymphoma_evidence.data.evidence.Evidence` and returning
a DataFrame (one row per finding, empty with the same columns when nothing is found);
:func:`audit_evidence` runs them all for the CLI and the audit report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from ..analysis.approvals import class_status
from ..analysis.certainty import rationale_mismatches
from ..analysis.citations import citations_to_complete
from ..analysis.strata import with_strata
from ..analysis.topic import gap_reasons
from ..data.evidence import Evidence
from ..data.provenance import TO_COMPLETE, has_identifier
from ..errors import ParameterError
from .revisions import missing_tag_hint

if TYPE_CHECKING:
    from .diff import EvidenceDiff

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


#: What the audit says of an option without side effects that known_gaps.csv does not list.
NOT_LISTED = "not listed in known_gaps.csv (kind no_harm_figure)"


def options_without_side_effects(evidence: Evidence) -> pd.DataFrame:
    """Option classes with no row in harms.csv (for the class or one of its agents), and why.

    Returns columns ``class_id, name, why``, in therapy_classes.csv order; ``why`` is the curators' reason
    from known_gaps.csv (kind ``no_harm_figure``), or says that it is not listed there.
    """
    classes = evidence.classes
    options = classes[classes["role"] == "option"]
    with_harms = set(evidence.harms["class_id"].dropna()) if "class_id" in evidence.harms else set()
    missing = options[~options["class_id"].isin(with_harms)]
    listed = gap_reasons(evidence, "no_harm_figure")
    why = [listed.get(c, NOT_LISTED) for c in missing["class_id"]]
    return missing[["class_id", "name"]].assign(why=why).reset_index(drop=True)


def classes_without_reported_range(evidence: Evidence) -> pd.DataFrame:
    """Therapy classes that no row of reported_ranges.csv is about.

    Returns columns ``class_id, name, role``, in therapy_classes.csv order.
    """
    classes = evidence.classes
    ranged = set(evidence.reported_ranges["class_id"].dropna())
    columns = [c for c in ("class_id", "name", "role", "status") if c in classes.columns]
    return classes.loc[~classes["class_id"].isin(ranged), columns].reset_index(drop=True)


def results_without_data_cutoff(evidence: Evidence) -> pd.DataFrame:
    """Result rows with an empty ``data_cutoff``.

    Returns columns ``result_id, scope_id, trial, source_id``, in results.csv order.
    """
    results = evidence.results
    return results.loc[results["data_cutoff"].isna(),
                       ["result_id", "scope_id", "trial", "source_id"]].reset_index(drop=True)


#: Columns that tie a row to an agent or a class, in the order they are tried.
SCOPE_COLUMNS = ("scope_id", "agent_id", "class_id")


def _investigational_entries(evidence: Evidence) -> pd.DataFrame:
    """(table, entry_id, class_id, source_id) of every row about an investigational class or its agents.

    Every table of the schema with a ``source_id``, a single-column primary key and a scope column
    (:data:`SCOPE_COLUMNS`) takes part, so tables added to the schema join without a code change. A class
    is investigational as derived from approvals.csv
    (:func:`~lymphoma_evidence.analysis.approvals.class_status`).
    """
    from ..data.schema import TABLE_ATTRIBUTES, load_package
    from ..paths import evidence_dir

    status = class_status(evidence)
    investigational = set(status.loc[status["status"] == "investigational", "class_id"].dropna())
    class_of = dict(zip(evidence.agents["agent_id"], evidence.agents["class_id"], strict=True))
    pieces = []
    for table in load_package(evidence.path or evidence_dir()).tables:
        frame = getattr(evidence, TABLE_ATTRIBUTES.get(table.name, ""), None)
        scope_column = next((c for c in SCOPE_COLUMNS if c in table.columns), None)
        if (frame is None or table.name in ("agents", "therapy_classes") or scope_column is None
                or "source_id" not in table.columns or len(table.primary_key) != 1):
            continue
        scope = frame[scope_column].astype("string")
        class_id = scope.map(lambda s: class_of.get(s, s), na_action="ignore")
        pieces.append(pd.DataFrame({"table": table.name,
                                    "entry_id": frame[table.primary_key[0]].astype("string"),
                                    "class_id": class_id.astype("string"),
                                    "source_id": frame["source_id"].astype("string")}))
    if not pieces:
        return pd.DataFrame(columns=["table", "entry_id", "class_id", "source_id"])
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

    Returns columns ``source_id, label, citation``, in sources.csv order (the address where the text was
    seen is in sources.csv; a long url would not fit a printed page).
    """
    sources = evidence.sources
    flagged = (sources["identifier_status"] == TO_COMPLETE).fillna(False).to_numpy()
    return sources.loc[flagged, ["source_id", "label", "citation"]].reset_index(drop=True)


def outcome_sources_without_identifier(evidence: Evidence) -> pd.DataFrame:
    """Sources of outcome rows with no PMID or DOI (nor a label, agency or registry url) and no flag.

    Results and harms cannot cite such a source (the validator refuses it); outcomes can, so the audit
    lists them until an identifier is added or the source is flagged ``identifier_to_complete``.

    Returns columns ``source_id, label, outcomes`` (how many outcome rows cite it), in sources.csv order.
    """
    sources = evidence.sources
    cited = evidence.outcomes["source_id"].value_counts()
    flagged = (sources["identifier_status"] == TO_COMPLETE).fillna(False)
    missing = (~has_identifier(sources) & ~flagged & sources["source_id"].isin(cited.index)).to_numpy()
    frame = sources.loc[missing, ["source_id", "label"]].reset_index(drop=True)
    return frame.assign(outcomes=frame["source_id"].map(cited).astype("Int64"))


def shares_not_reported(evidence: Evidence) -> pd.DataFrame:
    """Result, outcome, harm and comparison rows whose share of patients with prior CAR-T is empty (stratum
    ``unknown``): the source was read and is silent, or it still has to be read.

    Returns columns ``table, row_id, source_id``, in file order (results, outcomes, harms, comparisons).
    """
    frames = []
    for table, id_column in (("results", "result_id"), ("outcomes", "outcome_id"), ("harms", "harm_id"),
                             ("comparisons", "comparison_id")):
        frame = with_strata(getattr(evidence, table))
        empty = frame["stratum"].eq("unknown").to_numpy()
        frames.append(pd.DataFrame({"table": table, "row_id": frame.loc[empty, id_column].astype(str),
                                    "source_id": frame.loc[empty, "source_id"].astype(str)}))
    return pd.concat(frames, ignore_index=True)


def press_only_approvals(evidence: Evidence) -> pd.DataFrame:
    """Approvals whose source is a press article, not the label or the agency page.

    Returns columns ``approval_id, agent_id, regulator, source_id``, in approvals.csv order.
    """
    kinds = evidence.sources.drop_duplicates("source_id").set_index("source_id")["source_type"]
    approvals = evidence.approvals
    kind = approvals["source_id"].map(kinds)
    press = (kind == "article").fillna(False).to_numpy()
    return approvals.loc[press, ["approval_id", "agent_id", "regulator", "source_id"]].reset_index(drop=True)


def stale_trial_statuses(evidence: Evidence, months: int = STALE_AFTER_MONTHS,
                         today: date | None = None) -> pd.DataFrame:
    """Trials whose registry status is not recruiting, or whose record is older than ``months`` months
    (dated before :func:`~lymphoma_evidence.analysis.trial_status.record_cutoff`: the reports' rule).

    Reports do not offer these as trials to ask about (:func:`~lymphoma_evidence.analysis.trial_status.
    trials_to_ask_about`); refresh them with ``import-trial`` from a newly saved registry record.

    Returns columns ``nct_id, class_id, status, status_date, months_old, reason``, oldest first.
    """
    from ..analysis.trial_status import trial_status_check

    checked = trial_status_check(evidence.trials, months, today)
    stale = checked[~checked["offered"].to_numpy(dtype=bool)].drop(columns="offered")
    return stale.sort_values("status_date", kind="mergesort").reset_index(drop=True)


#: Finding kind -> its heading in reports.
FINDING_TITLES = {
    "stale_sources": "Sources not checked for more than {months} months",
    "stale_trial_statuses": "Trials not offered to readers: not recruiting, or status older than "
                            "{months} months",
    "agents_without_post_car_t": "Agents without post-CAR-T results",
    "options_without_side_effects": "Options without side-effect figures, and why",
    "classes_without_reported_range": "Therapy classes without a reported range",
    "results_without_data_cutoff": "Results without a data cut-off date",
    "old_investigational_sources": "Investigational entries with sources more than {years} years old",
    "sources_to_complete": "Sources whose identifier is still to complete (no PMID or DOI seen)",
    "outcome_sources_without_identifier": "Sources of outcomes without PMID, DOI or flag",
    "press_only_approvals": "Approvals cited from a press article only (label or agency page not seen)",
    "shares_not_reported": "Rows whose share of patients with prior CAR-T is not reported",
    "citations_to_complete": "Citations with a curator's note still to complete (readers never see "
                             "the note)",
    "certainty_rationale_mismatches": "Certainty rationales naming counts or intervals their rated row "
                                      "does not have",
}


@dataclass(frozen=True)
class AuditReport:
    """Every finding of an audit: ``findings`` maps a kind (see :data:`FINDING_TITLES`) to its frame.

    ``release`` names the latest release the evidence was compared with (``None`` when there is none or
    no comparison was asked for) and ``changes`` is that comparison.
    """

    findings: dict[str, pd.DataFrame]
    titles: dict[str, str]
    today: date
    release: str | None = None
    changes: EvidenceDiff | None = None
    #: Why no release was found although CHANGELOG.md lists one (a clone without tags); "" otherwise.
    missing_tag: str = ""

    @property
    def total(self) -> int:
        """Number of findings of every kind."""
        return sum(len(frame) for frame in self.findings.values())


def compare_with_latest_release(evidence: Evidence) -> tuple[str | None, EvidenceDiff | None]:
    """``(release label, EvidenceDiff)`` against the latest release (its tag, or its release commit in a clone
    without tags; see :func:`.revisions.latest_release`), or ``(None, None)``."""
    from .diff import diff_evidence
    from .revisions import GitError, latest_release

    if evidence.path is None:
        return None, None
    try:
        release = latest_release(evidence.path)
        if release is None:
            return None, None
        version, tag = release
        return f"{version} ({tag})", diff_evidence(tag, evidence.path, evidence.path)
    except (GitError, ParameterError):
        return None, None


def audit_evidence(evidence: Evidence, stale_after_months: int = STALE_AFTER_MONTHS,
                   today: date | None = None, compare: bool = False) -> AuditReport:
    """Run every audit on ``evidence``; ``today`` defaults to the current date.

    With ``compare``, the evidence is also compared with its latest release (see
    :func:`.revisions.latest_release`).
    """
    day = today if today is not None else date.today()
    findings = {
        "stale_sources": stale_sources(evidence, stale_after_months, day),
        "stale_trial_statuses": stale_trial_statuses(evidence, stale_after_months, day),
        "agents_without_post_car_t": agents_without_post_car_t(evidence),
        "options_without_side_effects": options_without_side_effects(evidence),
        "classes_without_reported_range": classes_without_reported_range(evidence),
        "results_without_data_cutoff": results_without_data_cutoff(evidence),
        "old_investigational_sources": old_investigational_sources(evidence, today=day),
        "sources_to_complete": sources_to_complete(evidence),
        "outcome_sources_without_identifier": outcome_sources_without_identifier(evidence),
        "press_only_approvals": press_only_approvals(evidence),
        "shares_not_reported": shares_not_reported(evidence),
        "citations_to_complete": citations_to_complete(evidence.sources),
        "certainty_rationale_mismatches": rationale_mismatches(evidence).drop(columns="rationale"),
    }
    titles = {kind: title.format(months=stale_after_months, years=INVESTIGATIONAL_MAX_AGE_YEARS)
              for kind, title in FINDING_TITLES.items()}
    release, changes = compare_with_latest_release(evidence) if compare else (None, None)
    missing = missing_tag_hint(evidence.path) if compare and release is None and evidence.path else ""
    return AuditReport(findings, titles, day, release, changes, missing)
