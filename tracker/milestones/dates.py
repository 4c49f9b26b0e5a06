"""Target dates: reading them ("by the end of 2024", "1Q24"), keys, ranges and display.

A milestone's date is compared, not just shown, so it gets a sortable key; this module
owns that key and everything that reads, spans, shifts and shows it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from tracker.milestones.words import MONTHS

MONTH_RE = "|".join(m.capitalize() for m in MONTHS)
_PERIOD = r"(?:first|second|third|fourth) quarter|(?:first|second) half"
_SHORT_PERIOD = r"[1-4]Q|Q[1-4]|[12]H|H[12]"  # needs a year: "H1 antihistamine" is no date
_REL_YEAR = r"(?:this|next|the current|the following|the next) (?:calendar |fiscal )?year"
_YEAR = r"(?:(?:fiscal|calendar)\s+)?\d{4}"
_TARGET_RE = re.compile(
    rf"\b(?P<prep>by|in|during|before|through|until|no later than|for|around|within|as early as)?"
    rf"\s*(?:the\s+)?(?P<when>"
    rf"(?:[1-4]Q|Q[1-4]|[12]H|H[12])\s?'?\d{{2}}(?!\d)"
    rf"|(?:{_PERIOD})(?:(?:\s+of)?\s+(?:{_YEAR}|{_REL_YEAR}))?"
    rf"|(?:{_SHORT_PERIOD})(?:\s+of)?\s+(?:{_YEAR}|{_REL_YEAR})"
    rf"|(?:early|mid|late|mid-|end of|the end of)\s*(?:{MONTH_RE}\s+)?(?:\d{{4}}|{_REL_YEAR})"
    rf"|(?:{MONTH_RE})(?:\s+\d{{1,2}},)?\s+\d{{4}}"
    rf"|(?:end of (?:the |this )?(?:year|current quarter|quarter)|year[- ]end|mid-year)"
    rf"(?:\s+\d{{4}})?"
    rf"|(?:later|earlier) (?:this|in the) year|this year|(?:early |late |later )?next year"
    rf"|(?:current|next|coming|following) quarter|this quarter"
    rf"|(?:(?:early|mid|late|mid-)\s*)?(?:{MONTH_RE})(?:\s+\d{{1,2}}(?!\d))?(?!,?\s+\d{{4}})"
    rf"|(?:fiscal\s+)?\d{{4}}(?!\s*(?:shares|employees|patients|sites))"
    rf")\b"
)
_NO_YEAR_MONTH_RE = re.compile(rf"^(?:(?:early|mid|late|mid-)\s*)?(?:{MONTH_RE})(?:\s+\d+)?$")
_DEADLINE_PREPS = ("by", "before", "no later than", "through", "until")
# A date the sentence marks as the old one: "previously scheduled for June 18, 2003".
_OLD_DATE_RE = re.compile(
    r"\bfrom\s+(the\s+)?$|\b(previously|originally|formerly|instead of|rather than|"
    r"previous guidance of|had been (scheduled|planned|expected)|(was|were) (scheduled|planned|"
    r"expected))\b[^.;,]{0,30}$",
    re.I,
)
_NOT_TARGET_RE = re.compile(r"\b(ended|ending|as of|dated|at|since)\s+(the\s+)?$", re.I)


def normalise_target(text: str, filed: date | None) -> str:
    """A sortable key for a target date; relative dates read against the filing date.

    Keys are "YYYY-MM-DD", "YYYY-MM", "YYYY-Qn", "YYYY-Hn" or "YYYY", so that both
    equality ("same target") and range comparison (see key_span) are possible later.
    """
    t = " ".join(text.lower().split())
    if not t:
        return ""
    base_year = filed.year if filed else 0
    quarter_now = (filed.month - 1) // 3 + 1 if filed else 0
    if re.search(r"\b(current|this) quarter\b|\bend of the quarter\b|\bend of (the )?current q", t):
        return f"{base_year}-Q{quarter_now}" if filed else ""
    if re.search(r"\b(next|coming|following) quarter\b", t):
        if not filed:
            return ""
        return f"{base_year + quarter_now // 4}-Q{quarter_now % 4 + 1}"
    two_digit = re.search(r"(?:[1-4]q|q[1-4]|[12]h|h[12])\s?'?(\d{2})(?!\d)", t)
    year_m = re.search(r"\b(\d{4})\b", t)
    if year_m:
        year = int(year_m.group(1))
    elif two_digit:
        year = 2000 + int(two_digit.group(1))
    elif re.search(r"\b(next|the following) (calendar |fiscal )?year\b", t):
        year = base_year + 1 if filed else 0
    else:
        year = base_year
    if not year:
        return ""
    for i, month in enumerate(MONTHS, start=1):
        if re.search(rf"\b{month}\b", t):
            day = re.search(rf"{month}\s+(\d{{1,2}})\b(?!\s*(?:quarter|half))", t)
            if day and 1 <= int(day.group(1)) <= calendar.monthrange(year, i)[1]:
                return f"{year}-{i:02d}-{int(day.group(1)):02d}"
            return f"{year}-{i:02d}"
    quarter = re.search(r"(first|second|third|fourth) quarter|q([1-4])|([1-4])q", t)
    if quarter:
        n = (
            quarter.group(2)
            or quarter.group(3)
            or str(("first", "second", "third", "fourth").index(quarter.group(1)) + 1)
        )
        return f"{year}-Q{n}"
    half = re.search(r"(first|second) half|h([12])|([12])h", t)
    if half:
        n = half.group(2) or half.group(3) or ("1" if half.group(1) == "first" else "2")
        return f"{year}-H{n}"
    if re.search(r"year[- ]end|end of (the |this )?(year|\d{4})|\bend of\b", t):
        return f"{year}-12-31"
    if "mid" in t:
        return f"{year}-06"
    if re.search(r"\bearly\b", t):
        return f"{year}-H1"
    if re.search(r"\blate\b", t):
        return f"{year}-H2"
    return str(year)


def key_span(key: str) -> tuple[date, date] | None:
    """The first and last day a target key stands for; None for no or a bad key."""
    try:
        year = int(key[:4])
        rest = key[5:]
        if not rest:
            return date(year, 1, 1), date(year, 12, 31)
        if rest[0] == "Q":
            q = int(rest[1])
            last = 3 * q
            return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])
        if rest[0] == "H":
            first = rest[1] == "1"
            return date(year, 1 if first else 7, 1), date(
                year, 6 if first else 12, 30 + (not first)
            )
        month = int(rest[:2])
        if len(rest) > 2:
            day = date(year, month, int(rest[3:5]))
            return day, day
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    except (ValueError, IndexError):
        return None


def target_shift(old_key: str, new_key: str) -> str:
    """Whether a new target is "later" or "earlier" than the old one, or "" for the same,
    a refinement inside the old range, or a vaguer restatement around it."""
    old, new = key_span(old_key), key_span(new_key)
    if not old or not new or old == new:
        return ""
    if old[0] <= new[0] and new[1] <= old[1]:
        return ""  # a refinement: "by the end of 2022" inside "the second half of 2022"
    if new[0] <= old[0] and old[1] <= new[1]:
        return ""  # vaguer: "in 2024" after "in June 2024" says nothing new
    if new[1] > old[1]:
        return "later"
    if new[1] < old[1]:
        return "earlier"
    return ""


def end_shift(old_key: str, new_key: str) -> str:
    """For a runway ("through June 2004") only the end counts: "later", "earlier" or ""."""
    old, new = key_span(old_key), key_span(new_key)
    if not old or not new or old[1] == new[1]:
        return ""
    return "later" if new[1] > old[1] else "earlier"


def _pretty(key: str) -> str:
    """A key as people write it, for relative dates: "Q1 2025", "H2 2024", "2024"."""
    span = key_span(key)
    if not span:
        return key
    rest = key[5:]
    if not rest:
        return key[:4]
    if rest[0] in "QH":
        return f"{rest} {key[:4]}"
    if len(rest) > 2:
        return f"{span[0]:%B} {span[0].day}, {span[0].year}"
    return f"{span[0]:%B %Y}"


def _has_year(text: str) -> bool:
    return bool(re.search(r"\b\d{4}\b|(?:[1-4]Q|Q[1-4]|[12]H|H[12])\s?'?\d{2}(?!\d)", text))


def _is_relative(text: str) -> bool:
    """Words that only mean something against the filing date ("this year", "the year")."""
    return bool(re.search(r"\b(this|next|current|coming|following|the year)\b", text, re.I))


def _roll_forward(key: str, filed: date | None) -> str:
    """A yearless plan already past at filing means next year ("in January", in November)."""
    span = key_span(key)
    if not span or not filed or span[1] >= filed:
        return key
    return f"{int(key[:4]) + 1}{key[4:]}"


def _roll_back(key: str, filed: date | None) -> str:
    """A yearless event reported as done cannot be after the filing ("in December", said
    in February, is last December)."""
    span = key_span(key)
    if not span or not filed or span[0] <= filed:
        return key
    return f"{int(key[:4]) - 1}{key[4:]}"


def _display(prep: str, when: str, key: str) -> str:
    """The target as the alert shows it: the filing's words, plus the year we read in."""
    when = " ".join(when.split())
    if when.lower().startswith("end of"):
        when = "the " + when
    if re.fullmatch(r"(fiscal\s+)?\d{4}", when):  # "in 2004" reads better than "2004"
        return f"{prep if prep in ('in', 'during', *_DEADLINE_PREPS) else 'in'} {when}"
    if not _has_year(when) and key:
        if _is_relative(when):
            when = f"{when} ({_pretty(key)})"
        elif re.search(r"quarter|half", when, re.I):
            when = f"{when} of {key[:4]}"
        else:
            when = f"{when} {key[:4]}"
    return f"{prep} {when}" if prep in _DEADLINE_PREPS else when


def find_target(
    clause: str, start: int, end: int, filed: date | None, status: str
) -> tuple[str, str]:
    """The date the milestone is tied to: the first date after the milestone words,
    else the last one before them (which needs a preposition: "On February 19, 2004,"
    dates the news, it is no target)."""
    best = ("", "")
    for m in _TARGET_RE.finditer(clause):
        when = m.group("when")
        prep = " ".join((m.group("prep") or "").split())
        head = clause[: m.start("when")]
        if _OLD_DATE_RE.search(head) or _NOT_TARGET_RE.search(head):
            continue
        bare_year = bool(re.fullmatch(r"(fiscal\s+)?\d{4}", when))
        yearless_month = bool(_NO_YEAR_MONTH_RE.match(when))
        after = m.start() >= end - 1
        if yearless_month and not prep and not head.endswith("on "):
            continue  # "May" and names are dates only after "in", "by", "on"...
        if not prep and (not after or bare_year):
            continue
        if start <= m.start() < end:
            continue  # inside the milestone words themselves
        key = normalise_target(when, filed)
        if not key:
            continue
        if not _has_year(when) and not _is_relative(when):
            key = _roll_back(key, filed) if status == "achieved" else _roll_forward(key, filed)
        if after:
            return _display(prep, when, key), key
        best = (_display(prep, when, key), key)
    return best
