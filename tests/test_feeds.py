"""EDGAR Atom feeds: real recorded samples, damaged bodies, and the contract's query strings."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest

from tracker.edgar.client import EdgarClient
from tracker.edgar.feeds import (
    FeedPage,
    company_feed_path,
    latest_feed_path,
    parse_company_feed,
    parse_items_desc,
    parse_latest_feed,
)
from tracker.errors import FetchError
from tracker.fakes.edgar import BLOCK_PAGE, FakeDocument, FakeEdgar, FakeFiling

from conftest import sample

ACCESSION_RE = re.compile(r"\d{10}-\d{2}-\d{6}")
UA = "Tracker Tests ops@example.com"


AAPL = "getcompany_AAPL_all-types_owner-exclude_count40_2021-04-18.atom.xml"
AAPL_10K = "getcompany_AAPL_type10-K_dateb20170801_lastpage_no-next.atom.xml"
EA = "getcompany_EA_all-types_owner-exclude_count40_2021-04-18.atom.xml"
NAME_SEARCH = "getcompany_company-name-search_delhaize_multi-match.atom.xml"
CURRENT_2021 = "getcurrent_all_count40_2021-04-18.atom.xml"
CURRENT_0 = "getcurrent_all_start0_count100.atom.xml"
CURRENT_100 = "getcurrent_all_start100_count100_with_8K_items.atom.xml"
CURRENT_TYPE4 = "getcurrent_type4_start0_count100_prefix_match.atom.xml"
CURRENT_503 = "getcurrent_all_start5100_HTTP503_past_end.html"


# -- query strings ---------------------------------------------------------------------------


def test_company_feed_path_is_exactly_the_contracts() -> None:
    assert company_feed_path(815508) == (
        "/cgi-bin/browse-edgar?action=getcompany&CIK=815508&type=&dateb=&owner=include"
        "&count=40&output=atom"
    )


def test_company_feed_path_next_page_adds_only_start() -> None:
    query = dict(parse_qsl(urlsplit(company_feed_path(815508, start=40)).query, True))
    assert query == {
        "action": "getcompany",
        "CIK": "815508",
        "type": "",
        "dateb": "",
        "owner": "include",
        "count": "40",
        "start": "40",
        "output": "atom",
    }


@pytest.mark.parametrize("start", [0, 100, 4900])
def test_latest_feed_path_is_exactly_the_contracts(start: int) -> None:
    assert latest_feed_path(start=start) == (
        "/cgi-bin/browse-edgar?action=getcurrent&type=&company=&dateb=&owner=include"
        f"&start={start}&count=100&output=atom"
    )


# -- per-company feed samples ----------------------------------------------------------------

COMPANY_SAMPLES = [
    # file, cik, entries, name, has_next, (first accession, form, filed, items)
    (
        AAPL,
        320193,
        40,
        "Apple Inc.",
        True,
        ("0001193125-21-054710", "8-K", "2021-02-24", ("5.07",)),
    ),
    (AAPL_10K, 320193, 25, "Apple Inc.", False, ("0001628280-16-020309", "10-K", "2016-10-26", ())),
    (EA, 712515, 40, "ELECTRONIC ARTS INC.", True, (None, "SEC STAFF LETTER", "2021-03-29", ())),
]


@pytest.mark.parametrize(
    ("name", "cik", "count", "company", "has_next", "first"),
    COMPANY_SAMPLES,
    ids=["aapl-all", "aapl-10k-last-page", "ea-all"],
)
def test_company_feed_samples(
    name: str,
    cik: int,
    count: int,
    company: str,
    has_next: bool,
    first: tuple[str | None, str, str, tuple[str, ...]],
) -> None:
    page = parse_company_feed(sample(name), cik)
    assert isinstance(page, FeedPage)
    assert len(page.filings) == count
    assert page.company_name == company
    assert page.has_next is has_next
    accession, form, filed, items = first
    head = page.filings[0]
    if accession:
        assert head.accession == accession
    assert (head.form, head.filed, head.items) == (form, date.fromisoformat(filed), items)
    accessions = [f.accession for f in page.filings]
    assert len(set(accessions)) == count
    for f in page.filings:
        assert ACCESSION_RE.fullmatch(f.accession)
        assert f.cik == cik
        assert f.company_name == company
        assert f.filed is not None
        assert f.form
        assert f.index_url.startswith(f"https://www.sec.gov/Archives/edgar/data/{cik}/")
        assert f"{f.accession}-index.htm" in f.index_url
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[45]:00", f.accepted)


def test_company_feed_10k_prefix_match_keeps_amendment_and_405_forms() -> None:
    forms = {f.form for f in parse_company_feed(sample(AAPL_10K), 320193).filings}
    assert "10-K" in forms
    assert forms <= {"10-K", "10-K/A", "10-K405"}


@pytest.mark.parametrize(
    ("accession", "items"),
    [
        ("0000712515-21-000028", ("2.01", "8.01", "9.01")),  # "items 2.01, 8.01and9.01"
        ("0001193125-21-038433", ("1.01", "2.03", "9.01")),  # "items 1.01, 2.03and9.01"
    ],
    ids=["three-items-and-without-spaces", "credit-agreement"],
)
def test_company_feed_loose_items(accession: str, items: tuple[str, ...]) -> None:
    raw = sample(EA)
    by_accession = {f.accession: f for f in parse_company_feed(raw, 712515).filings}
    assert by_accession[accession].items == items


def test_company_feed_every_8k_has_items_and_others_none() -> None:
    for name, cik in ((AAPL, 320193), (EA, 712515)):
        for f in parse_company_feed(sample(name), cik).filings:
            if f.form in ("8-K", "8-K/A"):
                assert f.items, f.accession
                assert all(re.fullmatch(r"\d\.\d\d", i) for i in f.items)
            else:
                assert f.items == (), f.accession


def test_company_name_search_feed_has_no_filings() -> None:
    page = parse_company_feed(sample(NAME_SEARCH), 1)
    assert page.filings == ()
    assert not page.has_next


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("item 5.07", ("5.07",)),
        ("items 2.02 and 9.01", ("2.02", "9.01")),
        ("items 2.02, 8.01and9.01", ("2.02", "8.01", "9.01")),
        ("items 1.01, 7.01, 8.01and9.01", ("1.01", "7.01", "8.01", "9.01")),
        ("items 7, 9 and 12", ("7", "9", "12")),
        ("items 5and7", ("5", "7")),
        ("item 12", ("12",)),
        ("", ()),
        ("no items here", ()),
    ],
    ids=[
        "one",
        "two",
        "three-squashed-and",
        "four-squashed-and",
        "legacy-three",
        "legacy-squashed",
        "legacy-one",
        "empty",
        "none",
    ],
)
def test_parse_items_desc(text: str, items: tuple[str, ...]) -> None:
    assert parse_items_desc(text) == items


def test_legacy_items_through_a_company_feed() -> None:
    filing = FakeFiling(
        cik=815508,
        company="BIOPURE CORP",
        accession="0001047469-04-004567",
        form="8-K",
        filed=date(2004, 2, 19),
        items=("7", "9", "12"),
        documents=[FakeDocument("d8k.htm", "8-K", b"<p>x</p>")],
    )
    fake = FakeEdgar([filing])  # rendering only: never started
    try:
        body = fake.company_feed(815508)
    finally:
        fake.stop()  # hung forever before, when the server had not been started
    assert b"<items-desc>items 7, 9 and 12</items-desc>" in body
    [parsed] = parse_company_feed(body, 815508).filings
    assert parsed.items == ("7", "9", "12")
    assert parsed.company_name == "BIOPURE CORP"


# -- latest-filings feed samples -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count"),
    [(CURRENT_2021, 40), (CURRENT_0, 100), (CURRENT_100, 100), (CURRENT_TYPE4, 100)],
    ids=["2021-count40", "2025-start0", "2025-start100", "2025-type4"],
)
def test_latest_feed_samples(name: str, count: int) -> None:
    page = parse_latest_feed(sample(name), count=count)
    assert len(page.filings) == count
    assert page.has_next  # a full page
    for f in page.filings:
        assert ACCESSION_RE.fullmatch(f.accession)
        assert f.form and f.company_name and f.filed is not None
        # Each entry links to the index under its own entity's CIK directory.
        assert f.index_url.startswith(f"https://www.sec.gov/Archives/edgar/data/{f.cik}/")
        assert f.index_url.endswith(f"/{f.accession}-index.htm")


def test_latest_feed_has_no_next_page_when_short_or_unreadable() -> None:
    assert not parse_latest_feed(sample(CURRENT_2021)).has_next  # 40 entries of 100 asked
    unreadable = sample(CURRENT_0).replace(b") (", b"|")  # titles EDGAR never wrote
    page = parse_latest_feed(unreadable)
    assert (page.filings, page.has_next) == ((), False)


def test_latest_feed_first_entry() -> None:
    head = parse_latest_feed(sample(CURRENT_2021)).filings[0]
    assert (head.accession, head.cik, head.form, head.filed, head.company_name) == (
        "0001209191-21-027150",
        1856705,
        "3/A",
        date(2021, 4, 16),
        "Brian Armstrong Living Trust",
    )


def test_latest_feed_keeps_every_entity_of_a_filing() -> None:
    ciks: dict[str, set[int]] = defaultdict(set)
    for f in parse_latest_feed(sample(CURRENT_2021)).filings:
        ciks[f.accession].add(f.cik)
    # Form 3/A for Coinbase: two reporting owners and the issuer, one entry each.
    assert ciks["0001209191-21-027150"] == {1856705, 1851492, 1679788}
    assert sum(len(c) > 1 for c in ciks.values()) >= 5


def test_latest_feed_8k_items_from_the_summary() -> None:
    filings = parse_latest_feed(sample(CURRENT_100)).filings
    velo = [f for f in filings if f.accession == "0001493152-25-027594"]
    assert velo
    assert velo[0].items == ("1.01", "2.01", "2.03", "5.02", "9.01")
    assert velo[0].company_name == "Velo3D, Inc."
    assert velo[0].cik == 1825079
    eight_ks = [f for f in filings if f.form.startswith("8-K")]
    assert len({f.accession for f in eight_ks}) >= 10
    assert all(f.items for f in eight_ks)
    assert all(f.items == () for f in filings if not f.form.startswith("8-K"))


# -- damaged and foreign bodies --------------------------------------------------------------


def _truncated(name: str) -> bytes:
    raw = sample(name)
    return raw[: len(raw) // 2]


def _bare_ampersand(name: str) -> bytes:
    return sample(name).replace(b"Current report<", b"Current report & more<", 1)


def _parser(kind: str) -> Callable[[bytes], FeedPage]:
    if kind == "company":
        return lambda body: parse_company_feed(body, 320193)
    return parse_latest_feed


DAMAGED: list[tuple[str, str, Callable[[], bytes]]] = [
    ("truncated-company", "company", lambda: _truncated(AAPL)),
    ("truncated-latest", "latest", lambda: _truncated(CURRENT_0)),
    ("bare-ampersand-company", "company", lambda: _bare_ampersand(AAPL)),
    ("bare-ampersand-latest", "latest", lambda: sample(CURRENT_0).replace(b"Hinge", b"H & Co", 1)),
]


@pytest.mark.parametrize(("kind", "body"), [d[1:] for d in DAMAGED], ids=[d[0] for d in DAMAGED])
def test_damaged_feeds_still_give_usable_filings(kind: str, body: Callable[[], bytes]) -> None:
    page = _parser(kind)(body())
    assert len(page.filings) >= 10
    for f in page.filings:
        assert ACCESSION_RE.fullmatch(f.accession)
        assert f.form
        assert f.filed is not None
        assert f.accepted


NOT_FEEDS: list[tuple[str, Callable[[], bytes]]] = [
    ("html-503-page", lambda: sample(CURRENT_503)),
    ("sec-block-page", lambda: BLOCK_PAGE),
    ("empty", lambda: b""),
    ("whitespace", lambda: b"  \n "),
    ("json", lambda: b'{"directory": {"item": []}}'),
    ("nul-bytes", lambda: b"\x00\x01\x02" * 100),
    ("xml-not-atom", lambda: b"<?xml version='1.0'?><Error><Code>NoSuchKey</Code></Error>"),
    # feedparser raised ValueError ("embedded null character") on this one (found by hypothesis)
    ("nul-in-encoding", lambda: sample(AAPL).replace(b'encoding="ISO', b'encoding="\x00SO', 1)),
]


@pytest.mark.parametrize("body", [b for _, b in NOT_FEEDS], ids=[i for i, _ in NOT_FEEDS])
@pytest.mark.parametrize("kind", ["company", "latest"])
def test_non_feeds_give_a_clear_fetch_error_or_nothing(
    kind: str, body: Callable[[], bytes]
) -> None:
    try:
        page = _parser(kind)(body())
    except FetchError as exc:
        assert "not an Atom feed" in str(exc)
    else:
        assert page.filings == ()
        assert not page.has_next


def test_truncated_feed_keeps_the_entries_before_the_cut() -> None:
    whole = parse_company_feed(sample(AAPL), 320193).filings
    part = parse_company_feed(_truncated(AAPL), 320193).filings
    assert 0 < len(part) < len(whole)
    assert part == whole[: len(part)]


def test_bare_ampersand_keeps_every_entry() -> None:
    page = parse_company_feed(_bare_ampersand(AAPL), 320193)
    assert len(page.filings) == 40


@pytest.mark.parametrize(
    "body", [b"", b"<html><body>Request Rate Threshold Exceeded</body></html>"], ids=str
)
def test_non_feeds_raise_a_clear_fetch_error(body: bytes) -> None:
    for parse in (lambda b: parse_company_feed(b, 1), parse_latest_feed):
        with pytest.raises(FetchError, match="not an Atom feed"):
            parse(body)


# -- through the client and the fake ---------------------------------------------------------


@pytest.fixture
def edgar() -> Iterator[FakeEdgar]:
    filings = [
        FakeFiling(
            cik=815508,
            company="BIOPURE CORP",
            accession=f"0001047469-04-{n:06d}",
            form="8-K" if n % 2 else "10-Q",
            filed=date(2004, 1, 1 + n % 28),
            items=("5", "7") if n % 2 else (),
            accepted=f"2004-01-{1 + n % 28:02d}T08:{n:02d}:00-05:00",
            documents=[FakeDocument("d.htm", "8-K", b"<p>x</p>")],
            other_ciks=((999001, "SOME HOLDER", "Reporting"),) if n == 3 else (),
        )
        for n in range(45)
    ]
    with FakeEdgar(filings) as server:
        yield server


def test_company_feed_pages_through_the_client(edgar: FakeEdgar) -> None:
    client = EdgarClient(edgar.base_url, UA, sleep=lambda s: None)
    first = parse_company_feed(client.get(company_feed_path(815508)).content, 815508)
    second = parse_company_feed(client.get(company_feed_path(815508, start=40)).content, 815508)
    assert (len(first.filings), first.has_next) == (40, True)
    assert (len(second.filings), second.has_next) == (5, False)
    assert first.company_name == "BIOPURE CORP"
    assert not {f.accession for f in first.filings} & {f.accession for f in second.filings}
    assert edgar.requests[0]["path"] == company_feed_path(815508)


def test_latest_feed_through_the_client(edgar: FakeEdgar) -> None:
    client = EdgarClient(edgar.base_url, UA, sleep=lambda s: None)
    page = parse_latest_feed(client.get(latest_feed_path()).content)
    assert len(page.filings) == 46  # 45 filings, one listed for a second entity
    assert not page.has_next  # a short page is the last one
    assert {f.cik for f in page.filings if f.accession == "0001047469-04-000003"} == {
        815508,
        999001,
    }
    with pytest.raises(FetchError) as info:  # past the end EDGAR answers 503
        client.get(latest_feed_path(start=100))
    assert info.value.status == 503
