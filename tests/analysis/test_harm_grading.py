"""Grade 3+ side effects graded on different scales (Lee, Penn, ASTCT) are never pooled together."""

from __future__ import annotations

import pandas as pd

from lymphoma_evidence import Evidence
from lymphoma_evidence.analysis.headline import headline_numbers


def _harm(harm_id: str, scope: str, grade: str, grading: str | None, n: int, patients: int) -> dict:
    return {"harm_id": harm_id, "scope_id": scope, "cohort_id": None, "trial": harm_id, "event": "crs",
            "grade": grade, "grading_system": grading, "n": n, "patients": patients,
            "patients_basis": "reported", "reported_percent": None, "population": f"people of {harm_id}",
            "prior_car_t_percent": None, "post_car_t": False, "design": "single_arm", "source_id": "src"}


def _numbers(evidence, harms: list[dict]) -> pd.DataFrame:
    bundle = Evidence.from_frames(harms=pd.DataFrame(harms), classes=evidence.classes, agents=evidence.agents,
                                  sources=pd.DataFrame({"source_id": ["src"], "label": ["Src"]}))
    numbers = headline_numbers(bundle)
    return numbers[numbers["class_id"] == "cd19_car_t"].set_index("measure")


def test_grade_3_counts_on_different_scales_are_not_pooled(evidence) -> None:
    numbers = _numbers(evidence, [
        _harm("lee_trial", "axicabtagene_ciloleucel", "grade_3_plus", "Lee 2014", 108, 14),
        _harm("penn_trial", "tisagenlecleucel", "grade_3_plus", "Penn grading system", 106, 24)])
    row = numbers.loc["crs/grade_3_plus"]
    assert row["n_studies"] == 1 and row["n_patients"] == 108  # the largest series, on its own scale
    assert row["rate"] == 14 / 108


def test_same_scale_and_any_grade_counts_still_pool(evidence) -> None:
    numbers = _numbers(evidence, [
        _harm("a", "axicabtagene_ciloleucel", "grade_3_plus", "ASTCT 2019", 100, 10),
        _harm("b", "tisagenlecleucel", "grade_3_plus", "ASTCT (Lee 2019)", 100, 20),
        _harm("c", "axicabtagene_ciloleucel", "any", "Lee 2014", 100, 90),
        _harm("d", "tisagenlecleucel", "any", None, 100, 70)])
    assert numbers.loc["crs/grade_3_plus", "n_studies"] == 2
    assert numbers.loc["crs/any", "n_studies"] == 2
