"""The patient decision aid (``notebooks/decision_aid.ipynb``): options after CAR-T in plain language.

Built to the IPDAS criteria that apply to an information aid: what has happened, the choices (including
a trial and supportive care), what each is like, benefits and harms with the same structure for every
option, numbers as natural frequencies with the group they come from, how sure they are, sources, the
date of the evidence, who made it, an update policy and one disclaimer. Every number comes from the
headline table (:mod:`.aid_numbers`); every fact about an option from ``option_details``.

Sections are built in page order, so the glossary links each word's first use on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ..data.evidence import Evidence
from ..errors import ParameterError
from ..formatting import month_in_words
from . import html as h
from .aid_numbers import BENEFIT_DENOMINATOR, Number, headline, natural_frequency, pick
from .glossary import Glossary
from .option_grid import OPTIONS, GridContext, grid_tables, number_span
from .plain_sources import PlainCitations

#: Source of the starter questions (a patient article quoting a lymphoma doctor).
QUESTION_SOURCE = "survivornet_after_car_t"

STARTER_QUESTIONS = (
    "Which of these choices could work for me, and why?",
    "What would each choice mean for my daily life?",
    "Is there a clinical trial I could join, here or at another hospital?",
)

APPOINTMENT_QUESTIONS = (
    "What is most important to me right now?",
    "Which choices are open to me, and which are not? Why?",
    "What are my chances with each choice? How sure are those numbers?",
    "What side effects might I have? What should I do if I feel unwell at home?",
    "How often would I need to come to hospital? Would I need to stay?",
    "Could I join a clinical trial? Who can help me find one?",
    "Can I see the supportive care team now, whatever I choose?",
    "What happens if I choose not to have more treatment for the lymphoma?",
)


def evidence_date(evidence: Evidence) -> date:
    """The date the evidence was last checked: the latest ``accessed`` date of its sources."""
    accessed = pd.to_datetime(evidence.sources["accessed"], errors="coerce").dropna()
    if accessed.empty:
        raise ParameterError("No source in sources.csv has an 'accessed' date; the aid needs one to say "
                             "how recent the evidence is. Fill the accessed column (YYYY-MM-DD).")
    return accessed.max().date()


def _option_details(evidence: Evidence) -> pd.DataFrame:
    """The ``option_details`` table, or an empty one with its columns when the evidence has none yet."""
    details = getattr(evidence, "option_details", None)
    if details is None:
        return pd.DataFrame(columns=["class_id", "aspect", "plain_words", "source_id"])
    return details


@dataclass
class DecisionAid:
    """The sections of the decision aid, for one evidence bundle.

    Parameters
    ----------
    evidence : Evidence
        The validated evidence.
    made_by : str
        Who made the aid, in plain words.
    funding : str
        How the work is funded, in plain words.
    review_months : int
        How often, in months, the evidence is checked again (1 to 24).
    """

    evidence: Evidence
    made_by: str = "the lymphoma-evidence project"
    funding: str = ""
    review_months: int = 6
    words: Glossary = field(init=False)
    refs: PlainCitations = field(init=False)
    numbers: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        if not 1 <= int(self.review_months) <= 24:
            raise ParameterError(f"Invalid review_months {self.review_months!r}. Expected 1 to 24 months.")
        if not str(self.funding).strip():
            raise ParameterError("funding is empty. Say in plain words how the work is funded "
                                 "(a parameter of the decision_aid report in notebooks/reports.toml).")
        self.words = Glossary.of(self.evidence)
        self.refs = PlainCitations(self.evidence.sources)
        self.numbers = headline(self.evidence)

    # -- shared pieces -------------------------------------------------------------------------------

    def section(self, title: str, *body: str, cls: str = "", anchor: str = "") -> h.Fragment:
        """A ``<section>`` with an h2 title and the given (already escaped) body."""
        attrs = (f' class="{h.esc(cls)}"' if cls else "") + (f' id="{h.esc(anchor)}"' if anchor else "")
        return h.Fragment(f"<section{attrs}>{h.heading(2, title)}{''.join(str(b) for b in body)}</section>")

    def say(self, raw: str, *source_ids: str, cls: str = "") -> h.Fragment:
        """A paragraph of plain text with glossary links and, optionally, citations."""
        return h.para(self.words.link(raw) + self.refs.cite(*source_ids), cls=cls)

    def icons(self, found: Number, denominator: int, outcome: str, other: str, harm: bool) -> h.Fragment:
        """An icon array for ``found`` with its alt text, and a key in words beside it."""
        from ..figures.icon_array import IconArray, icon_array_figure
        from .display import figure_html

        people = "person" if denominator == 1 else "people"
        array = IconArray(found.count(denominator), denominator, f"{people} who {outcome}",
                          f"{people} who {other or 'did not'}", harm=harm)
        fig, alt = icon_array_figure(array, width_in=2.6)
        image = figure_html(fig, alt)._repr_html_().replace("<img ", '<img class="aid-icons" ', 1)
        return h.Fragment(f'<div class="aid-icon-array">{image}</div>')

    # -- sections ------------------------------------------------------------------------------------

    def page_one(self) -> h.Fragment:
        """Page one on its own: what has happened, the main choices in one line each, three questions."""
        choices = h.bullets([h.Fragment(f"<strong>{self.words.link(name)}</strong>: {self.words.link(line)}")
                             for _, name, line in OPTIONS])
        questions = h.bullets([h.text(q) for q in STARTER_QUESTIONS], ordered=True)
        return self.section(
            "What has happened, and what comes next?",
            self.say("This guide is for people whose large B-cell lymphoma came back, or did not go away, "
                     "after CAR T-cell therapy (CAR-T). It is also for the people close to them."),
            self.say("This is hard news. You do not need to decide today. There are still choices, and "
                     "your care team will help you weigh them. Choosing comfort care is a choice too."),
            h.heading(3, "Your main choices"), choices,
            h.heading(3, "Three questions to start"),
            h.Fragment(f'<div class="aid-starters">{questions}</div>'),
            self.say("You can ask these at your next visit.", QUESTION_SOURCE),
            cls="aid-page-one", anchor="page-one")

    def outlook(self) -> h.Fragment:
        """The outlook, honestly and with care: short survival often, what goes well for some."""
        parts = [self.say("We want to be honest and kind. For many people, lymphoma that comes back after "
                          "CAR-T is hard to treat. Life can be short.")]
        median = self._median_survival()
        if median is not None:
            parts.append(median)
        parts.append(self.say("But this is not true for everyone. Some people do well for a long time:"))
        good = [line for line in (self._good_news("allo_sct", "os_rate_12m",
                                                  "who had a donor transplant after CAR-T were alive 1 year "
                                                  "later. They were well enough to have a transplant."),
                                  self._good_news("bispecific_antibodies", "os_rate_12m",
                                                  "who had a bispecific antibody after CAR-T were alive "
                                                  "1 year later."),
                                  self._good_news("bispecific_antibodies",
                                                  "median_duration_of_response_months",
                                                  "When a bispecific antibody made the lymphoma shrink after "
                                                  "CAR-T, it kept working for more than {months} months in "
                                                  "half of these people.")) if line]
        if good:
            parts.append(h.bullets(good))
        parts += [self.say("These numbers come from groups of people. They cannot tell you what will "
                           "happen to you."),
                  h.heading(3, "How to read the numbers in this guide"),
                  self.say("We say “about 4 in 10 people”. Good outcomes are always out of 10 people, "
                           "and serious problems out of 100, so you can compare the choices. In the "
                           "pictures, filled figures had the outcome and dashed figures did not."),
                  self.say("Most numbers come from small studies, or from looking back at hospital records. "
                           "Each study had different people in it. So the numbers are a rough guide.")]
        return self.section("What can I expect?", *parts, anchor="outlook")

    def _median_survival(self) -> h.Fragment | None:
        found = pick(self.numbers, "any", "median_os_months")
        if found is None:
            return None
        size = f"one study of {found.n_patients} people" if found.n_patients else "one study"
        text = (f"In {size} whose lymphoma came back after CAR-T, half were still alive "
                f"{found.rate:g} months later.")
        return h.para(number_span(found, 0, self.words.link(text)) + self.refs.cite(*found.source_ids))

    def _good_news(self, class_id: str, measure: str, words: str) -> h.Fragment | None:
        found = pick(self.numbers, class_id, measure)
        if found is None:
            return None
        if measure.startswith("median_"):
            text = words.format(months=f"{found.rate:g}")
            return number_span(found, 0, self.words.link(text)) + self.refs.cite(*found.source_ids)
        said = natural_frequency(found.rate, BENEFIT_DENOMINATOR)
        text = f"{said[0].upper()}{said[1:]} people {words}"
        return number_span(found, BENEFIT_DENOMINATOR, self.words.link(text)) + \
            self.refs.cite(*found.source_ids)

    def support(self) -> h.Fragment:
        """Where to find support: the patient organisations in the sources, cited."""
        sources = self.evidence.sources
        orgs = sources[sources["source_type"] == "patient_organisation"]
        orgs = orgs.assign(organisation=orgs["label"].str.split(":").str[0].str.strip())
        items = [h.Fragment(f"{h.link(pages.iloc[0]['url'], name)}{self.refs.cite(*pages['source_id'])}")
                 for name, pages in orgs.groupby("organisation", sort=False)]
        body = [self.say("You do not have to face this alone. Ask your team about a specialist nurse, "
                         "a social worker or a counsellor. The supportive care team can help at any "
                         "time, not only at the end of life.")]
        if items:
            body += [self.say("These patient groups give free information and support:"),
                     h.Fragment(f'<div class="aid-orgs">{h.bullets(items)}</div>')]
        return self.section("Where can I find support?", *body, anchor="support")

    def option_grid(self) -> h.Fragment:
        """The option grid: the same questions answered for every option."""
        ctx = GridContext(_option_details(self.evidence), self.numbers, self.words.link, self.refs.cite,
                          self.icons)
        intro = self.say("Each column is one choice. Each row asks the same question of every choice.")
        return self.section("How do the choices compare?", intro, grid_tables(ctx), cls="aid-options",
                            anchor="choices")

    def questions_page(self) -> h.Fragment:
        """A printable page of questions, with space to write the answers."""
        lines = '<div class="aid-write" aria-hidden="true"><span></span><span></span></div>'
        items = "".join(f"<li><p>{h.esc(q)}</p>{lines}</li>" for q in APPOINTMENT_QUESTIONS)
        own = '<div class="aid-write aid-write-own" aria-hidden="true">' + "<span></span>" * 4 + "</div>"
        return self.section("Questions for my appointment",
                            self.say("Print this page. Write your answers, or take notes in the visit."),
                            h.Fragment(f'<ol class="aid-questions-list">{items}</ol>'),
                            h.heading(3, "My own questions"), h.Fragment(own),
                            cls="aid-questions", anchor="questions")

    def about(self) -> h.Fragment:
        """Who made it, how it is funded, the date of the evidence, the update policy, the disclaimer."""
        checked = evidence_date(self.evidence)
        next_check = date(checked.year + (checked.month - 1 + self.review_months) // 12,
                          (checked.month - 1 + self.review_months) % 12 + 1, 1)
        return self.section(
            "About this guide",
            self.say(f"This guide was made by {self.made_by}. {self.funding}"),
            self.say(f"The studies in it were last checked in {month_in_words(checked)}. We check them again "
                     f"every {self.review_months} months, so the next check is due by "
                     f"{month_in_words(next_check)}. We check sooner if an important new study comes out."),
            self.say("It does not favour any treatment. It shows each choice in the same way."),
            anchor="about")

    def glossary(self) -> h.Fragment:
        """The words explained, each linked from its first use above."""
        return self.section("Words explained", self.words.entries(), cls="aid-back", anchor="words")

    def sources(self) -> h.Fragment:
        """The numbered sources in plain words, with links."""
        return self.section("Where the facts come from", self.refs.source_list(), cls="aid-back",
                            anchor="sources")
