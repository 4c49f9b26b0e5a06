"""Huge documents in bounded memory (issue 12, item 9): streamed to the cap, parsed in pieces.

Memory itself is measured in bench/hostile.py (bench/RESULTS.md); these tests check the
mechanisms that bound it: the client keeps no more than the cap, HTML is parsed in
pieces that give the same text as parsing it whole and never split a hidden element,
and a document's text is read up to a budget.
"""

from __future__ import annotations

from pathlib import Path

from tracker.edgar.client import EdgarClient
from tracker.edgar.text import HTML_PIECE, html_to_text, to_text
from tracker.fakes.edgar import FakeDocument, FakeEdgar

from conftest import make_filing

UA = "Tracker Tests tests@example.com"
CORPUS = Path(__file__).parent / "corpus"


def test_a_huge_document_is_streamed_to_the_cap_only(edgar: FakeEdgar) -> None:
    unit = b"<p>The FDA issued a complete response letter for Zelvora.</p>\n"
    filing = make_filing(1111111, "0000950123-24-000002")
    filing.documents = [FakeDocument("big.htm", "EX-99.1", unit, repeat=60_000_000 // len(unit))]
    edgar.add(filing)
    client = EdgarClient(edgar.base_url, UA, max_bytes=1_000_000, sleep=lambda s: None)
    resp = client.get(f"{filing.folder}/big.htm")
    assert resp.truncated and len(resp.content) == 1_000_000
    assert resp.content.startswith(unit)


def test_html_in_pieces_reads_like_html_whole() -> None:
    page = (CORPUS / "halvorsen_ex991_2023_fda_approval_eluvexa.htm").read_text()
    body = page[page.lower().index("<body") : page.lower().rindex("</body>")]
    markup = "<html>" + body * (3 * HTML_PIECE // len(body) + 1) + "</html>"
    assert len(markup) > 3 * HTML_PIECE
    whole = html_to_text(body)
    pieced = html_to_text(markup)
    longest = max(whole.split("\n\n"), key=len)
    assert pieced.count(longest) == markup.count(body)  # no paragraph cut in two
    assert pieced.split("\n\n")[: whole.count("\n\n") + 1] == whole.split("\n\n")


def test_a_hidden_element_across_a_piece_boundary_stays_hidden() -> None:
    visible = "<p>The FDA approved Zelvora for adults.</p>\n" * (HTML_PIECE // 90)
    hidden = "SECRET-CONTEXT " * (HTML_PIECE // 15)
    for wrap in (
        f"<script>{hidden}</script>",
        f"<!-- {hidden} -->",
        f"<ix:header><ix:hidden>{hidden}</ix:hidden></ix:header>",
        f"<style>{hidden}</style>",
    ):
        text = html_to_text(f"<html><body>{visible}{wrap}{visible}</body></html>")
        assert "SECRET" not in text, wrap[:12]
        assert text.count("The FDA approved Zelvora") >= 2 * (HTML_PIECE // 90) - 2


def test_a_documents_text_is_read_up_to_a_budget() -> None:
    plain = "The company announced its results. " * 100_000
    assert len(to_text(plain, budget=100_000)) <= 100_000
    markup = "<html><body>" + "<p>The company announced its results.</p>" * 100_000
    text = to_text(markup, budget=100_000)
    assert 90_000 <= len(text) <= 100_000 and text.startswith("The company announced")
