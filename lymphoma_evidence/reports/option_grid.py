"""The option grid of the decision aid: one column per choice, one row per question patients ask.

The choices, their order and their printed tables come from ``aid_options.csv``; facts about what each
is like from ``option_details`` (plain words with a source each); numbers from the headline table through
:mod:`.aid_numbers` and, for one relapse timing, from ``aid_timing.csv``. Every number is out of 100 and
names who it is about ("people who were given this"); harms come from ``harms.csv`` (and the outcome
rows that count deaths from treatment), post-CAR-T first, else from people who had not had CAR-T, said
plainly. Rows that compare choices carry a caveat that the people who had each choice differed. The
grid turns into stacked cards on narrow screens: each cell carries its choice's name in ``data-label``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from . import html as h
from .aid_content import AidOption, AidText
from .aid_numbers import DENOMINATOR, AidMeasures, Number, balance, harm_measures, natural_frequency, pick

#: Who a number is about: "people who were given this", then, for direct evidence, this.
AFTER = "after CAR-T"
#: Said where the evidence has no number of a kind for a choice.
NO_BENEFIT = "We found no number for this after CAR-T yet."
NO_HARM = "We found no number for serious problems yet. Ask your care team."
NO_TIMING = "We found no numbers for this choice by how soon the lymphoma came back."
#: At most this many side-effect numbers per choice (the most serious first).
MAX_HARMS = 1
#: At most this many facts in a cell about daily life with a choice (the first aspects of the row's list).
FACTS_PER_CELL = 2


@dataclass
class GridContext:
    """What the grid needs from the aid: the choices, details, numbers, and how to link, cite and draw.

    Attributes
    ----------
    options : list of AidOption
        The choices in page order.
    details : pandas.DataFrame
        ``option_details`` rows (class_id, aspect, plain_words, source_id).
    numbers : pandas.DataFrame
        The headline table.
    timing : dict
        Relapse timing ("early" or "late") -> its rows (:func:`.aid_content.timing_rows`), for an aid made
        for one timing; empty when the aid shows both (its outlook lists them).
    link : callable
        Plain text -> escaped fragment with glossary links.
    cite : callable
        Source ids -> citation marker fragment.
    icons : callable
        ``(Number, denominator, marked words, unmarked words, harm)`` -> fragment with an icon array.
    timing_words : callable
        ``(row)`` -> fragment: one relapse-timing number in words, checked against the library.
    caveat : str
        The plain caveat beside every row that compares choices.
    text : AidText
        The pages' wording (``aid_text.csv``): the grid's questions.
    measures : AidMeasures
        The measures a column shows and their patient words (measures.csv, strata.csv).
    """

    options: list[AidOption]
    details: pd.DataFrame
    numbers: pd.DataFrame
    timing: dict[str, pd.DataFrame]
    link: Callable[[str], h.Fragment]
    cite: Callable[..., h.Fragment]
    icons: Callable[..., h.Fragment]
    timing_words: Callable[[pd.Series], h.Fragment]
    caveat: str
    text: AidText
    measures: AidMeasures

    def facts(self, class_id: str, *aspects: str, ask: bool = True, most: int = 0) -> h.Fragment:
        """The choice's first fact for each of ``aspects`` (in the order of ``aspects``; at most ``most``
        facts when it is not 0), with its citation, or a plain "ask your care team" (empty when ``ask`` is
        false) when there is none."""
        rows = self.details[(self.details["class_id"] == class_id) & (self.details["aspect"].isin(aspects))]
        if rows.empty:
            return h.para(h.text("Ask your care team."), cls="aid-none") if ask else h.Fragment("")
        rows = rows.drop_duplicates("aspect")
        rows = rows.assign(_order=rows["aspect"].map({a: i for i, a in enumerate(aspects)}))
        rows = rows.sort_values("_order", kind="stable")
        rows = rows.head(most) if most else rows
        return h.concat(h.para(self.link(r["plain_words"]) + self.cite(r["source_id"]))
                      for _, r in rows.iterrows())

    def sentence(self, found: Number, outcome: str, other: str, *, harm: bool, picture: bool,
                 say_group: bool = True) -> h.Fragment:
        """The number in words, naming who it is about, its counterpart, whether those people had had
        CAR-T (unless ``say_group`` is false: the caller says it once for several numbers), how sure it is,
        and (when ``picture``) an icon array."""
        said = natural_frequency(found.rate, DENOMINATOR)
        who = "people who were given this" + (f" {AFTER}" if found.direct else "")
        lead = f"{said[0].upper()}{said[1:]} {who} {outcome}."
        rest = balance(found.rate, DENOMINATOR, other or "did not")
        sure = h.tag("span", h.esc(found.certainty_words()), class_="aid-certainty")
        indirect = self.measures.not_direct(found.stratum) if say_group else ""
        words = number_span(found, DENOMINATOR,
                            self.link(lead) + self.cite(*found.source_ids) + " " + h.esc(rest))
        parts = [h.para(words + " " + (h.esc(indirect) + " " if indirect else "") + sure)]
        if picture:
            parts.append(self.icons(found, DENOMINATOR, outcome, other, harm))
        return h.concat(parts)

    def benefit(self, option: AidOption, measure: str, picture: bool) -> h.Fragment:
        """One benefit number of one choice (direct post-CAR-T evidence only), or what to say without it;
        with an icon array when ``picture``."""
        if option.no_number:
            return h.para(self.link(option.no_number), cls="aid-none")
        said = self.measures.of(measure)
        found = pick(self.numbers, option.class_id, measure)
        if found is None:
            return h.para(h.text(NO_BENEFIT), cls="aid-none")
        return self.sentence(found, said.did, said.other, harm=False, picture=picture)

    def benefits(self, option: AidOption) -> h.Fragment:
        """The choice's benefit numbers (measures.csv ``aid_order``, e.g. how many had their lymphoma
        shrink, how many were alive 1 year later; a picture for the first found), then its numbers for the
        aid's relapse timing. A response measure without a number is left out; a survival measure without
        one says so; a choice without numbers says why once."""
        if option.no_number:
            return h.para(self.link(option.no_number), cls="aid-none")
        kinds = self.measures.kinds
        found = [m for m in self.measures.benefits if pick(self.numbers, option.class_id, m) is not None]
        shown = [m for m in self.measures.benefits if m in found or kinds.get(m) != "response"]
        first = found[0] if found else (shown[0] if shown else "")
        return h.concat([*(self.benefit(option, m, picture=m == first) for m in shown),
                         self.by_timing(option)])

    def by_timing(self, option: AidOption) -> h.Fragment:
        """On an aid made for one relapse timing, the choice's numbers for it, or a plain line that there
        are none (an aid for both timings lists them in its outlook)."""
        rows = [row for frame in self.timing.values() for _, row in frame.iterrows()
                if row["class_id"] == option.class_id]
        if rows:
            return h.concat(self.timing_words(row) for row in rows)
        return h.para(h.text(NO_TIMING), cls="aid-none") if self.timing else h.Fragment("")

    def harms(self, option: AidOption) -> h.Fragment:
        """Up to :data:`MAX_HARMS` side-effect numbers: after CAR-T where they exist, else from people who
        had not had CAR-T (said plainly), or that there is none; then the harms and burdens in words."""
        if option.no_number:
            return h.para(self.link(option.no_number), cls="aid-none")
        measures = harm_measures(self.numbers, option.class_id, self.measures.harms)
        direct = [m for m in measures if pick(self.numbers, option.class_id, m) is not None]
        chosen = [pick(self.numbers, option.class_id, m, direct_only=bool(direct))
                  for m in (direct or measures)][:MAX_HARMS]
        found_all = [f for f in chosen if f is not None]
        groups = {self.measures.not_direct(f.stratum) for f in found_all}
        once = len(groups) == 1
        shown = [h.para(h.text(groups.pop()), cls="aid-indirect")] if once and "" not in groups else []
        said = [self.measures.of(found.measure) for found in found_all]
        shown += [self.sentence(found, words.did, words.other, harm=True, picture=i == 0, say_group=not once)
                  for i, (found, words) in enumerate(zip(found_all, said, strict=True))]
        if not shown:
            shown.append(h.para(h.text(NO_HARM), cls="aid-none"))
        return h.concat([*shown, self.facts(option.class_id, "may_not_suit", ask=False)])


def number_span(found: Number, denominator: int, content: str) -> h.Fragment:
    """``content`` in a span that records which headline row it says, so a test can check the words
    against the library (attributes are never shown). ``denominator`` 0 marks a median in months."""
    shown = f'data-months="{found.rate:g}"' if denominator == 0 else \
        f'data-count="{found.count(denominator)}" data-denominator="{denominator}"'
    return h.Fragment(f'<span class="aid-number" data-option="{h.esc(found.class_id)}" '
                      f'data-measure="{h.esc(found.measure)}" data-stratum="{h.esc(found.stratum)}" '
                      f"{shown}>{content}</span>")


def grid_rows(ctx: GridContext) -> list[tuple[str, bool, Callable[[AidOption], h.Fragment]]]:
    """The grid's rows: the question, whether the row compares choices by numbers (the caveat band goes
    above the first such row), and a function that builds one choice's cell."""
    return [
        (ctx.text.one("grid_how_given"), False,
         lambda o: h.concat([ctx.facts(o.class_id, "how_given", "what_it_does", "where", most=1),
                             ctx.facts(o.class_id, "who_for", ask=False)])),
        (ctx.text.one("grid_how_often"), False,
         lambda o: ctx.facts(o.class_id, "how_often", "time_in_hospital", "daily_life",
                             most=FACTS_PER_CELL)),
        (ctx.text.one("grid_benefits"), True, ctx.benefits),
        (ctx.text.one("grid_harms"), True, ctx.harms),
    ]


def grid_tables(ctx: GridContext) -> h.Fragment:
    """The printed tables of the grid: one per ``grid_group`` of ``aid_options``, in page order. A band
    with the caveat that the people who had each choice differed sits above the rows that compare them
    by numbers."""
    groups: dict[str, list[AidOption]] = {}
    for option in ctx.options:
        groups.setdefault(option.group, []).append(option)
    rows = grid_rows(ctx)
    tables = []
    for title, options in groups.items():
        head = "".join(f'<th scope="col">{h.esc(o.name)}</th>' for o in options)
        body = []
        for index, (question, compares, build) in enumerate(rows):
            if compares and not (index and rows[index - 1][1]):
                body.append(f'<tr class="aid-caveat-row"><td colspan="{len(options) + 1}">'
                            f'{h.para(ctx.link(ctx.caveat), cls="aid-caveat")}</td></tr>')
            cells = "".join(f'<td data-label="{h.esc(o.name)}">{build(o)}</td>' for o in options)
            row_class = ' class="aid-compares"' if compares else ""
            body.append(f'<tr{row_class}><th scope="row">{h.esc(question)}</th>{cells}</tr>')
        tables.append(f'<table class="aid-grid"><caption>{h.esc(title)}</caption><thead><tr>'
                      f'<td class="aid-corner"></td>{head}</tr></thead>'
                      f'<tbody>{"".join(body)}</tbody></table>')
    return h.Fragment("".join(tables))
