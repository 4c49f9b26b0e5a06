"""Property-based tests: whatever EDGAR (or a broken proxy) sends, parsing fails cleanly."""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.edgar.client import EdgarClient
from tracker.edgar.feeds import (
    ACCESSION_RE,
    FeedPage,
    parse_company_feed,
    parse_items_desc,
    parse_latest_feed,
)
from tracker.edgar.text import NotText, SubDocument, extract, split_submission
from tracker.errors import FetchError

from conftest import feed_samples

FEED_SAMPLES = feed_samples()

FEW = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check_page(page: FeedPage) -> None:
    assert isinstance(page, FeedPage)
    for f in page.filings:
        assert ACCESSION_RE.fullmatch(f.accession)
        assert isinstance(f.cik, int)


def _parse_both(body: bytes) -> None:
    for parse in (lambda b: parse_company_feed(b, 320193), parse_latest_feed):
        try:
            page = parse(body)
        except FetchError:
            continue
        _check_page(page)


@FEW
@given(st.binary(max_size=2000))
def test_feed_parsers_on_arbitrary_bytes(body: bytes) -> None:
    _parse_both(body)


XMLISH = st.lists(
    st.sampled_from(
        [
            "<?xml version='1.0' encoding='ISO-8859-1' ?>",
            '<feed xmlns="http://www.w3.org/2005/Atom">',
            "</feed>",
            "<entry>",
            "</entry>",
            "<title>8-K - Acme Corp (0000815508) (Filer)</title>",
            "<title>",
            "<accession-number>0001047469-04-004567</accession-number>",
            "<id>urn:tag:sec.gov,2008:accession-number=0001047469-04-004567</id>",
            "<filing-date>2004-02-30</filing-date>",
            "<items-desc>items 7, 9 and 12</items-desc>",
            '<summary type="html">&lt;b&gt;Filed:&lt;/b&gt; 2004-02-19 &lt;br&gt;Item 2.02:',
            "</summary>",
            "<updated>2004-02-19T08:01:02-05:00</updated>",
            '<link rel="next" href="x"/>',
            '<category term="8-K"/>',
            "&",
            "&amp;",
            "&#0;",
            "<![CDATA[",
            "]]>",
            "<!DOCTYPE x [<!ENTITY e 'boom'>]>",
            "&e;",
            "\x00",
            "é",
        ]
    ),
    max_size=40,
).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass"))


@FEW
@given(XMLISH)
def test_feed_parsers_on_feed_like_fragments(body: bytes) -> None:
    _parse_both(body)


@st.composite
def mutated_sample(draw: st.DrawFn) -> bytes:
    body = bytearray(draw(st.sampled_from(FEED_SAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "delete", "insert", "flip"]))
        at = draw(st.integers(0, max(0, len(body) - 1)))
        if kind == "cut":
            del body[at:]
        elif kind == "delete":
            del body[at : at + draw(st.integers(1, 500))]
        elif kind == "insert":
            body[at:at] = draw(st.sampled_from([b"&", b"<", b"</entry>", b"\x00", b"\xff\xfe"]))
        elif body:
            body[at] = draw(st.integers(0, 255))
    return bytes(body)


@FEW
@given(mutated_sample())
def test_feed_parsers_on_mutated_real_samples(body: bytes) -> None:
    _parse_both(body)


@FEW
@given(st.text(max_size=200))
def test_items_desc_never_raises(text: str) -> None:
    items = parse_items_desc(text)
    assert all(item.replace(".", "").isdigit() for item in items)


@FEW
@given(st.binary(max_size=5000))
def test_extract_gives_text_or_not_text(raw: bytes) -> None:
    try:
        text = extract(raw)
    except NotText:
        assert b"\x00" in raw
        return
    assert isinstance(text, str)
    assert "\x00" not in text


HTMLISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<html>",
                "<body>",
                "<div>",
                "</div>",
                "<p>",
                "</p>",
                "<br>",
                "<table><tr><td>",
                "</td>",
                "<script>",
                "</script>",
                "<!--",
                "-->",
                "<ix:header>",
                "</ix:header>",
                '<div style="display:none">',
                "&amp;",
                "&",
                "<",
                ">",
                "<SEC-DOCUMENT>",
                "<DOCUMENT>",
                "</DOCUMENT>",
                "<TYPE>8-K\n",
                "<TYPE>GRAPHIC\n",
                "<FILENAME>x.htm\n",
                "<TEXT>",
                "</TEXT>",
                "begin 644 x.jpg\n",
                "<PAGE>\n",
                "\n",
            ]
        ),
        st.text(max_size=20),
    ),
    max_size=60,
).map("".join)


@FEW
@given(HTMLISH)
def test_extract_on_markup_like_text(text: str) -> None:
    try:
        out = extract(text.encode("utf-8", "surrogatepass"))
    except NotText:
        assert "\x00" in text
        return
    assert isinstance(out, str)
    assert "<script>" not in out.lower() or "<script>" in text.lower()


@FEW
@given(st.one_of(HTMLISH, st.text(max_size=3000)))
def test_split_submission_never_raises(text: str) -> None:
    docs = split_submission(text)
    assert all(isinstance(d, SubDocument) for d in docs)
    assert all(not d.doc_type.startswith("GRAPHIC") for d in docs)


URLISH = st.tuples(
    st.sampled_from(["", "https://www.sec.gov", "http://www.sec.gov", "//www.sec.gov", "http://x"]),
    st.sampled_from(["/Archives/", "/Archives", "/cgi-bin/browse-edgar", "/cgi-bin/", "/", ""]),
    st.lists(
        st.sampled_from(
            [
                "..",
                ".",
                "%2e%2e",
                "%2E.",
                "%2f",
                "/",
                "\\",
                "a",
                "x.htm",
                "?q=..",
                "%00",
                "%0a",
                " ",
            ]
        ),
        max_size=8,
    ),
).map(lambda t: t[0] + t[1] + "".join(t[2]))


@FEW
@given(st.one_of(URLISH, st.text(max_size=120)))
def test_check_url_only_lets_through_edgar_paths(url: str) -> None:
    client = EdgarClient("https://www.sec.gov", "Tracker Tests ops@example.com")
    try:
        path = client.check_url(url)
    except FetchError as exc:
        assert not exc.retryable
        return
    route = unquote(path.split("?")[0])
    assert route.startswith("/Archives/") or route == "/cgi-bin/browse-edgar"
    assert ".." not in route.replace("\\", "/").split("/")
    assert not any(ord(c) < 32 for c in unquote(path))
