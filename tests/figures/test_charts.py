"""Tests for lymphoma_evidence.figures.charts: the figures are checked through their Axes, not pixels."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from lymphoma_evidence.analysis.frames import (
    ClassSummary,
    EligibleOptions,
    RangeCheck,
    ResponseTable,
    columns,
)
from lymphoma_evidence.analysis.selections import forest_rows_for
from lymphoma_evidence.errors import ParameterError
from lymphoma_evidence.figures.charts import describe_profile, eligibility_plot, forest_plot, ranges_plot
from lymphoma_evidence.figures.style import COLORS
from lymphoma_evidence.reports.display import figure_html

TABLE_COLUMNS = columns(ResponseTable)
SUMMARY_COLUMNS = [c for c in columns(ClassSummary) if c != "disease"]
BSAB, ADC = ("bispecific_antibodies", "Bispecific antibodies"), ("adcs", "Antibody-drug conjugates")


def table(endpoint: str = "ORR") -> pd.DataFrame:
    rows = [
        ("epc", *BSAB, "epcoritamab", "Epcoritamab (epcoritamab-bysp)", "epcoritamab monotherapy",
         "EPCORE NHL-1", "R/R LBCL", "LBCL", False, endpoint, "treated", 157, 99, 0.63, 0.55, 0.71,
         "s_epc", "Thieblemont 2024 (EPCORE NHL-1)", False),
        ("epc_car", *BSAB, "epcoritamab", "Epcoritamab (epcoritamab-bysp)", "epcoritamab monotherapy",
         "EPCORE NHL-1", "prior CAR T", "LBCL", True, endpoint, "treated", 61, 33, 0.54, 0.41, 0.67,
         "s_epc", "Thieblemont 2024 (EPCORE NHL-1)", False),
        ("glo", *BSAB, "glofitamab", "Glofitamab", "glofitamab + GemOx", "STARGLO", "R/R", "LBCL",
         False, endpoint, "treated", 172, 117, 0.68, 0.60, 0.75, "s_glo", "Abramson 2024 (STARGLO)", False),
        ("pola", *ADC, "polatuzumab_vedotin", "Polatuzumab vedotin", "polatuzumab vedotin + BR",
         "GO29365", "R/R", "LBCL", False, endpoint, "itt", 40, 18, 0.45, 0.29, 0.61, "s_pola",
         "Sehn 2020 (GO29365)", False),
    ]
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return frame.astype({"post_car_t": "boolean", "n": "Int64", "responders": "Int64"})


def summary(endpoint: str = "ORR") -> pd.DataFrame:
    rows = [(*BSAB, endpoint, "treated", 2, 329, 0.63, 0.68, 0.66, 0.60, 0.71, 0.4, 0.85, 0.2, 0.01,
             False, "epc; glo"),
            (*ADC, endpoint, "itt", 1, 40, 0.45, 0.45, 0.45, 0.29, 0.61, None, None, None, None, True,
             "pola")]
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS).assign(disease="LBCL")


def checks() -> pd.DataFrame:
    return pd.DataFrame([
        ("r_bsab", "bispecific_antibodies", "ORR", 0.5, 0.6, 0.54, 0.68, 0.41, 0.75, 3, "narrower", "",
         "s_article", "epc; epc_car; glo"),
        ("r_cart", "cd19_car_t", "CR", 0.35, 0.40, None, None, None, None, 0, "unsupported", "",
         "s_article", ""),
    ], columns=columns(RangeCheck))


def options() -> pd.DataFrame:
    return pd.DataFrame([
        ("allo_sct", "class", "Allogeneic stem cell transplant", "allo_sct", "Allo SCT", "not_eligible",
         "requires fitness for transplant (patient: unfit); requires a donor (patient: unknown)",
         "guideline", "s_nccn"),
        ("epcoritamab", "agent", "Epcoritamab (epcoritamab-bysp)", *BSAB, "eligible",
         "meets every listed requirement", "label", "s_epc"),
        ("polatuzumab_vedotin", "agent", "Polatuzumab vedotin", *ADC, "check",
         "requires CD79b expression (patient: unknown)", "label", "s_pola"),
        ("glofitamab", "agent", "Glofitamab", *BSAB, "eligible", "meets every listed requirement",
         "label", "s_glo"),
    ], columns=columns(EligibleOptions))


def by_gid(fig: Figure, prefix: str) -> list:
    ax = fig.axes[0]
    return [a for a in [*ax.lines, *ax.patches, *ax.collections]
            if (a.get_gid() or "").startswith(prefix)]


def tick_labels(fig: Figure) -> list[str]:
    return [t.get_text().strip() for t in fig.axes[0].get_yticklabels()]


def axes_texts(fig: Figure) -> list[str]:
    """Texts of the first axes, a wrapped text joined back into one line."""
    return [t.get_text().replace("\n", " ") for t in fig.axes[0].texts]


# ---------------------------------------------------------------- forest plot

def test_forest_plot_draws_one_marker_per_result_grouped_under_class_headers():
    fig, _ = forest_plot(table(), summary())
    assert isinstance(fig, Figure)
    assert sorted(a.get_gid() for a in by_gid(fig, "result:")) == \
        ["result:epc", "result:epc_car", "result:glo", "result:pola"]
    labels = tick_labels(fig)
    assert labels[0] == "Bispecific antibodies"
    assert labels.index("Antibody-drug conjugates") > labels.index("Glofitamab + GemOx (STARGLO)")
    assert "Epcoritamab (EPCORE NHL-1)" in labels  # brand name in parentheses dropped


def test_forest_plot_has_a_diamond_only_for_classes_pooled_over_two_or_more_studies():
    fig, _ = forest_plot(table(), summary())
    diamonds = by_gid(fig, "pooled:")
    assert [d.get_gid() for d in diamonds] == ["pooled:bispecific_antibodies"]
    xs = diamonds[0].get_xy()[:, 0]
    assert (xs.min(), xs.max()) == pytest.approx((0.60, 0.71))
    assert "Pooled, 2 studies" in tick_labels(fig)


def test_forest_plot_prints_n_and_rate_with_interval_beside_each_row():
    texts = axes_texts(forest_plot(table(), summary())[0])
    for expected in ("157", "63% (55–71%)", "40", "45% (29–61%)", "329", "66% (60–71%)"):
        assert expected in texts


def test_forest_plot_marks_post_car_t_rows_with_their_own_marker_and_colour():
    fig, _ = forest_plot(table(), summary())
    markers = {a.get_gid(): a for a in by_gid(fig, "result:")}
    assert markers["result:epc_car"].get_marker() == "s"
    assert to_hex(markers["result:epc_car"].get_color()) == COLORS["post_car_t"].lower()
    assert markers["result:epc"].get_marker() == "o"


def test_forest_plot_has_title_legend_percent_axis_and_source_line():
    fig, _ = forest_plot(table(), summary())
    ax = fig.axes[0]
    assert ax.get_xlim() == (0, 1)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0%", "25%", "50%", "75%", "100%"]
    gids = {t.get_gid(): t.get_text() for t in fig.texts}
    assert gids["title"].startswith("Overall response rate (ORR)")
    assert "Sehn 2020 (GO29365)" in gids["source-line"]
    assert fig.legends and len(fig.legends[0].get_texts()) == 3


def test_forest_plot_alt_text_states_the_numbers():
    _, alt = forest_plot(table(), summary())
    assert "overall response rate (ORR)" in alt
    assert "4 trial results in 2 therapy classes" in alt
    assert "range from 45–68%" in alt
    assert "1 of the results comes from patients who all had prior CAR T-cell therapy" in alt
    assert "Bispecific antibodies 66% (95% CI 60–71%" in alt


def test_forest_plot_uses_only_the_summary_rows_of_the_table_endpoint():
    both = pd.concat([summary("ORR"), summary("CR").assign(pooled_rate=0.1)])
    fig, alt = forest_plot(table("ORR"), both)
    assert len(by_gid(fig, "pooled:")) == 1 and "10%" not in alt


def test_forest_plot_does_not_change_its_inputs():
    frame, pooled = table(), summary()
    forest_plot(frame, pooled)
    pd.testing.assert_frame_equal(frame, table())
    pd.testing.assert_frame_equal(pooled, summary())


def test_forest_plot_rejects_mixed_endpoints_and_missing_columns():
    with pytest.raises(ParameterError, match="one endpoint; got \\['ORR', 'CR'\\]"):
        forest_plot(pd.concat([table("ORR"), table("CR")]), summary())
    with pytest.raises(ParameterError, match="table lacks column\\(s\\) rate"):
        forest_plot(table().drop(columns="rate"), summary())
    with pytest.raises(ParameterError, match="one endpoint; got no rows"):
        forest_plot(table().iloc[0:0], summary())


# ---------------------------------------------------------------- stated ranges

def test_ranges_plot_shades_each_stated_range_and_draws_trial_range_where_there_is_data():
    fig, _ = ranges_plot(checks(), table(), class_names={"bispecific_antibodies": "Bispecific antibodies"},
                         source_labels={"s_article": "SurvivorNet"})
    assert [b.get_gid() for b in by_gid(fig, "stated:")] == ["stated:r_bsab", "stated:r_cart"]
    assert [b.get_gid() for b in by_gid(fig, "primary:")] == ["primary:r_bsab"]
    labels = tick_labels(fig)
    assert "Bispecific antibodies: ORR" in labels and "cd19 car t: CR" in labels
    assert labels.count("Stated by SurvivorNet") == 2
    assert "Verdict: narrower" in axes_texts(fig) and "no trial data" in axes_texts(fig)


def test_ranges_plot_lists_the_trials_of_each_claim_by_range_id():
    trials = table().iloc[:3].assign(range_id="r_bsab")
    fig, _ = ranges_plot(checks(), trials)
    assert sorted(a.get_gid() for a in by_gid(fig, "result:")) == \
        ["result:r_bsab:epc", "result:r_bsab:epc_car", "result:r_bsab:glo"]


def test_ranges_plot_alt_text_gives_claim_trials_and_verdict():
    _, alt = ranges_plot(checks(), source_labels={"s_article": "SurvivorNet"})
    assert "2 response-rate ranges" in alt
    assert "SurvivorNet states 50–60%; 3 trial results report 54–68% (95% CIs spanning 41–75%)" in alt
    assert "no trial results are available; verdict: unsupported" in alt


def test_ranges_plot_needs_at_least_one_claim():
    with pytest.raises(ParameterError, match="no stated range"):
        ranges_plot(checks().iloc[0:0])


# ---------------------------------------------------------------- eligibility

def test_eligibility_plot_puts_one_marker_per_option_in_its_status_column_eligible_first():
    fig, _ = eligibility_plot(options(), profile_label="3 prior lines")
    markers = by_gid(fig, "option:")
    assert len(markers) == 4
    columns = {m.get_gid(): m.get_xdata()[0] for m in markers}
    assert columns == {"option:epcoritamab:eligible": 0, "option:glofitamab:eligible": 0,
                       "option:polatuzumab_vedotin:check": 1, "option:allo_sct:not_eligible": 2}
    assert [t.replace("\n", " ") for t in tick_labels(fig)] == [
        "Epcoritamab", "Glofitamab", "Polatuzumab vedotin", "Allogeneic stem cell transplant"]
    assert [t.get_text().replace("\n", " ") for t in fig.axes[0].get_xticklabels()] == \
        ["Eligible", "Check with team", "Not eligible"]


def test_eligibility_plot_shows_the_first_reason_as_the_deciding_one():
    fig, alt = eligibility_plot(options())
    texts = axes_texts(fig)
    assert "requires fitness for transplant (patient: unfit)" in texts
    assert not any("donor" in t for t in texts)
    assert "eligible: 2 (Epcoritamab, Glofitamab)" in alt
    assert "not eligible: 1 (Allogeneic stem cell transplant: requires fitness" in alt


def test_eligibility_plot_accepts_reasons_as_lists():
    frame = options().assign(reasons=[["first reason", "second"], ["ok"], ["why"], []])
    assert "first reason" in axes_texts(eligibility_plot(frame)[0])


def test_eligibility_plot_rejects_unknown_status():
    with pytest.raises(ParameterError, match="unknown status \\['maybe'\\]"):
        eligibility_plot(options().assign(status="maybe"))


def test_describe_profile_names_only_known_fields_in_plain_words():
    @dataclass(frozen=True)
    class Profile:
        prior_lines: int | None = None
        prior_car_t: bool | None = None
        transplant_fit: bool | None = None
        antigens: dict | None = None

    text = describe_profile(Profile(prior_lines=3, prior_car_t=True, antigens={"CD19": "negative"}))
    assert text == "3 prior lines, after CAR T, CD19 negative"
    assert describe_profile("free text") == "free text"


# ---------------------------------------------------------------- HTML display

def test_figure_html_embeds_an_svg_with_escaped_alt_text_sized_as_at_the_given_dpi():
    import base64
    import re

    fig, _ = forest_plot(table(), summary())
    rendered = figure_html(fig, 'Rates <50% & "pooled"', dpi=100)
    html = rendered._repr_html_()
    assert html.startswith('<img src="data:image/svg+xml;base64,')
    assert 'alt="Rates &lt;50% &amp; &quot;pooled&quot;"' in html
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", html).group(1)).decode()
    width, height = (round(size * 100) for size in fig.get_size_inches())
    assert re.search(rf'<svg[^>]* width="{width}" height="{height}" viewBox=', svg)
    assert "<text" in svg and "Pooled" in svg, "the words stay text"
    assert rendered == figure_html(fig, 'Rates <50% & "pooled"', dpi=100), "the same figure, the same bytes"


# ---------------------------------------------------------------- real evidence

@pytest.mark.parametrize("endpoint", ["ORR", "CR"])
def test_forest_figure_on_real_evidence_shows_every_study_and_post_car_t_result(evidence, endpoint):
    from lymphoma_evidence.analysis.summaries import class_summary, response_table
    from lymphoma_evidence.reports.evidence_figures import forest_figure

    whole = class_summary(evidence, endpoint)
    post = class_summary(evidence, endpoint, post_car_t=True)
    ids = {i.strip() for text in [*whole["result_ids"], *post["result_ids"]] for i in text.split(";")}
    listing = response_table(evidence, endpoint)
    expected = listing[listing["result_id"].isin(ids)]

    fig, alt = forest_figure(evidence, endpoint)
    assert len(by_gid(fig, "result:")) == len(expected) == len(forest_rows_for(evidence, whole))
    assert len(by_gid(fig, "pooled:")) == int((whole["n_studies"] >= 2).sum())
    assert set(expected["class_name"]) <= set(tick_labels(fig))
    post_rows = expected["post_car_t"].fillna(False).astype(bool)
    assert sum(m.get_marker() == "s" for m in by_gid(fig, "result:")) == int(post_rows.sum())
    low, high = expected["rate"].min(), expected["rate"].max()
    assert f"{100 * low:.0f}" in alt and f"{100 * high:.0f}%" in alt


def test_ranges_figure_on_real_evidence_has_a_band_per_stated_range(evidence):
    from lymphoma_evidence.analysis.summaries import check_reported_ranges
    from lymphoma_evidence.reports.evidence_figures import ranges_figure

    checked = check_reported_ranges(evidence)
    fig, alt = ranges_figure(evidence)
    assert len(by_gid(fig, "stated:")) == len(evidence.reported_ranges)
    assert len(by_gid(fig, "primary:")) == int((checked["n_studies"] > 0).sum())
    ids = {i.strip() for text in checked["result_ids"] for i in text.split(";") if i.strip()}
    shown = {g.get_gid().rsplit(":", 1)[1] for g in by_gid(fig, "result:")}
    assert shown == ids
    assert f"{len(checked)} response-rate range" in alt


def test_eligibility_figure_on_real_evidence_has_one_marker_per_option(evidence):
    from lymphoma_evidence.analysis.eligibility import PatientProfile, eligible_options
    from lymphoma_evidence.reports.evidence_figures import eligibility_figure

    profile = PatientProfile(prior_lines=3, prior_car_t=True, transplant_fit=False)
    fig, alt = eligibility_figure(evidence, profile)
    expected = eligible_options(evidence, profile)
    assert len(by_gid(fig, "option:")) == len(expected)
    for status, count in expected["status"].value_counts().items():
        assert sum(m.get_gid().endswith(f":{status}") for m in by_gid(fig, "option:")) == count
    assert "3 prior lines, after CAR T, not fit for transplant" in alt
