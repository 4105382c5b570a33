"""HTML fragments escape whatever they are given; only their own tags are markup."""

from __future__ import annotations

import pandas as pd

from lymphoma_evidence.reports import html as h


def test_text_is_escaped_including_quotes() -> None:
    assert h.esc('<script>alert("x")</script> & \'q\'') == \
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;"


def test_missing_values_become_empty_text() -> None:
    assert h.esc(None) == "" and h.esc(pd.NA) == "" and h.esc(float("nan")) == ""


def test_only_http_and_https_are_linked() -> None:
    assert h.link("https://doi.org/10.1/x", "doi") == '<a href="https://doi.org/10.1/x">doi</a>'
    assert h.link("javascript:alert(1)", "click <me>") == "click &lt;me&gt;"
    assert h.link(pd.NA, "plain") == "plain"


def test_link_target_is_escaped_as_an_attribute() -> None:
    assert 'href="https://x.org/?a=1&amp;b=&quot;2&quot;"' in h.link('https://x.org/?a=1&b="2"', "x")


def test_table_escapes_cells_and_caption_and_marks_column_headers() -> None:
    frame = pd.DataFrame({"name": ["<img src=x onerror=alert(1)>"], "n": [3]})
    out = h.table(frame, [("Name", "name"), ("n", "n")], caption="<b>cap</b>",
                  formatters={"n": lambda r: h.Fragment("<strong>{}</strong>").format(int(r["n"]))},
                  notes=["a < b"])
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "<caption>&lt;b&gt;cap&lt;/b&gt;</caption>" in out
    assert '<th scope="col">Name</th>' in out and "<strong>3</strong>" in out
    assert "<li>a &lt; b</li>" in out


def test_plain_text_reads_like_the_page() -> None:
    frag = h.heading(2, "Title") + h.para(h.text("a & b")) + h.bullets([h.text("one"), h.text("two")])
    assert h.plain_text(frag) == "Title\na & b\none\ntwo"


def test_fragments_display_as_html_in_notebooks() -> None:
    frag = h.para(h.text("x"))
    assert frag._repr_html_() == "<p>x</p>"


def test_plain_text_joined_to_a_fragment_is_escaped_and_fragments_are_kept() -> None:
    hostile = "<script>alert(1)</script>"
    expected = "<p><em>ok</em>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert h.para(h.Fragment("<em>ok</em>"), hostile) == expected
    assert "<script>" not in h.Fragment("<b>x</b>") + hostile
    assert "<script>" not in h.Fragment("<td>{}</td>").format(hostile)
    assert "<script>" not in h.bullets([hostile, h.text("a & b")])


def test_a_formatter_returning_plain_text_cannot_inject_markup() -> None:
    frame = pd.DataFrame({"n": [3]})
    out = h.table(frame, [("n", "n")], formatters={"n": lambda r: "<b>3</b>"})
    assert "<b>" not in out and "&lt;b&gt;3&lt;/b&gt;" in out
