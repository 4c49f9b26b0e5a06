"""EDGAR Atom feeds (per-company and latest filings) turned into Filing values.

feedparser never fetches anything itself here: it only parses bytes the client
already fetched, because its own HTTP client has no timeout.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import feedparser

from tracker.errors import FetchError
from tracker.models import Filing

log = logging.getLogger(__name__)

ACCESSION_RE = re.compile(r"\b(\d{10}-\d{2}-\d{6})\b")
_MODERN_ITEM_RE = re.compile(r"\d{1,2}\.\d{2}")
_LEGACY_ITEM_RE = re.compile(r"(?<![\d.])\d{1,2}(?![\d.])")
_SUMMARY_ITEM_RE = re.compile(r"Item\s+(\d{1,2}(?:\.\d{2})?)\s*:", re.I)
_CIK_IN_URL_RE = re.compile(r"/Archives/edgar/data/(\d+)/")


@dataclass(frozen=True)
class FeedPage:
    """One parsed feed page: its filings, and whether a further page exists."""

    filings: tuple[Filing, ...]
    company_name: str = ""
    has_next: bool = False


def company_feed_path(cik: int, count: int = 40, start: int = 0) -> str:
    query = {
        "action": "getcompany",
        "CIK": str(cik),  # as the contract writes it; EDGAR takes it with or without zeros
        "type": "",
        "dateb": "",
        "owner": "include",
        "count": str(count),
    }
    if start:
        query["start"] = str(start)
    query["output"] = "atom"
    return "/cgi-bin/browse-edgar?" + urlencode(query)


def latest_feed_path(start: int = 0, count: int = 100) -> str:
    query = {
        "action": "getcurrent",
        "type": "",
        "company": "",
        "dateb": "",
        "owner": "include",
        "start": str(start),
        "count": str(count),
        "output": "atom",
    }
    return "/cgi-bin/browse-edgar?" + urlencode(query)


def _parse(content: bytes, what: str) -> feedparser.FeedParserDict:
    try:
        parsed = feedparser.parse(content)
    except Exception as exc:
        # feedparser itself fails on some damaged bodies (a NUL in the encoding declaration
        # raises ValueError); such a body is no feed we can use either.
        raise FetchError(f"{what}: not an Atom feed ({type(exc).__name__}: {_short(exc)})") from exc
    if not parsed.get("version") and not parsed.entries:
        # An HTML error page or an empty body: "bozo False" is not proof of a feed.
        raise FetchError(f"{what}: not an Atom feed ({_short(parsed.get('bozo_exception'))})")
    if parsed.get("bozo"):
        log.info(
            "%s: feed parsed with recoverable errors: %s",
            what,
            _short(parsed.get("bozo_exception")),
        )
    return parsed


def parse_company_feed(content: bytes, cik: int) -> FeedPage:
    """Parse a getcompany feed; entries missing an accession number are skipped."""
    parsed = _parse(content, f"company feed {cik}")
    name = str(parsed.feed.get("conformed-name", "")).strip()
    filings = []
    for entry in _complete(parsed):
        accession = entry.get("accession-number") or _accession_from(entry.get("id", ""))
        if not accession or not ACCESSION_RE.fullmatch(accession.strip()):
            continue
        form = (entry.get("filing-type") or _term(entry) or "").strip()
        items = parse_items_desc(entry.get("items-desc", "") or "")
        if not items:
            items = tuple(_SUMMARY_ITEM_RE.findall(html.unescape(entry.get("summary", ""))))
        filings.append(
            Filing(
                accession=accession.strip(),
                cik=cik,
                form=form,
                filed=_date(entry.get("filing-date", "")),
                items=items,
                index_url=entry.get("filing-href") or entry.get("link", ""),
                company_name=name,
                accepted=entry.get("updated", ""),
            )
        )
    has_next = any(link.get("rel") == "next" for link in parsed.feed.get("links", []))
    return FeedPage(tuple(filings), name, has_next)


def parse_latest_feed(content: bytes, count: int = 100) -> FeedPage:
    """Parse a getcurrent page; one entry per (filing x entity), so CIKs repeat.

    The feed has no next link: a further page exists when this one is full (`count` is
    what was asked for) and it held filings we could read.
    """
    parsed = _parse(content, "latest-filings feed")
    filings = []
    for entry in _complete(parsed):
        title = html.unescape(entry.get("title", ""))
        parts = split_current_title(title)
        summary = html.unescape(entry.get("summary", ""))
        accession = _accession_from(entry.get("id", "")) or _accession_from(summary)
        if not parts or not accession:
            continue
        form, name, cik, _role = parts
        filed = re.search(r"Filed:</b>\s*(\d{4}-\d{2}-\d{2})", summary)
        filings.append(
            Filing(
                accession=accession,
                cik=int(cik),
                form=(_term(entry) or form).strip(),
                filed=_date(filed.group(1) if filed else ""),
                items=tuple(_SUMMARY_ITEM_RE.findall(summary)) if form.startswith("8-K") else (),
                index_url=entry.get("link", ""),
                company_name=name.strip(),
                accepted=entry.get("updated", ""),
            )
        )
    return FeedPage(tuple(filings), "", bool(filings) and len(parsed.entries) >= count)


def split_current_title(title: str) -> tuple[str, str, str, str] | None:
    r"""(form, name, cik, role) of a getcurrent title: "8-K - Velo3D, Inc. (0001825079) (Filer)".

    Read from the right without a regular expression: the pattern it replaces,
    r"^(.*?) - (.*) \((\d{1,10})\) \((.*)\)\s*$", backtracked in quadratic time on a
    long title of repeated " - ".
    """
    text = title.rstrip()
    if not text.endswith(")"):
        return None
    open_role = text.rfind(" (")
    rest = text[:open_role]
    if open_role < 0 or not rest.endswith(")"):
        return None
    open_cik = rest.rfind(" (")
    cik = rest[open_cik + 2 : -1]
    if open_cik < 0 or not (cik.isascii() and cik.isdigit() and 1 <= len(cik) <= 10):
        return None
    form, dash, name = rest[:open_cik].partition(" - ")
    if not dash:
        return None
    return form, name, cik, text[open_role + 2 : -1]


def _complete(parsed: feedparser.FeedParserDict) -> list[feedparser.FeedParserDict]:
    """The entries to use: from a damaged body, only those that reached their <updated>.

    EDGAR writes <updated> late in each entry, so this leaves out the entry a truncated
    body cut in half. Kept, it would lack its items or dates for good: a filing is read once.
    """
    entries = list(parsed.entries)
    if parsed.get("bozo"):
        return [e for e in entries if e.get("updated")]
    return entries


def parse_items_desc(text: str) -> tuple[str, ...]:
    """Items from EDGAR's loose text ("items 2.02, 8.01and9.01", legacy "items 7, 9 and 12")."""
    modern = _MODERN_ITEM_RE.findall(text)
    return tuple(modern) if modern else tuple(_LEGACY_ITEM_RE.findall(text))


def _term(entry: feedparser.FeedParserDict) -> str:
    tags = entry.get("tags") or []
    return str(tags[0].get("term", "")) if tags else ""


def _accession_from(text: str) -> str:
    m = ACCESSION_RE.search(text or "")
    return m.group(1) if m else ""


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _short(exc: object) -> str:
    return str(exc)[:200] if exc else "no detail"
