"""Every pooled number a reader sees names the pooling method beside it (stats.POOLED_BY)."""

from __future__ import annotations

import re

from lymphoma_evidence.analysis.headline import headline_numbers
from lymphoma_evidence.analysis.sof import summary_of_findings
from lymphoma_evidence.analysis.summaries import class_summary
from lymphoma_evidence.analysis.takeaways import class_takeaways
from lymphoma_evidence.analysis.topic import measure_words
from lymphoma_evidence.reports.direct_sections import number_sentence
from lymphoma_evidence.stats import POOLED_BY


def _pooled_without_method(texts: list[str]) -> list[str]:
    return [t for t in texts if re.search(r"\bpooled\b", t) and POOLED_BY not in t]


def test_headline_sentences_name_the_method_of_each_pooled_number(evidence) -> None:
    numbers = headline_numbers(evidence)
    pooled = numbers[~numbers["single_study"].astype(bool)]
    assert len(pooled), "the evidence has pooled headline numbers"
    words = measure_words(evidence, "sentence")
    sentences = [number_sentence(row, words, detailed) for _, row in pooled.iterrows()
                 for detailed in (True, False)]
    assert not _pooled_without_method(sentences)


def test_summary_of_findings_and_takeaways_name_the_method(evidence) -> None:
    estimates = list(summary_of_findings(evidence)["estimate"])
    assert any(POOLED_BY in e for e in estimates)
    assert not _pooled_without_method(estimates)
    takeaways = class_takeaways(class_summary(evidence, "ORR"))
    assert any(POOLED_BY in t for t in takeaways)
    assert not _pooled_without_method(takeaways)
