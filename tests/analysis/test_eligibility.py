"""Tests for lymphoma_evidence.analysis.eligibility: patient profiles and eligible options."""

from __future__ import annotations

import copy
import dataclasses

import pandas as pd
import pytest
from helpers import EVIDENCE, real_evidence
from hypothesis import assume, given
from hypothesis import strategies as st

from lymphoma_evidence.analysis.eligibility import PatientProfile, eligible_options
from lymphoma_evidence.analysis.frames import EligibleOptions, columns
from lymphoma_evidence.data.evidence import Evidence
from lymphoma_evidence.data.schema import TABLE_ATTRIBUTES, load_package
from lymphoma_evidence.errors import ParameterError

TEMPLATE = Evidence.from_frames()
#: The topic tables (measures, glossary, ...) ``from_frames`` would read from evidence/ for every bundle the
#: property tests build: read once here and given to it instead.
TOPIC = {TABLE_ATTRIBUTES[table.name]: getattr(TEMPLATE, TABLE_ATTRIBUTES[table.name])
         for table in load_package(EVIDENCE).tables if table.topic}

CLASSES = [
    {"class_id": "bispecific_antibodies", "name": "Bispecific antibodies", "display_order": 1},
    {"class_id": "adcs", "name": "Antibody-drug conjugates", "display_order": 2},
    {"class_id": "allo_sct", "name": "Allogeneic stem cell transplant", "display_order": 5},
    {"class_id": "cd19_car_t", "name": "Approved CD19 CAR T-cell products", "display_order": 6},
    {"class_id": "dual_target_car_t", "name": "Dual-target CAR T-cells", "display_order": 7},
]
AGENTS = [
    {"agent_id": "glofitamab", "name": "Glofitamab", "class_id": "bispecific_antibodies"},
    {"agent_id": "loncastuximab_tesirine", "name": "Loncastuximab tesirine", "class_id": "adcs"},
    {"agent_id": "polatuzumab_vedotin", "name": "Polatuzumab vedotin", "class_id": "adcs"},
    {"agent_id": "allogeneic_hct", "name": "Allogeneic HCT", "class_id": "allo_sct"},
    {"agent_id": "axicabtagene_ciloleucel", "name": "Axi-cel", "class_id": "cd19_car_t"},
    {"agent_id": "lv20_19_car_t", "name": "LV20.19", "class_id": "dual_target_car_t"},
]


def rule(scope_id: str, **values) -> dict:
    row = {"scope_id": scope_id, "transplant": "any", "requires_donor": False,
           "prior_car_t": "allowed", "basis": "label", "source_id": f"label_{scope_id}"}
    return row | values


RULES = [
    rule("allogeneic_hct", transplant="fit", requires_donor=True, basis="guideline"),
    rule("axicabtagene_ciloleucel", target_antigen="CD19", prior_car_t="excluded"),
    rule("glofitamab", min_prior_lines=2, target_antigen="CD20"),
    rule("loncastuximab_tesirine", min_prior_lines=2, target_antigen="CD19", max_ecog=2),
    rule("lv20_19_car_t", target_antigen="CD19/CD20", prior_car_t="unknown"),
    rule("bispecific_antibodies", min_prior_lines=2, target_antigen="CD20"),
]


def typed(table: str, rows: list[dict]) -> pd.DataFrame:
    """A frame with the loaded evidence's columns and dtypes (missing keys become empty cells)."""
    empty = getattr(TEMPLATE, table)
    return pd.DataFrame(rows, columns=empty.columns).astype(empty.dtypes.to_dict())


def evidence(rules=None) -> Evidence:
    return Evidence.from_frames(classes=typed("classes", CLASSES), agents=typed("agents", AGENTS),
                                eligibility=typed("eligibility", RULES if rules is None else rules), **TOPIC)


def options(profile: PatientProfile, rules=None) -> pd.DataFrame:
    return eligible_options(evidence(rules), profile).set_index("scope_id")


# ---- PatientProfile -------------------------------------------------------------------------

def test_profile_defaults_to_everything_unknown():
    profile = PatientProfile()
    assert profile.prior_lines is None and profile.ecog is None and profile.antigens == {}


def test_profile_copies_antigens_and_compares_names_case_insensitively():
    given_antigens = {"cd19": "negative"}
    profile = PatientProfile(antigens=given_antigens)
    given_antigens["CD20"] = "positive"
    assert profile.antigens == {"CD19": "negative"}


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"prior_lines": -1}, r"prior_lines=-1 is out of range; expected 0 or more"),
    ({"prior_lines": 2.5}, r"prior_lines=2.5 is not usable; expected a whole number"),
    ({"prior_lines": True}, r"prior_lines=True is not usable"),
    ({"ecog": 5}, r"ecog=5 is out of range; expected from 0 to 4"),
    ({"prior_car_t": "yes"}, r"prior_car_t='yes' is not usable; expected True or False"),
    ({"has_donor": 1}, r"has_donor=1 is not usable"),
    ({"antigens": {"CD19": "low"}}, r"antigens\['CD19'\]='low' is not usable.*leave an unknown"),
    ({"antigens": ["CD19"]}, r"antigens=\['CD19'\] is not a mapping"),
])
def test_profile_rejects_bad_values_with_a_hint(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        PatientProfile(**kwargs)


# ---- eligible_options -----------------------------------------------------------------------

def test_options_have_the_columns_and_follow_class_display_order():
    table = eligible_options(evidence(), PatientProfile())
    assert list(table.columns) == columns(EligibleOptions)
    assert table["scope_id"].tolist() == [
        "glofitamab", "bispecific_antibodies", "loncastuximab_tesirine", "allogeneic_hct",
        "axicabtagene_ciloleucel", "lv20_19_car_t"]
    row = table.set_index("scope_id").loc["bispecific_antibodies"]
    assert (row["scope_type"], row["name"], row["class_name"]) == (
        "class", "Bispecific antibodies", "Bispecific antibodies")
    assert table.set_index("scope_id").loc["glofitamab", "scope_type"] == "agent"


def test_unknown_patient_values_give_check_never_a_guess():
    table = options(PatientProfile())
    assert set(table["status"]) == {"check"}
    assert table.loc["allogeneic_hct", "reasons"] == (
        "requires fitness for transplant (patient: unknown); requires a donor (patient: unknown)")


def test_too_few_prior_lines_is_not_eligible_with_the_count_in_the_reason():
    table = options(PatientProfile(prior_lines=1, antigens={"CD20": "positive"}))
    assert table.loc["glofitamab", "status"] == "not_eligible"
    assert table.loc["glofitamab", "reasons"] == "requires at least 2 prior lines (patient: 1)"


def test_meeting_every_requirement_is_eligible_and_says_what_was_met():
    table = options(PatientProfile(prior_lines=3, antigens={"CD20": "positive"}))
    assert table.loc["glofitamab", "status"] == "eligible"
    assert table.loc["glofitamab", "reasons"] == (
        "meets every listed requirement (at least 2 prior lines; CD20 expression)")


def test_cd19_negative_relapse_after_car_t():
    patient = PatientProfile(prior_lines=3, prior_car_t=True, ecog=1,
                             antigens={"CD19": "negative", "CD20": "positive"})
    table = options(patient)
    assert table.loc["loncastuximab_tesirine", "reasons"] == (
        "requires CD19 expression (patient: negative)")
    assert table.loc["axicabtagene_ciloleucel", "status"] == "not_eligible"
    assert table.loc["glofitamab", "status"] == "eligible"
    # A dual-target product needs either antigen; the source is silent on prior CAR-T.
    assert table.loc["lv20_19_car_t", "status"] == "check"
    assert table.loc["lv20_19_car_t", "reasons"] == (
        "the source does not say whether patients after CAR-T qualify (patient: had CAR-T)")


def test_dual_target_is_not_eligible_only_when_both_antigens_are_negative():
    both = options(PatientProfile(antigens={"CD19": "negative", "CD20": "negative"},
                                  prior_car_t=False))
    assert both.loc["lv20_19_car_t", "reasons"] == (
        "requires expression of CD19 or CD20 (patient: CD19 negative, CD20 negative)")
    assert both.loc["lv20_19_car_t", "status"] == "not_eligible"
    one = options(PatientProfile(antigens={"CD19": "negative"}, prior_car_t=False))
    assert one.loc["lv20_19_car_t", "status"] == "check"


def test_transplant_unfit_patient_cannot_have_allogeneic_transplant():
    table = options(PatientProfile(transplant_fit=False, has_donor=True))
    assert table.loc["allogeneic_hct", "status"] == "not_eligible"
    assert table.loc["allogeneic_hct", "reasons"] == (
        "requires fitness for transplant (patient: unfit)")


def test_fit_patient_with_a_donor_is_eligible_for_allogeneic_transplant():
    table = options(PatientProfile(transplant_fit=True, has_donor=True, prior_car_t=True))
    assert table.loc["allogeneic_hct", "status"] == "eligible"
    no_donor = options(PatientProfile(transplant_fit=True, has_donor=False))
    assert no_donor.loc["allogeneic_hct", "reasons"] == "requires a donor (patient: none)"


def test_ecog_3_exceeds_a_limit_of_2():
    table = options(PatientProfile(prior_lines=2, ecog=3, antigens={"CD19": "positive"}))
    assert table.loc["loncastuximab_tesirine", "status"] == "not_eligible"
    assert table.loc["loncastuximab_tesirine", "reasons"] == (
        "requires ECOG performance status 2 or lower (patient: 3)")


def test_transplant_unfit_requirement_excludes_a_fit_patient():
    rows = [rule("polatuzumab_vedotin", transplant="unfit", target_antigen="CD79b")]
    table = options(PatientProfile(transplant_fit=True, antigens={"cd79B": "positive"}), rows)
    assert table.loc["polatuzumab_vedotin", "reasons"] == (
        "requires being unfit for transplant (patient: fit)")


def test_prior_car_t_required_and_excluded():
    rows = [rule("axicabtagene_ciloleucel", prior_car_t="excluded"),
            rule("lv20_19_car_t", prior_car_t="required")]
    after = options(PatientProfile(prior_car_t=True), rows)
    assert after["status"].tolist() == ["not_eligible", "eligible"]
    assert after.loc["axicabtagene_ciloleucel", "reasons"] == (
        "requires no prior CAR T-cell therapy (patient: had CAR-T)")
    naive = options(PatientProfile(prior_car_t=False), rows)
    assert naive["status"].tolist() == ["eligible", "not_eligible"]


def test_an_agent_without_its_own_row_inherits_nothing_from_its_class():
    table = eligible_options(evidence([rule("adcs", min_prior_lines=2)]), PatientProfile())
    assert table["scope_id"].tolist() == ["adcs"]


def test_a_row_without_requirements_is_eligible():
    table = options(PatientProfile(), [rule("adcs")])
    assert table.loc["adcs", ["status", "reasons"]].tolist() == ["eligible", "no requirements listed"]


def test_options_reject_a_profile_that_is_not_a_patient_profile():
    with pytest.raises(ParameterError, match="is not a PatientProfile"):
        eligible_options(evidence(), {"prior_lines": 2})


def test_options_do_not_mutate_the_evidence():
    ev = evidence()
    before = copy.deepcopy(ev)
    eligible_options(ev, PatientProfile(prior_lines=1, ecog=3))
    for name in ("eligibility", "agents", "classes"):
        pd.testing.assert_frame_equal(getattr(ev, name), getattr(before, name))


# ---- properties -----------------------------------------------------------------------------

RANK = {"eligible": 0, "check": 1, "not_eligible": 2}

profiles = st.builds(
    PatientProfile,
    prior_lines=st.none() | st.integers(0, 6),
    prior_car_t=st.none() | st.booleans(),
    transplant_fit=st.none() | st.booleans(),
    has_donor=st.none() | st.booleans(),
    ecog=st.none() | st.integers(0, 4),
    antigens=st.dictionaries(st.sampled_from(["CD19", "CD20", "CD22"]),
                             st.sampled_from(["positive", "negative"])),
)
constraints = st.fixed_dictionaries({}, optional={
    "min_prior_lines": st.integers(0, 5),
    "transplant": st.sampled_from(["fit", "unfit"]),
    "requires_donor": st.just(True),
    "target_antigen": st.sampled_from(["CD19", "CD20", "CD19/CD22"]),
    "prior_car_t": st.sampled_from(["required", "excluded", "unknown"]),
    "max_ecog": st.integers(0, 4),
})
extra_constraint = st.sampled_from([
    ("min_prior_lines", 3), ("transplant", "fit"), ("transplant", "unfit"),
    ("requires_donor", True), ("target_antigen", "CD20"), ("prior_car_t", "excluded"),
    ("prior_car_t", "required"), ("prior_car_t", "unknown"), ("max_ecog", 1),
])


@given(profiles, constraints, extra_constraint)
def test_adding_a_constraint_never_improves_the_status(patient, base, extra):
    column, value = extra
    assume(column not in base)  # only adding a requirement, never replacing one
    before = options(patient, [rule("glofitamab", **base)]).loc["glofitamab", "status"]
    after = options(patient, [rule("glofitamab", **base, **{column: value})]).loc[
        "glofitamab", "status"]
    assert RANK[after] >= RANK[before]


@given(profiles, constraints, st.sampled_from(
    ["prior_lines", "prior_car_t", "transplant_fit", "has_donor", "ecog"]))
def test_forgetting_a_patient_value_never_makes_an_option_eligible(patient, base, field_name):
    row = [rule("glofitamab", **base)]
    before = options(patient, row).loc["glofitamab", "status"]
    forgotten = dataclasses.replace(patient, **{field_name: None})
    after = options(forgotten, row).loc["glofitamab", "status"]
    if before != "eligible":
        assert after != "eligible"


# ---- the real evidence ----------------------------------------------------------------------

def test_every_real_eligibility_row_gets_a_status_for_a_typical_post_car_t_patient():
    real = real_evidence()
    patient = PatientProfile(prior_lines=3, prior_car_t=True, transplant_fit=False, ecog=1,
                             antigens={"CD19": "negative", "CD20": "positive"})
    table = eligible_options(real, patient)
    assert sorted(table["scope_id"]) == sorted(real.eligibility["scope_id"])
    assert set(table["status"]) <= set(RANK)
    order = real.classes.set_index("class_id")["display_order"]
    assert table["class_id"].map(order).is_monotonic_increasing
    needs_fit = real.eligibility.loc[real.eligibility["transplant"] == "fit", "scope_id"]
    assert (table.set_index("scope_id").loc[list(needs_fit), "status"] == "not_eligible").all()


def test_requirement_findings_agree_with_the_status_of_each_option(evidence):
    from lymphoma_evidence.analysis.eligibility import FINDING_COLUMNS, requirement_findings

    patient = PatientProfile(prior_lines=3, prior_car_t=True, transplant_fit=False, has_donor=False)
    findings = requirement_findings(evidence, patient)
    assert list(findings.columns) == FINDING_COLUMNS
    options = eligible_options(evidence, patient).set_index("scope_id")
    for scope_id, group in findings.groupby("scope_id"):
        expected = "not_eligible" if (group["outcome"] == "not_met").any() else \
            "check" if (group["outcome"] == "unknown").any() else "eligible"
        assert options.loc[scope_id, "status"] == expected, scope_id


def test_real_options_validate_against_their_frame_model(evidence):
    for profile in (PatientProfile(), PatientProfile(prior_lines=3, prior_car_t=True, transplant_fit=False)):
        EligibleOptions.validate(eligible_options(evidence, profile))


def test_a_class_that_fits_names_the_agents_whose_target_the_lymphoma_lacks():
    from lymphoma_evidence.analysis.eligibility import class_options

    real = real_evidence()
    negative = PatientProfile(prior_lines=3, prior_car_t=True, transplant_fit=False, ecog=1,
                              antigens={"CD19": "negative", "CD20": "positive"})
    adcs = class_options(real, negative).set_index("scope_id").loc["adcs"]
    assert adcs["status"] == "eligible"
    assert adcs["caveat"].startswith("not for every agent: Loncastuximab tesirine")
    assert "CD19 expression" in adcs["caveat"] and "negative" in adcs["caveat"]
    positive = dataclasses.replace(negative, antigens={"CD19": "positive", "CD20": "positive"})
    assert "Loncastuximab" not in class_options(real, positive).set_index("scope_id").loc["adcs", "caveat"]


def test_the_poor_choice_caveat_quotes_the_measures_and_limits_of_measures_csv():
    from lymphoma_evidence.analysis.eligibility import class_options
    from lymphoma_evidence.analysis.frames import lead_number
    from lymphoma_evidence.analysis.headline import headline_numbers

    real = real_evidence()
    patient = PatientProfile(prior_lines=3, prior_car_t=True, transplant_fit=False)
    numbers = headline_numbers(real)

    def poor(evidence: Evidence) -> pd.DataFrame:
        options = class_options(evidence, patient, numbers=numbers).set_index("scope_id")
        return options[options["caveat"].str.contains("may still be a poor choice")]

    def after_car_t(class_id: str, measure: str) -> pd.Series | None:
        return lead_number(numbers, class_id, measure, strata=("post_car_t",))

    measures = real.measures.set_index("measure")
    assert measures["poor_choice_below"].dropna().to_dict() == {"pfs_rate_12m": 20}
    low = [c for c in class_options(real, patient)["class_id"]
           if (row := after_car_t(c, "pfs_rate_12m")) is not None and row["rate"] < 0.2]
    flagged = poor(real)
    assert low and list(flagged.index) == low
    for class_id in low:
        assert "alive without progression at 12 months after CAR-T" in flagged.loc[class_id, "caveat"]
        quoted = after_car_t(class_id, "pfs_rate_12m")
        assert quoted is not None and flagged.loc[class_id, "caveat_source_ids"] == quoted["source_ids"]

    limits = measures["poor_choice_below"].copy()
    limits[:] = float("nan")
    limits["os_rate_12m"] = 100  # every option with a 12-month survival number after CAR-T
    moved = dataclasses.replace(real, measures=measures.assign(poor_choice_below=limits).reset_index())
    with_os = [c for c in class_options(real, patient)["class_id"]
               if after_car_t(c, "os_rate_12m") is not None]
    flagged = poor(moved)
    assert with_os and list(flagged.index) == with_os
    assert all(" alive at 12 months after CAR-T (" in caveat for caveat in flagged["caveat"])
    assert "without progression" not in " ".join(flagged["caveat"])
    none = dataclasses.replace(real, measures=measures.assign(poor_choice_below=float("nan")).reset_index())
    assert poor(none).empty and not class_options(none, patient)["caveat_source_ids"].astype(bool).any()
