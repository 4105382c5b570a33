"""The evidence covers every option the project is about, and its known gaps stay written down.

A gap is something the curators looked for and could not support from a primary source. The known gaps
are a table of the evidence package (evidence/known_gaps.csv); three kinds are read here: options without
a direct post-CAR-T figure (kind no_direct_figure), options without side-effect figures (kind
no_harm_figure), and agents with results but without harms or approvals (kind agent_missing). Each listed gap
must still be a gap (when it is filled, its row goes), and each gap the data shows must be listed with its
reason. The left_out row on registered trials states how many there are and how many recruit; the numbers
must be those of trials.csv.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pandas as pd
import pytest
from helpers import EVIDENCE

from lymphoma_evidence.analysis.approvals import class_status
from lymphoma_evidence.analysis.trial_status import STATUS_MAX_AGE_MONTHS, trials_to_ask_about

GAPS = EVIDENCE / "known_gaps.csv"
DRUGS = ["epcoritamab", "glofitamab", "mosunetuzumab", "odronextamab", "polatuzumab_vedotin",
         "loncastuximab_tesirine", "tafasitamab", "axicabtagene_ciloleucel", "lisocabtagene_maraleucel",
         "tisagenlecleucel"]

#: (agent_id, endpoint) pairs with no primary figure yet; known_gaps.csv (kind left_out) says why.
KNOWN_RESULT_GAPS = {("glofitamab", "ORR"), ("mosunetuzumab", "ORR"), ("mosunetuzumab", "CR"),
                     ("lisocabtagene_maraleucel", "ORR"), ("lisocabtagene_maraleucel", "CR")}
#: classes without a range stated by a secondary source.
KNOWN_RANGE_GAPS = {"adcs", "tafasitamab_len", "allo_sct", "dual_target_car_t", "allogeneic_car_t",
                    "radiotherapy", "cd22_car_t", "clinical_trial", "supportive_care"}
#: classes or agents without an eligibility row (no label, guideline or trial criteria seen).
KNOWN_ELIGIBILITY_GAPS = {"radiotherapy", "supportive_care"}


def known_gaps(evidence, kind: str) -> dict[str, list[str]]:
    """Rows of known_gaps.csv of one kind: scope_id -> [what is missing, ..., reason] (an agent may have
    one row per missing table; their ``missing`` cells are joined)."""
    gaps = evidence.known_gaps[evidence.known_gaps["kind"] == kind]
    assert len(gaps), f"{GAPS} has no row of kind {kind}"
    rows: dict[str, list[str]] = {}
    for gap in gaps.to_dict("records"):
        missing = "" if gap["missing"] is None or gap["missing"] != gap["missing"] else str(gap["missing"])
        before = rows.get(gap["scope_id"], [""])[0]
        rows[gap["scope_id"]] = [" ".join(w for w in (before, missing) if w), str(gap["reason"])]
    return rows


def _class_of(evidence) -> dict[str, str]:
    return dict(zip(evidence.agents["agent_id"], evidence.agents["class_id"], strict=True))


def direct_classes(evidence) -> set[str]:
    """Classes with at least one post-CAR-T result, outcome, harm or comparison (for the class or one of its
    agents)."""
    class_of = _class_of(evidence)
    found = set()
    for frame in (evidence.results, evidence.outcomes, evidence.harms, evidence.comparisons):
        direct = frame[frame["post_car_t"].fillna(False).astype(bool)]
        found |= {class_of.get(scope, scope) for scope in direct["scope_id"]}
    return found


def test_every_option_has_a_direct_post_car_t_figure_or_a_listed_gap(evidence) -> None:
    options = set(evidence.classes.loc[evidence.classes["role"] == "option", "class_id"])
    listed = known_gaps(evidence, "no_direct_figure")
    missing = options - direct_classes(evidence)
    unlisted = missing - set(listed)
    assert not unlisted, f"no direct post-CAR-T figure, not listed in {GAPS}: {sorted(unlisted)}"
    filled = set(listed) - missing
    assert not filled, f"no longer gaps (remove them from {GAPS}): {sorted(filled)}"
    assert all(cells and cells[-1] for cells in listed.values()), "every listed gap needs its reason"
    assert set(listed) <= options, "only option classes belong in this table"


def test_every_agent_with_results_has_harms_and_approvals_or_a_listed_gap(evidence) -> None:
    with_results = set(evidence.results["agent_id"].dropna())
    no_harms = with_results - set(evidence.harms["agent_id"].dropna())
    no_approvals = with_results - set(evidence.approvals["agent_id"])
    listed = known_gaps(evidence, "agent_missing")
    expected = {a: {*(["harms"] if a in no_harms else []), *(["approvals"] if a in no_approvals else [])}
                for a in no_harms | no_approvals}
    said = {a: {word for word in ("harms", "approvals") if word in cells[0]} for a, cells in listed.items()}
    assert said == expected, "known_gaps.csv must name exactly the missing harms/approvals per agent"
    assert all(len(cells) > 1 and cells[-1] for cells in listed.values()), "every listed gap needs its reason"


@pytest.mark.parametrize("agent_id", DRUGS)
@pytest.mark.parametrize("endpoint", ["ORR", "CR"])
def test_every_drug_has_its_response_figures(evidence, agent_id: str, endpoint: str) -> None:
    results = evidence.results
    present = ((results["agent_id"] == agent_id) & (results["endpoint"] == endpoint)).any()
    if (agent_id, endpoint) in KNOWN_RESULT_GAPS:
        assert not present, f"{agent_id} {endpoint} is no longer a gap: remove it from KNOWN_RESULT_GAPS"
    else:
        assert present, f"{agent_id} has no {endpoint} row"


@pytest.mark.parametrize("scope", ["salvage_chemo", "allo_sct", "radiotherapy"])
def test_chemo_transplant_and_radiotherapy_have_post_car_t_figures(evidence, scope: str) -> None:
    assert scope in direct_classes(evidence)


def test_every_class_has_eligibility_and_a_stated_range(evidence) -> None:
    classes = set(evidence.classes["class_id"])
    with_range = set(evidence.reported_ranges["class_id"])
    scopes = set(evidence.eligibility["scope_id"])
    agents_by_class = evidence.agents.groupby("class_id")["agent_id"].apply(set).to_dict()
    with_eligibility = {c for c in classes if c in scopes or agents_by_class.get(c, set()) & scopes}
    assert classes - with_range == KNOWN_RANGE_GAPS
    assert classes - with_eligibility == KNOWN_ELIGIBILITY_GAPS


def test_every_option_is_described_for_the_decision_aid(evidence) -> None:
    options = set(evidence.classes.loc[evidence.classes["role"] == "option", "class_id"])
    described = set(evidence.option_details["class_id"])
    assert options - described == {"dual_target_car_t", "allogeneic_car_t"}


def test_the_seed_article_claims_are_recorded(evidence) -> None:
    seed = evidence.reported_ranges[evidence.reported_ranges["source_id"] == "survivornet_after_car_t"]
    claims = {(r.class_id, r.endpoint, r.low_percent, r.high_percent) for r in seed.itertuples()}
    assert ("bispecific_antibodies", "ORR", 50, 60) in claims
    assert ("cd19_car_t", "CR", 35, 40) in claims


def test_investigational_options_have_registered_trials(evidence) -> None:
    status = class_status(evidence).merge(evidence.classes[["class_id", "role"]], on="class_id")
    investigational = status.loc[(status["status"] == "investigational") & (status["role"] == "option"),
                                 "class_id"]
    # taking part in a trial is a path, not a product; CD22 CAR-T trials were seen without a dated record
    assert set(investigational) - {"clinical_trial", "cd22_car_t"} <= set(evidence.trials["class_id"])


def test_every_lbcl_medicine_with_results_has_an_lbcl_approval_or_is_investigational(evidence) -> None:
    status = class_status(evidence).set_index("class_id")["status"]
    assert status["bispecific_antibodies"] == "approved"
    assert status["cd19_car_t"] == "context"  # the therapy that failed, shown as such
    assert class_status(evidence).set_index("class_id").loc["cd19_car_t", "approval_status"] == "approved"
    assert status["dual_target_car_t"] == "investigational"
    assert status["salvage_chemo"] == "standard"
    approvals = evidence.approvals
    mosun = approvals[approvals["agent_id"] == "mosunetuzumab"]
    assert set(mosun["disease"]) == {"FL"}, "mosunetuzumab is approved for follicular lymphoma only"


def test_every_option_has_side_effect_figures_or_a_listed_gap(evidence) -> None:
    options = set(evidence.classes.loc[evidence.classes["role"] == "option", "class_id"])
    with_harms = set(evidence.harms["class_id"].dropna())
    listed = known_gaps(evidence, "no_harm_figure")
    missing = options - with_harms
    unlisted, filled = sorted(missing - set(listed)), sorted(set(listed) - missing)
    assert not unlisted, f"no side effects, not listed in {GAPS}: {unlisted}"
    assert not filled, f"no longer gaps (remove them from {GAPS}): {filled}"
    assert all(cells[0] == "harms" and cells[-1] for cells in listed.values()), \
        "every listed gap says harms are missing and gives its reason"


#: options with no side-effect row yet; known_gaps.csv (kind no_harm_figure) says why.
KNOWN_HARM_GAPS = {"allogeneic_car_t", "cd22_car_t", "clinical_trial", "supportive_care"}


def harm_rows_by_class(evidence) -> dict[str, tuple[int, int]]:
    """``{class_id: (rows in harms.csv, rows of them from people who all had CAR-T before)}``."""
    harms = evidence.harms
    post = harms["post_car_t"].fillna(False).astype(bool)
    return {cls: (int((harms["class_id"] == cls).sum()), int(((harms["class_id"] == cls) & post).sum()))
            for cls in evidence.classes["class_id"]}


def test_options_without_side_effects_are_exactly_the_known_ones(evidence) -> None:
    options = set(evidence.classes.loc[evidence.classes["role"] == "option", "class_id"])
    without = {cls for cls in options if harm_rows_by_class(evidence)[cls][0] == 0}
    assert without == KNOWN_HARM_GAPS, (f"options without side effects: {sorted(without)}; "
                                        f"update KNOWN_HARM_GAPS and {GAPS}")


def readme_side_effect_table() -> dict[str, tuple[int, int, str]]:
    """The evidence README's "Side effects by option" table: ``{class_id: (rows, after CAR-T, gap_id)}``."""
    text = (EVIDENCE / "README.md").read_text(encoding="utf-8")
    section = text.split("### Side effects by option", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_]+)` \| (\d+) \| (\d+) \|\s*`?([a-z0-9_]*)`?\s*\|$", section, re.M)
    return {cls: (int(n), int(post), gap) for cls, n, post, gap in rows}


def test_the_readme_side_effect_table_matches_the_evidence(evidence) -> None:
    table = readme_side_effect_table()
    options = evidence.classes.loc[evidence.classes["role"] == "option", "class_id"]
    gaps = evidence.known_gaps[evidence.known_gaps["kind"] == "no_harm_figure"]
    gap_of = dict(zip(gaps["scope_id"], gaps["gap_id"], strict=True))
    counted = harm_rows_by_class(evidence)
    expected = {cls: (*counted[cls], gap_of.get(cls, "")) for cls in options}
    assert table == expected, "evidence/README.md 'Side effects by option' differs from the evidence"


@pytest.mark.parametrize("agent_id", ["epcoritamab", "glofitamab", "odronextamab", "polatuzumab_vedotin",
                                      "loncastuximab_tesirine", "tafasitamab", "axicabtagene_ciloleucel",
                                      "tisagenlecleucel", "platinum_salvage", "allogeneic_hct"])
def test_side_effects_name_their_event_grade_and_population(evidence, agent_id: str) -> None:
    rows = evidence.harms[evidence.harms["agent_id"] == agent_id]
    assert len(rows), f"{agent_id} has no side-effect row"
    assert rows["grade"].notna().all() and rows["population"].str.len().gt(20).all()


def test_every_clinical_question_is_answered_from_a_cited_source(evidence) -> None:
    qs = evidence.clinical_questions
    assert {"antigen_loss", "rebiopsy", "bridging", "allo_consolidation"} <= set(qs["topic"])
    assert qs["source_id"].isin(evidence.sources["source_id"]).all()
    counted = qs.dropna(subset=["n", "events"])
    assert (counted["events"] <= counted["n"]).all()


def test_comparisons_and_medians_not_reached_come_from_primary_sources(evidence) -> None:
    flag = evidence.outcomes["not_reached"].astype("boolean").fillna(False).astype(bool)
    medians = evidence.outcomes.loc[flag.to_numpy(), "source_id"]
    cited = pd.concat([evidence.comparisons["source_id"], medians])
    assert len(evidence.comparisons) and flag.any(), "no comparison or median not reached is stored"
    sources = evidence.sources.set_index("source_id").loc[cited.unique()]
    assert (sources["source_type"] == "trial_publication").all()
    flagged = sources["identifier_status"] == "identifier_to_complete"  # the audit lists these
    assert (sources["pmid"].notna() | sources["doi"].notna() | (flagged & sources["url"].notna())).all()


#: The target for registered trials a patient after CAR-T failure could ask about.
MIN_TRIALS = 15


def recruiting_with_recent_record(evidence) -> int:
    """Trials the reports would offer (recruiting, with a record from the last 12 months, by the library's
    one rule: ``trials_to_ask_about``), counted on the newest source reading (the `accessed` date curators
    last read a source on) rather than on the build day, so the count does not change with the clock."""
    read_on = pd.to_datetime(evidence.sources["accessed"]).max().date()
    return len(trials_to_ask_about(evidence.trials, STATUS_MAX_AGE_MONTHS, today=read_on))


def test_enough_registered_trials_and_the_known_gaps_state_how_many_recruit(evidence) -> None:
    count = len(evidence.trials)
    assert count >= MIN_TRIALS, f"{count} registered trials; target {MIN_TRIALS}"
    left_out = evidence.known_gaps.loc[evidence.known_gaps["kind"] == "left_out", "reason"]
    said = [m for reason in left_out.astype(str) if (m := re.search(
        r"(\d+) trials are registered, (\d+) of them recruiting with a record from the last 12 months",
        reason))]
    assert len(said) == 1, f"one left_out row of {GAPS} must say how many trials are registered and recruit"
    assert (int(said[0][1]), int(said[0][2])) == (count, recruiting_with_recent_record(evidence))


#: Where a label lives: DailyMed, FDA (label PDFs, openFDA records), EMA, and the UK emc SmPC pages.
LABEL_HOSTS = ("dailymed.nlm.nih.gov", "api.fda.gov", "www.accessdata.fda.gov", "www.fda.gov",
               "www.ema.europa.eu", "medicines.org.uk", "www.medicines.org.uk")
#: Label sources still linked to a copy of the label, with why.
KNOWN_LABEL_COPIES = {"epkinly_label_dailymed_copy": "DailyMed label read at fda.report; its set ID is cited"}


def test_label_sources_cite_the_label_and_keep_the_copy_read_for_curators(evidence) -> None:
    """A label read through a copy links readers to the label; only a curator's [note] names the copy."""
    labels = evidence.sources[evidence.sources["source_type"] == "label"]
    for row in labels.itertuples():
        outside = re.sub(r"\[[^\]]*\]", "", row.citation)
        assert "http" not in outside, f"{row.source_id}: an address outside a [note] reaches readers"
        host = urlparse(row.url).hostname
        if row.source_id not in KNOWN_LABEL_COPIES:
            assert host in LABEL_HOSTS, f"{row.source_id}: links readers to {host}, not to the label"
