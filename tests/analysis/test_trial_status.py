"""Trials offered to readers: recruiting, with a registry record dated on or after the cut-off."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lymphoma_evidence.analysis.trial_status import (
    recent_records,
    record_cutoff,
    reference_date,
    trial_status_check,
    trials_to_ask_about,
)
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
    assert checked["reason"].tolist() == [
        "", "record of 2025-10-29 is older than 12 months (before 2025-11-30)", "not recruiting", "",
        "no status date"]


@pytest.mark.parametrize(("dated", "recent"), [
    ("2025-12-07", True),  # the same day 12 months before: the last recent day
    ("2025-12-06", False),  # one day older: 12 whole months old, yet older than 12 months
    ("2025-11-13", False),  # 12 months and 24 days: "12 months" in whole months, not recent
    ("2026-12-07", True),
    ("2027-01-01", True),  # a record dated after the reference day is recent
])
def test_a_record_is_recent_from_the_same_day_12_months_before(dated: str, recent: bool) -> None:
    today = date(2026, 12, 7)
    assert record_cutoff(12, today) == date(2025, 12, 7)
    trials = pd.DataFrame({"nct_id": ["NCT1"], "class_id": ["a"], "status": ["RECRUITING"],
                           "status_date": pd.to_datetime([dated])})
    assert recent_records(trials["status_date"], 12, today).tolist() == [recent]
    assert trial_status_check(trials, 12, today)["offered"].tolist() == [recent]
    assert len(trials_to_ask_about(trials, 12, today)) == int(recent)


@pytest.mark.parametrize(("today", "months", "cutoff"), [
    (date(2026, 3, 31), 1, date(2026, 2, 28)),  # a shorter month ends the limit on its last day
    (date(2028, 2, 29), 12, date(2027, 2, 28)),
    (date(2028, 3, 31), 1, date(2028, 2, 29)),
    (date(2026, 12, 7), 0, date(2026, 12, 7)),  # 0 months: records of the reference day only
])
def test_the_cutoff_is_the_same_calendar_day_or_the_month_end(today: date, months: int, cutoff: date) -> None:
    assert record_cutoff(months, today) == cutoff
    dates = pd.Series([pd.Timestamp(cutoff), pd.Timestamp(cutoff) - pd.Timedelta(days=1), pd.NaT])
    assert recent_records(dates, months, today).tolist() == [True, False, False]


def test_recent_records_read_strings_and_leave_the_callers_series_alone() -> None:
    dates = pd.Series(["2025-12-07", "2025-12-06", None], index=[10, 11, 12])
    before = dates.copy()
    recent = recent_records(dates, 12, date(2026, 12, 7))
    assert recent.tolist() == [True, False, False] and recent.index.tolist() == [10, 11, 12]
    pd.testing.assert_series_equal(dates, before)


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
    with pytest.raises(ParameterError, match="months must be a whole number >= 0, got True"):
        record_cutoff(True, today=TODAY)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="trials has none of the columns status_date, status_verified"):
        trial_status_check(_trials().drop(columns="status_date"), today=TODAY)


def test_the_reference_date_follows_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764460800")  # 2025-11-30 00:00 UTC
    assert reference_date() == date(2025, 11, 30)
    assert reference_date(TODAY) == TODAY
