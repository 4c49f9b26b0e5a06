"""Dates written in a sentence, read as the last day they can mean.

A sentence whose every date lies well before the document's own date tells history
("in 2015 we completed our initial public offering"), not news. Only explicit dates
count: a month with a year ("March 2019", "March 3, 2019") or a year after a word that
makes it a time ("in 2019", "since 2015", "fiscal 2022", "mid-2021"); a bare number
such as "2019 Notes" is a name, not a date.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan."),
            ("february", "feb."),
            ("march", "mar."),
            ("april", "apr."),
            ("may",),
            ("june", "jun."),
            ("july", "jul."),
            ("august", "aug."),
            ("september", "sept.", "sep."),
            ("october", "oct."),
            ("november", "nov."),
            ("december", "dec."),
        ],
        start=1,
    )
    for name in names
}
_MONTH_ALT = "|".join(re.escape(m) for m in sorted(_MONTHS, key=len, reverse=True))
_DATE_RE = re.compile(
    rf"(?:\b(?P<month>{_MONTH_ALT})\s(?:(?P<day>\d{{1,2}}),?\s)?"
    r"|\b(?:in|since|during|from|of|by|until|through|fiscal|year|early|late|end of|before)\s"
    r"|\bmid-)(?P<year>(?:19|20)\d\d)\b"
)
_HEAD_DATE_RE = re.compile(
    rf"\b(?P<month>{_MONTH_ALT})\s(?P<day>\d{{1,2}}),?\s(?P<year>(?:19|20)\d\d)\b"
)


def _end(m: re.Match[str]) -> date | None:
    year = int(m.group("year"))
    month = _MONTHS.get(m.group("month") or "", 0)
    if not month:
        return date(year, 12, 31)
    last = calendar.monthrange(year, month)[1]
    day = int(m.group("day") or last)
    return date(year, month, min(max(day, 1), last))


_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")


def latest_date(lower: str, before: date | None = None) -> date | None:
    """The latest date a lower-cased sentence names, as the end of what it names.

    With `before`, a sentence that cannot name only dates before it returns None at
    once (most sentences: reading every date costs more than a glance at the years).
    """
    years = _YEAR_RE.findall(lower)
    if years and "|" in lower:
        # "|3 Months Ended Mar. 31, 2023 | On April 20, 2016, the Company entered into..."
        # (a note rendered from XBRL, its period in a header cell) is dated by its event;
        # a period named in prose ("for the 52 weeks ending December 25, 2010") counts.
        events = _PERIOD_END_RE.sub(" ", lower)
        if _YEAR_RE.search(events):
            lower, years = events, _YEAR_RE.findall(events)
    if not years or (before is not None and int(max(years)) > before.year):
        return None
    latest = None
    for m in _DATE_RE.finditer(lower):
        end = _end(m)
        if end is not None and (latest is None or end > latest):
            latest = end
    return latest


_PERIOD_END_RE = re.compile(
    r"\b(?:\d+|three|six|nine|twelve) months (?:ended|ending) "
    rf"(?:(?:{_MONTH_ALT}) (?:\d{{1,2}},? )?)?(?:19|20)\d\d\s*\|"
)


def document_date(text: str, head_chars: int = 4000) -> date | None:
    """The date a document speaks from, when the filing date is not known.

    In order: the cover's report date; the latest date the opening marks as the
    document's own (a dateline "SAN DIEGO, Nov. 30, 2004 (BUSINESS WIRE)", a period
    "three months ended June 30, 2023", "as of"); else the latest full date that is not
    a future term. A table of maturities ("May 19, 2063") or "matures on May 1, 2005"
    would otherwise make every event of the document look old.
    """
    head = text[:head_chars].lower()
    report = _REPORT_DATE_RE.search(head)
    if report:
        return _end(report)
    own: date | None = None
    latest: date | None = None
    for m in _HEAD_DATE_RE.finditer(head):
        end = _end(m)
        if end is None:
            continue
        if _TABLE_CELL_RE.match(head, m.end()):
            continue  # a cell of a table (maturities, a schedule): "May 19, 2063  4,000"
        before = head[max(0, m.start() - 45) : m.start()]
        if _OWN_BEFORE_RE.search(before) or _OWN_AFTER_RE.match(head, m.end()):
            own = end if own is None or end > own else own
        elif not _FUTURE_CUE_RE.search(before) and (latest is None or end > latest):
            latest = end
    return own or latest


_OWN_BEFORE_RE = re.compile(r"\b(?:ended|ending|as of|dated|date:?)\s*$")
# Both are matched right after a date's year, where they mean what they say; the
# lookbehind (a run of blanks starts after a non-blank) and the possessive runs keep a
# search over long runs of blanks linear, as every pattern must be.
_TABLE_CELL_RE = re.compile(r"(?<![ \t])[ \t]*+\$?[ \t]*+\(?\d")
_OWN_AFTER_RE = re.compile(r"(?<!\s)\s*(?:\(|/|--|—|–|-\s)")
_REPORT_DATE_RE = re.compile(
    r"date of (?:this )?report[^0-9]{0,60}?"
    rf"\b(?P<month>{_MONTH_ALT})\s(?P<day>\d{{1,2}}),?\s(?P<year>(?:19|20)\d\d)\b"
)
_FUTURE_CUE_RE = re.compile(
    r"\b(?:matur\w*|due|expir\w*|until|through|no later than|deadline|scheduled|expected)"
    r"\b[^.;]{0,30}$"
)
