"""What every patient page shares (the decision aid and the profile pages): the evidence tables it reads,
glossary links and plain citations, the outlook by how soon the lymphoma came back after CAR-T, the path
of no further treatment, where to find support, the words explained and the sources.

Every number comes from the headline table (:mod:`.aid_numbers`) or the relapse-timing rows
(:mod:`.aid_content`); every sentence about the topic from a row of the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import pandas as pd

from ..analysis.headline import ANY_CLASS
from ..analysis.topic import outlook_measures
from ..data.evidence import Evidence
from . import html as h
from .aid_content import AidOption, AidText, aid_options, check_relapse_timing, timing_rows
from .aid_numbers import (
    DENOMINATOR,
    AidMeasures,
    Number,
    aid_measures,
    balance,
    headline,
    natural_frequency,
    pick,
)
from .glossary import Glossary
from .option_grid import number_span
from .plain_sources import PlainCitations


def aid_stylesheet() -> h.Fragment:
    """The aid's own styles (phone cards, icon arrays, print at 9 pt or more with link addresses)."""
    css = resources.files("lymphoma_evidence.reports").joinpath("aid.css").read_text(encoding="utf-8")
    return h.Fragment(f"<style>{css}</style>")


@dataclass
class PatientWriter:
    """The pieces every patient page is built from, for one evidence bundle.

    Parameters
    ----------
    evidence : Evidence
        The validated evidence.
    relapse_timing : str
        "early" (within about 3 months of CAR-T), "late" or "unknown" (the default: show both).
    """

    evidence: Evidence
    relapse_timing: str = "unknown"
    words: Glossary = field(init=False)
    refs: PlainCitations = field(init=False)
    numbers: pd.DataFrame = field(init=False)
    text: AidText = field(init=False)
    options: list[AidOption] = field(init=False)
    measures: AidMeasures = field(init=False)

    def __post_init__(self) -> None:
        check_relapse_timing(self.relapse_timing)
        self.words = Glossary.of(self.evidence)
        self.refs = PlainCitations(self.evidence.sources)
        self.numbers = headline(self.evidence)
        self.text = AidText(self.evidence.aid_text)
        self.options = aid_options(self.evidence)
        self.measures = aid_measures(self.evidence)

    @property
    def timings(self) -> tuple[str, ...]:
        """The relapse timings this aid shows: the reader's, or both when it is not known."""
        return ("early", "late") if self.relapse_timing == "unknown" else (self.relapse_timing,)

    # -- shared pieces -------------------------------------------------------------------------------

    def section(self, title: str, *body: str, cls: str = "", anchor: str = "") -> h.Fragment:
        """A ``<section>`` with an h2 title and the given (already escaped) body."""
        attrs = (f' class="{h.esc(cls)}"' if cls else "") + (f' id="{h.esc(anchor)}"' if anchor else "")
        return h.Fragment(f"<section{attrs}>{h.heading(2, title)}{''.join(str(b) for b in body)}</section>")

    def say(self, raw: str, *source_ids: str, cls: str = "") -> h.Fragment:
        """A paragraph of plain text with glossary links and, optionally, citations."""
        return h.para(self.words.link(raw) + self.refs.cite(*[s for s in source_ids if s]), cls=cls)

    def part(self, name: str, cls: str = "") -> list[h.Fragment]:
        """One paragraph per ``aid_text`` row of ``name``, each with its source."""
        return [self.say(words, source, cls=cls) for words, source in self.text.rows(name)]

    def icons(self, found: Number, denominator: int, outcome: str, other: str, harm: bool) -> h.Fragment:
        """An icon array for ``found`` with its alt text."""
        from ..figures.icon_array import IconArray, icon_array_figure
        from .display import figure_html

        array = IconArray(found.count(denominator), denominator, f"people who {outcome}",
                          f"people who {other or 'did not'}", harm=harm)
        fig, alt = icon_array_figure(array, width_in=3.4)
        image = figure_html(fig, alt)._repr_html_().replace("<img ", '<img class="aid-icons" ', 1)
        return h.Fragment(f'<div class="aid-icon-array">{image}</div>')

    def timing_number(self, row: pd.Series, name: str = "", bullet: bool = False) -> h.Fragment:
        """One relapse-timing number in words, naming the choice (``name``, when given), the window and who
        it is about, with its counterpart, in a span that records the outcome row; a paragraph, or a list
        item when ``bullet``."""
        measure, value = str(row["measure"]), float(row["value"])
        who = "people" if row["class_id"] == ANY_CLASS else "people who were given this"
        size = f" ({int(row['n'])} people)" if pd.notna(row["n"]) else ""
        words = self.measures.of(measure)
        if self.measures.median(measure):
            said = f"half of {who} {words.months(value)}. The other half {words.other}."
            shown = f'data-months="{value:g}"'
        else:
            said = (f"{natural_frequency(value, DENOMINATOR)} {who} {words.did}. "
                    f"{balance(value, DENOMINATOR, words.other)}")
            shown = f'data-count="{round(value * DENOMINATOR)}" data-denominator="{DENOMINATOR}"'
        text = f"Came back {row['window']}{size}: {said}"
        span = (f'<span class="aid-timing-number" data-outcome="{h.esc(row["outcome_id"])}" {shown}>'
                f"{self.words.link(text)}</span>")
        lead = f"<strong>{h.esc(name)}</strong>. " if name else ""
        body = h.Fragment(lead + span) + self.refs.cite(row["source_id"])
        return h.Fragment(f"<li>{body}</li>") if bullet else h.para(body)

    def outlook(self) -> h.Fragment:
        """The outlook, honestly and with care: for everyone, by how soon the lymphoma came back, and
        what happened to people who were given some choices, good and bad numbers together."""
        parts = [*self.part("outlook_hard")]
        median = self._median_survival()
        if median is not None:
            parts.append(median)
        parts += [h.heading(3, self.text.one("heading_timing")), *self.part("outlook_timing")]
        names = {o.class_id: o.name for o in self.options}
        for timing in self.timings:
            rows = timing_rows(self.evidence, timing)
            rows = rows[(rows["class_id"] == ANY_CLASS) | rows["class_id"].isin(list(names))]
            parts += [h.heading(4, heading) for heading in self.text.words(f"timing_{timing}")]
            items = "".join(str(self.timing_number(r, names.get(r["class_id"], ""), bullet=True))
                            for _, r in rows.iterrows())
            parts.append(h.Fragment(f'<ul class="aid-timing">{items}</ul>') if len(rows)
                         else self.say("We found no numbers for this group."))
        parts += [h.heading(3, self.text.one("heading_some_choices")),
                  *self.part("outlook_some_well")]
        lines = [line for option in self.options for measure in option.outlook_measures
                 if (line := self._outlook_line(option.name, option.class_id, measure)) is not None]
        if lines:
            parts.append(h.bullets(lines))
        parts += [*self.part("compare_caveat"), *self.part("groups_caveat"), *self.part("how_to_read"),
                  *self.part("rough_guide")]
        return self.section("What can I expect?", *parts, anchor="outlook")

    def _median_survival(self) -> h.Fragment | None:
        """The leading outlook measure (measures.csv ``outlook_order`` 1) for everyone, when it is a median
        and the headline table has it (its patient words are then needed)."""
        leads = outlook_measures(self.evidence)[:1]
        if not leads or not self.measures.median(leads[0]):
            return None
        found = pick(self.numbers, ANY_CLASS, leads[0])
        if found is None:
            return None
        words = self.measures.of(leads[0])
        size = f"one study of {found.n_patients} people" if found.n_patients else "one study"
        text = (f"In {size} whose lymphoma came back after CAR-T, half {words.months(found.rate)}. "
                f"The other half {words.other}.")
        return h.para(number_span(found, 0, self.words.link(text)) + self.refs.cite(*found.source_ids))

    def _outlook_line(self, name: str, class_id: str, measure: str) -> h.Fragment | None:
        """One choice's number for the outlook, naming the choice and who the number is about."""
        found = pick(self.numbers, class_id, measure)
        if found is None:
            return None
        study = "one study" if found.n_studies == 1 else f"{found.n_studies} studies"
        size = f" of {found.n_patients} people" if found.n_patients else ""
        words = self.measures.of(measure)
        if self.measures.median(measure):
            who = words.who or "people who were given this"
            text = (f"{name}: in {study}{size}, half of the {who} after CAR-T "
                    f"{words.months(found.rate)}. The other half {words.other}.")
            return number_span(found, 0, self.words.link(text)) + self.refs.cite(*found.source_ids)
        said = natural_frequency(found.rate, DENOMINATOR)
        text = (f"{name}: in {study}{size}, {said} people who were given this after CAR-T {words.did}. "
                f"{balance(found.rate, DENOMINATOR, words.other)}")
        return number_span(found, DENOMINATOR, self.words.link(text)) + self.refs.cite(*found.source_ids)

    def no_treatment(self) -> h.Fragment:
        """The path of no further treatment for the lymphoma, described like the other choices."""
        return self.section(self.text.one("heading_no_treatment"),
                            *self.part("no_treatment"), *self.part("no_treatment_number"),
                            anchor="no-treatment")

    def support(self) -> h.Fragment:
        """Where to find support: the patient organisations of ``aid_text``, each linked to its page."""
        sources = self.evidence.sources.set_index("source_id")
        items = [h.Fragment(f"{h.link(sources.loc[source, 'url'], name)}{self.refs.cite(source)}")
                 for name, source in self.text.rows("support_group") if source in sources.index]
        body = [*self.part("support")]
        if items:
            body += [self.say("These patient groups give free information and support:"),
                     h.Fragment(f'<div class="aid-orgs">{h.bullets(items)}</div>')]
        return self.section("Where can I find support?", *body, anchor="support")

    def glossary(self) -> h.Fragment:
        """The words explained, each linked from its first use above."""
        return self.section("Words explained", self.words.entries(), cls="aid-back", anchor="words")

    def sources(self) -> h.Fragment:
        """The numbered sources in plain words, with links."""
        return self.section("Where the facts come from", self.refs.source_list(), cls="aid-back",
                            anchor="sources")
