"""Choosing and reading a filing's documents, and turning them into text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date

import pytest

from tracker.edgar.client import EdgarClient
from tracker.edgar.documents import choose, fetch_documents, guess_type, index_page_url
from tracker.edgar.text import (
    TEXT_BUDGET,
    NotText,
    decode,
    extract,
    html_to_text,
    is_submission,
    split_submission,
    to_text,
)
from tracker.errors import EdgarBlocked, FetchError
from tracker.fakes.edgar import FakeDocument, FakeEdgar, FakeFiling
from tracker.models import Filing

from conftest import sample

UA = "Tracker Tests ops@example.com"
CIK = 815508
ACCESSION = "0001047469-04-004567"
FOLDER = f"/Archives/edgar/data/{CIK}/{ACCESSION.replace('-', '')}"
SUBMISSION = f"/Archives/edgar/data/{CIK}/{ACCESSION}.txt"

PRIMARY = b"<html><body><p>Item 5. Other Events</p><p>Biopure reduced its staff.</p></body></html>"
PRESS = b"<html><body><p>Biopure announces FDA submission.</p></body></html>"
UNSAFE_NAMES = ["../../x.htm", "/etc/passwd", "https://evil.example/x.htm", "..\\x.htm"]


def _filing(documents: list[FakeDocument], form: str = "8-K") -> FakeFiling:
    return FakeFiling(
        cik=CIK,
        company="BIOPURE CORP",
        accession=ACCESSION,
        form=form,
        filed=date(2004, 2, 19),
        items=("5", "7"),
        documents=documents,
    )


def _as_filing(fake: FakeFiling) -> Filing:
    return Filing(accession=fake.accession, cik=fake.cik, form=fake.form, filed=fake.filed)


@pytest.fixture
def edgar() -> Iterator[FakeEdgar]:
    with FakeEdgar() as server:
        yield server


def _client(edgar: FakeEdgar) -> EdgarClient:
    return EdgarClient(edgar.base_url, UA, sleep=lambda s: None, retries=1)


# -- choose() --------------------------------------------------------------------------------


def test_choose_on_a_real_index_json() -> None:
    listing = json.loads(sample("archives_dir_index.json_0001213900-24-004875_8-K_with_EX-99.json"))
    names = [item["name"] for item in listing["directory"]["item"]]
    assert choose(names, "8-K") == [
        ("ea191807-8k_datchat.htm", "8-K"),
        ("ea191807ex99-1_datchat.htm", "EX-99.1"),
        ("ea191807ex99-2_datchat.htm", "EX-99.2"),
        ("ea191807ex99-3_datchat.htm", "EX-99.3"),
    ]


def test_choose_skips_unsafe_and_unreadable_names() -> None:
    names = [
        *UNSAFE_NAMES,
        "0001047469-04-004567.txt",
        "0001047469-04-004567-index.htm",
        "R1.htm",
        "FilingSummary.xml",
        "g123.jpg",
        "ex99.pdf",
        "d8k.htm",
        "dex991.htm",
    ]
    assert choose(names, "8-K") == [("d8k.htm", "8-K"), ("dex991.htm", "EX-99.1")]
    assert choose(UNSAFE_NAMES, "8-K") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("d8k.htm", "8-K"),
        ("ex99.htm", "EX-99"),
        ("ex991.htm", "EX-99.1"),
        ("ex99-1.htm", "EX-99.1"),
        ("dex991.htm", "EX-99.1"),
        ("a04-7804_1ex99d2.htm", "EX-99.2"),
        ("exhibit99_1.htm", "EX-99.1"),
        ("ex10-1.htm", "EX-10.1"),
    ],
)
def test_guess_type(name: str, expected: str) -> None:
    assert guess_type(name, "8-K") == expected


# -- fetch_documents() -----------------------------------------------------------------------


def test_reads_primary_and_press_release_and_never_unsafe_names(edgar: FakeEdgar) -> None:
    unsafe = [FakeDocument(n, "EX-99.9", b"<p>evil</p>") for n in UNSAFE_NAMES]
    fake = _filing(
        [
            FakeDocument("d8k.htm", "8-K", PRIMARY),
            FakeDocument("dex991.htm", "EX-99.1", PRESS),
            *unsafe,
        ]
    )
    edgar.add(fake)
    docs = fetch_documents(_client(edgar), _as_filing(fake))
    assert [(d.name, d.doc_type) for d in docs] == [("d8k.htm", "8-K"), ("dex991.htm", "EX-99.1")]
    assert "Biopure reduced its staff." in docs[0].text
    assert docs[1].url == f"{edgar.base_url}{FOLDER}/dex991.htm"
    paths = [r["path"] for r in edgar.requests]
    assert paths == [f"{FOLDER}/index.json", f"{FOLDER}/d8k.htm", f"{FOLDER}/dex991.htm"]


def test_missing_index_json_falls_back_to_the_full_submission(edgar: FakeEdgar) -> None:
    fake = _filing(
        [
            FakeDocument("d8k.htm", "8-K", PRIMARY),
            FakeDocument("dex991.htm", "EX-99.1", PRESS),
            FakeDocument("dex41.htm", "EX-4.1", b"<p>Warrant</p>"),
        ]
    )
    edgar.add(fake)
    edgar.fail("index.json", 404)
    docs = fetch_documents(_client(edgar), _as_filing(fake))
    assert [(d.name, d.doc_type) for d in docs] == [("d8k.htm", "8-K"), ("dex991.htm", "EX-99.1")]
    assert "Biopure announces FDA submission." in docs[1].text
    assert [r["path"] for r in edgar.requests] == [f"{FOLDER}/index.json", SUBMISSION]


def test_index_json_that_is_not_a_listing_falls_back(edgar: FakeEdgar) -> None:
    fake = _filing([FakeDocument("d8k.htm", "8-K", PRIMARY)])
    edgar.add(fake)
    edgar.fail("index.json", 200, body=b"<html>not json</html>")
    docs = fetch_documents(_client(edgar), _as_filing(fake))
    assert [d.doc_type for d in docs] == ["8-K"]
    assert edgar.requests[-1]["path"] == SUBMISSION


def test_primary_document_404_raises_fetch_error(edgar: FakeEdgar) -> None:
    fake = _filing([FakeDocument("d8k.htm", "8-K", PRIMARY)])
    edgar.add(fake)
    edgar.fail("d8k.htm", 404)
    with pytest.raises(FetchError) as info:
        fetch_documents(_client(edgar), _as_filing(fake))
    assert info.value.status == 404
    # Listed in index.json but not served yet: worth another try next cycle.
    assert info.value.retryable


def test_block_while_reading_documents_is_raised(edgar: FakeEdgar) -> None:
    fake = _filing([FakeDocument("d8k.htm", "8-K", PRIMARY)])
    edgar.add(fake)
    edgar.fail("index.json", 403)
    with pytest.raises(EdgarBlocked):
        fetch_documents(_client(edgar), _as_filing(fake))
    assert len(edgar.requests) == 1


def test_unknown_filing_raises_non_retryable_fetch_error(edgar: FakeEdgar) -> None:
    fake = _filing([FakeDocument("d8k.htm", "8-K", PRIMARY)])  # never published
    with pytest.raises(FetchError) as info:
        fetch_documents(_client(edgar), _as_filing(fake))
    assert info.value.status == 404
    assert [r["path"] for r in edgar.requests] == [f"{FOLDER}/index.json", SUBMISSION]


@pytest.mark.parametrize(
    "documents",
    [
        [FakeDocument("g1.jpg", "GRAPHIC", b"begin 644 g1.jpg\nM_]C_X``02D9)1@`!`0$`8`!@``#_\n")],
        [FakeDocument("x.bin", "8-K", b"\x00\x01binary\x00" * 10)],
    ],
    ids=["only-binary-documents", "nul-bytes"],
)
def test_submission_without_text_raises_fetch_error(
    edgar: FakeEdgar, documents: list[FakeDocument]
) -> None:
    fake = _filing(documents)
    edgar.add(fake)
    edgar.fail("index.json", 404)
    with pytest.raises(FetchError) as info:
        fetch_documents(_client(edgar), _as_filing(fake))
    assert not info.value.retryable


def test_binary_primary_document_is_skipped_for_the_submission(edgar: FakeEdgar) -> None:
    fake = _filing([FakeDocument("d8k.htm", "8-K", b"\x00\x01\x02" * 100)])
    edgar.add(fake)
    with pytest.raises(FetchError):  # the submission holds the same NUL bytes
        fetch_documents(_client(edgar), _as_filing(fake))
    assert edgar.requests[-1]["path"] == SUBMISSION


def test_index_page_url_keeps_only_links_on_our_host() -> None:
    client = EdgarClient("https://www.sec.gov", UA)
    own = f"https://www.sec.gov{FOLDER}/{ACCESSION}-index.htm"
    base = Filing(accession=ACCESSION, cik=CIK, form="8-K", filed=None)
    assert index_page_url(client, _replace(base, own)) == own
    for foreign in (
        f"https://www.sec.gov.evil.example{FOLDER}/{ACCESSION}-index.htm",
        f"https://evil.example{FOLDER}/{ACCESSION}-index.htm",
        "",
    ):
        assert index_page_url(client, _replace(base, foreign)) == own


def _replace(filing: Filing, index_url: str) -> Filing:
    return Filing(filing.accession, filing.cik, filing.form, filing.filed, index_url=index_url)


# -- full submissions ------------------------------------------------------------------------

SUBMISSIONS = [
    ("fullsub_8-K_2002-02-19_OASIS_0001104540-02-000064_plaintext_item4.txt", ["8-K"]),
    ("fullsub_8-K_2004-01-08_EXPERTELLIGENCE_0000723533-04-000001_plaintext_item1.txt", ["8-K"]),
    (
        "fullsub_8-K_2004-07-14_APPLE_0001104659-04-019574_html_EX-99.1_EX-99.2.txt",
        ["8-K", "EX-99.1", "EX-99.2"],
    ),
    (
        "fullsub_8-K_2004-07-22_SEARS_0000891092-04-003383_plaintext_items7+12_EX-99.txt",
        ["8-K", "EX-99"],
    ),
    (
        "fullsub_8-K_2005-01-25_SOUTHERNCO-multifiler_0000092122-05-000042_plaintext_item2.02"
        "_EX-99.01-06.txt",
        ["8-K", "EX-99.01", "EX-99.02", "EX-99.03", "EX-99.04", "EX-99.05", "EX-99.06"],
    ),
    (
        "fullsub_8-K_2024-02-01_APPLE_0000320193-24-000005_ixbrl_EX-99.1_earnings.txt",
        ["8-K", "EX-99.1"],
    ),
    ("fullsub_8-K_META_2025-12-19_0001628280-25-058337.txt", ["8-K"]),
    ("fullsub_8-K_NVDA_2026-03_0001045810-26-000024.txt", ["8-K", "EX-10.1"]),
]


@pytest.mark.parametrize(
    ("name", "types"),
    SUBMISSIONS,
    ids=[n.split("_")[2] + "-" + n.split("_")[3] for n, _ in SUBMISSIONS],
)
def test_real_submissions_split_into_text_documents(name: str, types: list[str]) -> None:
    text = decode(sample(name))
    assert is_submission(text)
    docs = split_submission(text)
    assert [d.doc_type for d in docs] == types
    for d in docs:
        assert d.filename
        assert len(d.text) > 200
        assert not re.search(r"^begin [0-7]{3} ", d.text, re.M)  # no uuencoded binaries
        assert "<TEXT>" not in d.text and "<DOCUMENT>" not in d.text


def test_binary_documents_of_a_modern_submission_are_left_out() -> None:
    raw = sample("fullsub_8-K_2024-02-01_APPLE_0000320193-24-000005_ixbrl_EX-99.1_earnings.txt")
    declared = re.findall(rb"<TYPE>([^\n]*)", raw)
    assert {b"GRAPHIC", b"ZIP", b"EXCEL", b"JSON", b"XML"} <= set(declared)
    assert len(split_submission(decode(raw))) == 2
    combined = extract(raw)
    assert "Apple reports first quarter results" in combined
    assert "xbrli:" not in combined


# -- text ------------------------------------------------------------------------------------


def test_ixbrl_hidden_header_is_removed() -> None:
    raw = sample("primarydoc_8-K_2024-02-01_APPLE_aapl-20240201.htm")
    assert b"<ix:header>" in raw and b"dei:AmendmentFlag" in raw
    text = extract(raw)
    assert "Apple Inc." in text
    assert "FORM 8-K" in text
    for hidden in ("aapl-20240201.xsd", "xbrli", "c-1", "iso4217"):
        assert hidden not in text
    assert not text.startswith("false")  # dei:AmendmentFlag sits first in the hidden header


def test_hidden_markup_is_removed() -> None:
    markup = (
        "<html><head><title>T</title><style>p {color: red}</style></head><body>"
        "<div style='DISPLAY: NONE'>hidden one</div><div style='display:none;'>hidden two</div>"
        "<ix:header><ix:hidden>hidden three</ix:hidden></ix:header>"
        "<script>var hidden = 4;</script><p>Shown &amp; told</p></body></html>"
    )
    assert html_to_text(markup) == "Shown & told"


def test_entities_are_decoded_once() -> None:
    assert html_to_text("<p>AT&amp;amp;T &amp;lt;b&amp;gt; &nbsp;x</p>") == "AT&amp;T &lt;b&gt; x"


def test_html_blocks_become_paragraphs_and_cells_stay_apart() -> None:
    text = html_to_text(
        "<div>Title</div><p>One<br>two</p><table><tr><td>Revenue</td><td>$5</td></tr></table>"
    )
    assert text.split("\n\n") == ["Title", "One", "two", "Revenue $5"]


def test_2003_era_plain_text_keeps_paragraphs() -> None:
    raw = sample("fullsub_8-K_2004-07-22_SEARS_0000891092-04-003383_plaintext_items7+12_EX-99.txt")
    docs = split_submission(decode(raw))
    body = docs[0].text
    assert "<PAGE>" not in body
    paragraphs = body.split("\n\n")
    assert "Item 12. Results of Operations and Financial Condition." in paragraphs
    assert any(
        p.startswith("On July 22, 2004, the Registrant issued a press release") for p in paragraphs
    )
    press = docs[1].text.split("\n\n")
    assert len(press) > 20
    assert press[1] == "Sears Reports Second Quarter 2004 Results"


def test_plain_text_page_markers_and_spacing() -> None:
    raw = b"ITEM 5.  OTHER EVENTS\r\n\r\n   The company   closed\r\na plant.\r\n<PAGE>\r\n\r\nNext."
    assert to_text(decode(raw)) == "ITEM 5. OTHER EVENTS\n\nThe company closed\na plant.\n\nNext."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"caf\xe9 \x93quoted\x94 \x96 dash", "café “quoted” – dash"),
        (b"\xef\xbb\xbfWith a BOM", "With a BOM"),
        ("naïve UTF-8 ☐".encode(), "naïve UTF-8 ☐"),
        (b"\xff\xfe\x81 broken", "ÿþ\ufffd broken"),
        (b"bell\x07 and escape\x1b", "bell  and escape "),
    ],
    ids=["cp1252", "utf8-bom", "utf8", "invalid-utf8", "control-chars"],
)
def test_decode(raw: bytes, expected: str) -> None:
    assert decode(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00",
        b"GIF89a\x01\x00\x01\x00\x00\xff",
        b"PK\x03\x04" + b"\x00" * 30,
        "Text".encode("utf-16"),
    ],
    ids=["nul", "gif", "zip", "utf-16"],
)
def test_nul_bytes_are_not_text(raw: bytes) -> None:
    with pytest.raises(NotText):
        decode(raw)
    with pytest.raises(NotText):
        extract(raw)


def test_deeply_nested_html_finishes() -> None:
    depth = 50_000
    markup = (
        "<html><body>"
        + "<div>" * depth
        + "<script>hidden()</script><p>Deep &amp; down</p>"
        + "</div>" * depth
        + "<p>After</p></body></html>"
    )
    text = extract(markup.encode())
    assert text == "Deep & down\n\nAfter"


@pytest.mark.parametrize(
    "markup",
    [
        "<span>" * 30_000 + "x" + "</zz>" * 30_000,
        "<b>" * 30_000 + "<p>x</p>" * 30_000,
        "<blockquote>" * 30_000 + "x",
    ],
    ids=["unknown-end-tags", "unclosed-formatting", "unclosed-blocks"],
)
def test_other_pathological_nesting_finishes(markup: str) -> None:
    assert "x" in html_to_text(markup)


def test_twenty_megabyte_document_finishes() -> None:
    paragraph = "<p>Biopure announced a <b>reduction</b> of its workforce by 30 percent.</p>\n"
    raw = ("<html><body>" + paragraph * (20_000_000 // len(paragraph)) + "</body></html>").encode()
    assert len(raw) >= 19_900_000
    text = extract(raw)
    assert text.startswith("Biopure announced a reduction of its workforce by 30 percent.")
    # Its text is read up to the budget (memory and time stay bounded, issue 12 item 9).
    assert TEXT_BUDGET - len(paragraph) <= len(text) <= TEXT_BUDGET
    assert text.count("\n\n") >= TEXT_BUDGET // len(paragraph)


def test_unterminated_submission_still_splits() -> None:
    text = "<SEC-DOCUMENT>\n<DOCUMENT>\n<TYPE>8-K\n<FILENAME>d.txt\n<TEXT>\nCut short here"
    [doc] = split_submission(text)
    assert (doc.doc_type, doc.filename, doc.text) == ("8-K", "d.txt", "Cut short here")


def test_documents_without_exhibit_numbers_are_read_too() -> None:
    """A filer's naming is no promise: a press release called press_release.htm counts."""
    from tracker.edgar.documents import choose

    chosen = choose(["press_release.htm", "acme-8k_2024.htm", "ex10-1.htm", "notes.txt"], "8-K")
    assert chosen == [
        ("acme-8k_2024.htm", "8-K"),
        ("press_release.htm", "EX-99"),
        ("notes.txt", "8-K"),
    ]
