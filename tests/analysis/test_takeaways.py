"""Tests for lymphoma_evidence.analysis.takeaways: one plain sentence per class summary row."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import complete, real_evidence

from lymphoma_evidence.analysis.frames import ClassSummary
from lymphoma_evidence.analysis.takeaways import class_takeaways
from lymphoma_evidence.analysis.topic import measure_words
from lymphoma_evidence.errors import ParameterError

COLUMNS = ["class_id", "class_name", "endpoint", "analysis_set", "n_studies", "total_patients",
           "rate_min", "rate_max", "pooled_rate", "pooled_ci_low", "pooled_ci_high", "single_study",
           "result_ids", "disease"]


def summary() -> pd.DataFrame:
    return pd.DataFrame([
        ("bsab", "Bispecific antibodies", "ORR", "treated", 3, 400, 0.52, 0.634, 0.58, 0.50, 0.65, False,
         "a; b; c", "LBCL"),
        ("adcs", "Antibody-drug conjugates", "ORR", "itt", 1, 40, 0.45, 0.45, 0.45, 0.29, 0.61, True,
         "d", "LBCL"),
    ], columns=COLUMNS).pipe(complete, ClassSummary)


def test_takeaways_give_range_study_count_and_pooled_interval():
    assert class_takeaways(summary()) == [
        "Bispecific antibodies: ORR 52–63% across 3 studies (pooled 58%, 95% CI 50–65%; "
        "random effects, DerSimonian-Laird).",
        "Antibody-drug conjugates: ORR 45% in 1 study (40 patients).",
    ]


def test_takeaways_for_patients_use_the_topic_words_and_natural_frequencies():
    words = measure_words(real_evidence(), "patient")
    first = class_takeaways(summary(), audience="patient", patient_words=words)[0]
    assert first == (f"Bispecific antibodies: in 3 studies, 52–63% of people {words['ORR']} "
                     "(about 6 in 10 people).")
    fallback = class_takeaways(summary(), audience="patient")[0]
    assert "52–63% of people had a ORR" in fallback


def test_takeaways_name_disease_and_analysis_set_when_a_class_has_several_rows():
    frame = pd.concat([summary().iloc[:1], summary().iloc[:1].assign(analysis_set="itt")])
    lines = class_takeaways(frame)
    assert lines[0].startswith("Bispecific antibodies (LBCL, treated patients): ")
    assert lines[1].startswith("Bispecific antibodies (LBCL, all enrolled patients): ")


def test_takeaways_of_an_empty_summary_are_empty_and_input_is_unchanged():
    frame = summary()
    class_takeaways(frame)
    pd.testing.assert_frame_equal(frame, summary())
    assert class_takeaways(summary().iloc[0:0]) == []


def test_takeaways_reject_unknown_audience_and_wrong_frames():
    with pytest.raises(ParameterError, match="audience='press' is not allowed"):
        class_takeaways(summary(), audience="press")
    with pytest.raises(ParameterError, match="lacks column\\(s\\) pooled_rate"):
        class_takeaways(summary().drop(columns="pooled_rate"))


def test_every_takeaway_says_who_the_numbers_come_from():
    from lymphoma_evidence import class_summary

    sentences = class_takeaways(class_summary(real_evidence(), "ORR"))
    starts = ("Approved CD19 CAR T-cell products (CAR-T-naive: no CAR-T before)",
              'Dual-target ("bispecific") CAR T-cells (Prior CAR-T not reported)')
    assert all(any(s.startswith(start) for s in sentences) for start in starts)
    assert all("(" in s.split(":")[0] for s in sentences)
