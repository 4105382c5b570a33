"""The patient decision aid (``notebooks/decision_aid.ipynb``): choices after CAR-T in plain language.

Built to the IPDAS criteria that apply to an information aid: what has happened and the decision to
make, how long there usually is to decide, the choices (including a trial, supportive care and no further
treatment), what each is like, benefits and harms with the same structure and the same denominator for
every choice, numbers as natural frequencies that name who they are about, the outlook by how soon the
lymphoma came back after CAR-T (``relapse_timing``), how sure the numbers are, a values exercise, sources,
the date of the evidence, who made and reviewed it with their interests, an update policy and one
disclaimer. Every number comes from the headline table (:mod:`.aid_numbers`) or the relapse-timing rows
(:mod:`.aid_content`); every sentence about the topic from a row of the evidence (``aid_options``,
``aid_text``, ``option_details``).

Sections are built in page order, so the glossary links each word's first use on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ..data.evidence import Evidence
from ..errors import ParameterError
from ..formatting import month_in_words
from . import html as h
from .aid_content import timing_rows
from .aid_page import PatientWriter, aid_stylesheet
from .option_grid import GridContext, grid_tables

#: Words that mark a parameter as not yet filled in (the build refuses them).
PLACEHOLDERS = ("todo", "tbd", "tba", "xxx", "placeholder", "lorem", "name here", "your name", "<", "...",
                "fill in", "to be named", "not set")

def evidence_date(evidence: Evidence) -> date:
    """The date the evidence was last checked: the latest ``accessed`` date of its sources."""
    accessed = pd.to_datetime(evidence.sources["accessed"], errors="coerce").dropna()
    if accessed.empty:
        raise ParameterError("No source in sources.csv has an 'accessed' date; the aid needs one to say "
                             "how recent the evidence is. Fill the accessed column (YYYY-MM-DD).")
    return accessed.max().date()


def checked_person_words(name: str, value: str) -> str:
    """``value`` stripped, or a :class:`ParameterError` when it is empty or a placeholder."""
    said = str(value).strip()
    lowered = said.lower()
    if not said or any(mark in lowered for mark in PLACEHOLDERS):
        raise ParameterError(f"{name} is {'empty' if not said else f'a placeholder ({said!r})'}. Name the "
                             "people in plain words, or say plainly that no one has done this yet (a "
                             "parameter of the decision_aid report in notebooks/reports.toml).")
    return said


@dataclass
class DecisionAid(PatientWriter):
    """The sections of the decision aid, for one evidence bundle.

    Parameters
    ----------
    evidence : Evidence
        The validated evidence.
    made_by : str
        Who made the aid, in plain words (people, or a plain statement that no person is named).
    reviewed_by : str
        Who reviewed it (clinicians, patients), or a plain statement that no one has yet.
    interests : str
        The makers' and reviewers' interests (money or other ties to any treatment), in plain words.
    funding : str
        How the work is funded, in plain words.
    review_months : int
        How often, in months, the evidence is checked again (1 to 24).
    relapse_timing : str
        "early" (within about 3 months of CAR-T), "late" or "unknown" (the default: show both).
    """

    made_by: str = ""
    reviewed_by: str = ""
    interests: str = ""
    funding: str = ""
    review_months: int = 6

    def __post_init__(self) -> None:
        if not 1 <= int(self.review_months) <= 24:
            raise ParameterError(f"Invalid review_months {self.review_months!r}. Expected 1 to 24 months.")
        for name in ("made_by", "reviewed_by", "interests", "funding"):
            setattr(self, name, checked_person_words(name, getattr(self, name)))
        super().__post_init__()

    # -- sections ------------------------------------------------------------------------------------

    def page_one(self) -> h.Fragment:
        """Page one on its own: what has happened, the decision, how long there is, the choices in one
        line each, three questions to start."""
        lines = [(o, o.summary + (" " + o.who_can if o.everyone else "")) for o in self.options]
        choices = h.bullets([h.Fragment(f"<strong>{self.words.link(o.name)}</strong>: "
                                        f"{self.words.link(line)}{self.refs.cite(o.source_id)}")
                             for o, line in lines])
        questions = h.bullets([h.text(q) for q in self.text.words("starter_question")], ordered=True)
        return h.Fragment(str(aid_stylesheet()) + str(self.section(
            "What has happened, and what comes next?",
            *self.part("for_whom"), *self.part("hard_news"), *self.part("decision"),
            *self.part("time_to_decide", cls="aid-urgent"),
            h.heading(3, "Your main choices"), choices,
            h.heading(3, "Three questions to start"),
            h.Fragment(f'<div class="aid-starters">{questions}</div>'),
            cls="aid-page-one", anchor="page-one")))

    def option_grid(self) -> h.Fragment:
        """The option grid: the same questions answered for every choice."""
        caveat = " ".join(self.text.words("row_caveat"))
        ctx = GridContext(self.options, self.evidence.option_details, self.numbers,
                          {t: timing_rows(self.evidence, t) for t in self.timings if len(self.timings) == 1},
                          self.words.link,
                          self.refs.cite, self.icons, self.timing_number, caveat, self.text,
                          self.measures)
        intro = self.say("Each column is one choice. Each row asks the same question of every choice. On a "
                         "small screen, each question has its own box.")
        return self.section("How do the choices compare?", intro, grid_tables(ctx), cls="aid-options",
                            anchor="choices")

    def values(self) -> h.Fragment:
        """A printable values exercise: how much each thing matters, from 0 to 5."""
        box = '<span class="aid-box" aria-hidden="true"></span>'
        scale = "".join(f'<td>{box}<span class="aid-n">{n}</span></td>' for n in range(6))
        rows = "".join(f'<tr><th scope="row">{self.words.link(v)}</th>{scale}</tr>'
                       for v in self.text.words("value"))
        table = ('<table class="aid-values"><thead><tr><td></td>'
                 + "".join(f'<th scope="col">{n}</th>' for n in range(6))
                 + f"</tr></thead><tbody>{rows}</tbody></table>")
        lines = '<div class="aid-write" aria-hidden="true"><span></span><span></span></div>'
        return self.section(
            "What matters most to me?",
            self.say("Mark how much each thing matters to you, from 0 (not at all) to 5 (very much). "
                     "There are no right answers. Take this page to your appointment."),
            h.Fragment(table),
            h.para(h.Fragment("<strong>Which choice am I leaning towards now? Why?</strong>")),
            h.Fragment(lines),
            cls="aid-values-page", anchor="values")

    def questions_page(self) -> h.Fragment:
        """A printable page of questions, with space to write the answers."""
        lines = '<div class="aid-write" aria-hidden="true"><span></span><span></span></div>'
        items = "".join(f"<li><p>{h.esc(q)}</p>{lines}</li>" for q in self.text.words("appointment_question"))
        own = '<div class="aid-write aid-write-own" aria-hidden="true">' + "<span></span>" * 2 + "</div>"
        return self.section("Questions for my appointment",
                            self.say("Print this page and the one before it. Write your answers, or take "
                                     "notes in the visit."),
                            h.Fragment(f'<ol class="aid-questions-list">{items}</ol>'),
                            h.heading(3, "My own questions"), h.Fragment(own),
                            cls="aid-questions", anchor="questions")

    def about(self) -> h.Fragment:
        """Who made and reviewed it, their interests, funding, dates, the update policy."""
        checked = evidence_date(self.evidence)
        next_check = date(checked.year + (checked.month - 1 + self.review_months) // 12,
                          (checked.month - 1 + self.review_months) % 12 + 1, 1)
        return self.section(
            "About this guide",
            h.para(h.Fragment("<br>".join(str(self.words.link(f"{label}: {value}")) for label, value in (
                ("Made by", self.made_by), ("Checked by", self.reviewed_by), ("Interests", self.interests),
                ("Funding", self.funding))))),
            self.say(f"The studies in it were last checked in {month_in_words(checked)}. We check them again "
                     f"every {self.review_months} months, so the next check is due by "
                     f"{month_in_words(next_check)}. We check sooner if an important new study comes out."),
            *self.part("neutral"),
            anchor="about")

