"""Trials offered to readers: recruiting, with a registry record no older than the limit."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lymphoma_evidence.analysis.trial_status import reference_date, trial_status_check, trials_to_ask_about
from lymphoma_evidence.errors import ParameterError

TODAY = date(2026, 11, 30)


def _trials(date_column: str = "status_date") -> pd.DataFrame:
    return pd.DataFrame({
        "nct_id": pd.array(["NCT1", "NCT2", "NCT3", "NCT4", "NCT5"], dtype="string"),
        "class_id": pd.array(["a"] * 5, dtype="string"),
        "status": pd.array(["RECRUITING", "RECRUITING", "UNKNOWN", "NOT_YET_RECRUITING", "RECRUITING"],
                           dtype="string"),
        date_column: pd.to_datetime(["2025-11-30", "2025-10-29", "2026-11-01", "2026-01-07", None]),
    })


def test_recruiting_trials_with_a_status_up_to_the_limit_are_offered() -> None:
    checked = trial_status_check(_trials(), months=12, today=TODAY)
    assert checked["offered"].tolist() == [True, False, False, True, False]
    assert checked["months_old"].tolist()[:4] == [12, 13, 0, 10]  # whole months
    assert checked["months_old"].isna().tolist()[4]
    assert str(checked["months_old"].dtype) == "Int64"
    assert checked["reason"].tolist() == ["", "status 13 months old", "not recruiting", "",
                                          "no status date"]


def test_the_schema_before_issue_14_names_the_date_status_verified() -> None:
    offered = trials_to_ask_about(_trials("status_verified"), months=12, today=TODAY)
    assert offered["nct_id"].tolist() == ["NCT1", "NCT4"]


def test_the_callers_frame_is_not_changed() -> None:
    trials = _trials()
    before = trials.copy()
    trials_to_ask_about(trials, today=TODAY)
    pd.testing.assert_frame_equal(trials, before)


def test_bad_limits_and_tables_are_parameter_errors() -> None:
    with pytest.raises(ParameterError, match="months must be a whole number >= 0, got -1"):
        trial_status_check(_trials(), months=-1, today=TODAY)
    with pytest.raises(ParameterError, match="trials has none of the columns status_date, status_verified"):
        trial_status_check(_trials().drop(columns="status_date"), today=TODAY)


def test_the_reference_date_follows_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764460800")  # 2025-11-30 00:00 UTC
    assert reference_date() == date(2025, 11, 30)
    assert reference_date(TODAY) == TODAY
