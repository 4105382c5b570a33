"""The option grid of the decision aid: one column per option, one row per question patients ask.

Facts about what each option is like come from ``option_details`` (plain words with a source each);
numbers come from the headline table through :mod:`.aid_numbers`. The grid is printed as three tables
of three options (so columns stay readable on A4) and turns into stacked cards on narrow screens: each
cell carries its option's name in ``data-label``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from . import html as h
from .aid_numbers import BENEFIT_DENOMINATOR, HARM_DENOMINATOR, Number, balance, natural_frequency, pick

#: The options after CAR-T failure, in the order the aid shows them: class_id, name, one line.
OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("bispecific_antibodies", "Bispecific antibodies",
     "Medicines that help your own T cells find and attack the lymphoma."),
    ("adcs", "Antibody-drug conjugates", "Antibodies that carry a cancer drug to the lymphoma cells."),
    ("tafasitamab_len", "Tafasitamab and lenalidomide",
     "An antibody drip and a tablet, for people who cannot have a transplant."),
    ("salvage_chemo", "Chemotherapy", "Medicines that kill fast-growing cells, often two or more together."),
    ("radiotherapy", "Radiotherapy", "X-ray treatment aimed at one part of the body."),
    ("allo_sct", "Donor stem cell transplant",
     "Strong treatment, then blood-making cells from a donor."),
    ("cd22_car_t", "Newer CAR-T in a trial", "CAR T cells made to find a different marker on the lymphoma."),
    ("clinical_trial", "A clinical trial", "A study of a new treatment or a new mix of treatments."),
    ("supportive_care", "Supportive or palliative care",
     "Care for symptoms and comfort, with or without other treatment."),
)

#: The print tables: a heading and three class_ids each.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Medicines", ("bispecific_antibodies", "adcs", "tafasitamab_len")),
    ("Other treatments", ("salvage_chemo", "radiotherapy", "allo_sct")),
    ("Trials and care", ("cd22_car_t", "clinical_trial", "supportive_care")),
)

#: Words for a number cell with no direct post-CAR-T number, per option where a general sentence misleads.
NO_NUMBER = {
    "clinical_trial": "This depends on the trial.",
    "supportive_care": "This care aims to help you feel better, not to shrink the lymphoma.",
}
NO_DIRECT_NUMBER = "not yet counted after CAR-T."

#: Harm measures the grid looks for, in order, with the words for the harm.
HARMS = (("non_relapse_mortality_rate_12m", "died within 1 year from the treatment or its problems, "
          "not from the lymphoma"),
         ("treatment_related_death/any", "died because of the treatment"),
         ("treatment_related_death/grade_5", "died because of the treatment"),
         ("crs/grade_3_plus", "had severe cytokine release syndrome"),
         ("icans/grade_3_plus", "had severe ICANS"),
         ("infection/grade_3_plus", "had a severe infection"))


@dataclass
class GridContext:
    """What the grid needs from the aid: the details, the numbers, and how to link, cite and draw.

    Attributes
    ----------
    details : pandas.DataFrame
        ``option_details`` rows (class_id, aspect, plain_words, source_id).
    numbers : pandas.DataFrame
        The headline table.
    link : callable
        Plain text -> escaped fragment with glossary links.
    cite : callable
        Source ids -> citation marker fragment.
    icons : callable
        ``(Number, denominator, marked words, unmarked words, harm)`` -> fragment with an icon array.
    """

    details: pd.DataFrame
    numbers: pd.DataFrame
    link: Callable[[str], h.Fragment]
    cite: Callable[..., h.Fragment]
    icons: Callable[..., h.Fragment]

    def facts(self, class_id: str, *aspects: str) -> h.Fragment:
        """The option's first fact for each of ``aspects`` (curated order), with its citation, or a plain
        "ask your care team" when there is none. One fact per aspect keeps the printed grid short."""
        rows = self.details[(self.details["class_id"] == class_id) & (self.details["aspect"].isin(aspects))]
        if rows.empty:
            return h.para(h.text("Ask your care team."), cls="aid-none")
        rows = rows.drop_duplicates("aspect")
        rows = rows.assign(_order=rows["aspect"].map({a: i for i, a in enumerate(aspects)}))
        rows = rows.sort_values("_order", kind="stable")
        return h.concat(h.para(self.link(r["plain_words"]) + self.cite(r["source_id"]))
                      for _, r in rows.iterrows())

    def number(self, class_id: str, measure: str, outcome: str, other: str, *, harm: bool = False,
               direct_only: bool = True) -> h.Fragment | None:
        """A natural-frequency sentence, the balancing sentence, certainty words and an icon array."""
        found = pick(self.numbers, class_id, measure, direct_only=direct_only)
        if found is None:
            return None
        return self.sentence(found, outcome, other, harm=harm)

    def sentence(self, found: Number, outcome: str, other: str, *, harm: bool) -> h.Fragment:
        """The number said in words with its group named in the same sentence."""
        denominator = HARM_DENOMINATOR if harm else BENEFIT_DENOMINATOR
        said = natural_frequency(found.rate, denominator)
        lead = f"{said[0].upper()}{said[1:]} {found.population} {outcome}."
        rest = balance(found.rate, denominator, other or "did not")
        sure = h.tag("span", h.esc(found.certainty_words()), class_="aid-certainty")
        words = number_span(found, denominator,
                            self.link(lead) + self.cite(*found.source_ids) + " " + h.esc(rest))
        picture = self.icons(found, denominator, outcome, other, harm)
        return h.concat([h.para(words + " " + sure), picture])


def number_span(found: Number, denominator: int, content: str) -> h.Fragment:
    """``content`` in a span that records which headline row it says, so a test can check the words
    against the library (attributes are never shown). ``denominator`` 0 marks a median in months."""
    shown = f'data-months="{found.rate:g}"' if denominator == 0 else \
        f'data-count="{found.count(denominator)}" data-denominator="{denominator}"'
    return h.Fragment(f'<span class="aid-number" data-option="{h.esc(found.class_id)}" '
                      f'data-measure="{h.esc(found.measure)}" data-stratum="{h.esc(found.stratum)}" '
                      f"{shown}>{content}</span>")


def grid_rows(ctx: GridContext) -> list[tuple[str, Callable[[str], h.Fragment]]]:
    """The grid's rows: the question, and a function that builds one option's cell."""

    def missing(what: str, class_id: str) -> h.Fragment:
        return h.para(h.text(NO_NUMBER.get(class_id, f"{what}: {NO_DIRECT_NUMBER}")), cls="aid-none")

    def helped(class_id: str) -> h.Fragment:
        shown = ctx.number(class_id, "ORR", "had their lymphoma shrink or go away", "did not")
        return shown or missing("Helped", class_id)

    def alive(class_id: str) -> h.Fragment:
        shown = ctx.number(class_id, "os_rate_12m", "were alive 1 year later", "were not")
        return shown or missing("Alive after 1 year", class_id)

    def harms(class_id: str) -> h.Fragment:
        for measure, words in HARMS:
            shown = ctx.number(class_id, measure, words, "", harm=True)
            if shown is not None:
                return shown
        return h.para(h.text(f"Serious problems: {NO_DIRECT_NUMBER}"), cls="aid-none")

    def risks(class_id: str) -> h.Fragment:
        return h.concat([harms(class_id), ctx.facts(class_id, "may_not_suit")])

    return [
        ("How is it given, and where?", lambda c: ctx.facts(c, "how_given", "where")),
        ("How often? Will I stay in hospital? What is daily life like?",
         lambda c: ctx.facts(c, "how_often", "time_in_hospital", "daily_life")),
        ("How many were helped? How many were alive after 1 year?",
         lambda c: h.concat([helped(c), alive(c)]) if c not in NO_NUMBER else helped(c)),
        ("What serious problems can happen? Who may it not suit?", risks),
    ]


def grid_tables(ctx: GridContext) -> h.Fragment:
    """The three tables of the grid (one per :data:`GROUPS` entry)."""
    names = {class_id: name for class_id, name, _ in OPTIONS}
    rows = grid_rows(ctx)
    tables = []
    for title, class_ids in GROUPS:
        head = "".join(f'<th scope="col">{h.esc(names[c])}</th>' for c in class_ids)
        body = []
        for question, build in rows:
            cells = "".join(f'<td data-label="{h.esc(names[c])}">{build(c)}</td>' for c in class_ids)
            body.append(f'<tr><th scope="row">{h.esc(question)}</th>{cells}</tr>')
        tables.append(f'<table class="aid-grid"><caption>{h.esc(title)}</caption><thead><tr>'
                      f'<td class="aid-corner"></td>{head}</tr></thead>'
                      f'<tbody>{"".join(body)}</tbody></table>')
    return h.Fragment("".join(tables))
