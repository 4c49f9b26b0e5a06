"""The slip chart of `tracker timeline X --svg FILE`: what each filing said is due, when.

A slip chart as project managers draw it: one row per filing date, time running down;
across, the target date each filing stated for each milestone. A milestone's marks are
joined from row to row, so a target that moves right is a slip and one that moves left
was pulled in. The diagonal is where the target equals the filing date: a mark left of
it was already due when the filing spoke. The calendar's overdue marks and today's
date are drawn too.

Hand-written SVG (no plotting dependency): a few dozen elements, readable in a browser,
in GitHub's README view and by rsvg. Pure: ledger entries in, text out.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any
from xml.sax.saxutils import escape

from tracker.calendar.schedule import Track, tracks
from tracker.milestones.dates import key_span

WIDTH = 960
LEFT, RIGHT, TOP = 118, 40, 96
ROW_MIN = 34  # pixels per filing row at least
PLOT_MIN_H = 300
TODAY_REACH = timedelta(days=400)
COLORS = ("#1f6fb2", "#7b3fa0", "#0f8a7e", "#b5651d", "#5a6b1f", "#a0306b", "#3f51b5")
RISK = "#e08a00"
SLIP = "#d12f2f"
NEUTRAL = "#59636e"
FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'"


@dataclass(frozen=True)
class _Mark:
    filed: date
    start: date
    end: date
    status: str
    target: str


def _marks(track: Track) -> list[_Mark]:
    out: list[_Mark] = []
    for e in track.statements:
        span = key_span(str(e.get("target_key") or ""))
        filed = _day(str(e.get("filed", "")))
        if span is None or filed is None:
            continue
        mark = _Mark(filed, span[0], span[1], str(e.get("status", "")), str(e.get("target", "")))
        if out and out[-1].filed == mark.filed and out[-1].end == mark.end:
            out[-1] = mark  # the same day's echo (a prospectus repeating the 8-K)
            continue
        out.append(mark)
    return out


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def _add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, 1)


def _ticks(lo: date, hi: date) -> list[date]:
    months = (hi.year - lo.year) * 12 + hi.month - lo.month + 1
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60) if months / s <= 12)
    first = _month_start(lo)
    while (first.month - 1) % step:
        first = _add_months(first, 1)
    out = []
    tick = first if first >= lo else _add_months(first, step)
    while tick <= hi:
        out.append(tick)
        tick = _add_months(tick, step)
    return out


def _label(d: date, with_year: bool) -> str:
    return (
        f"{_calendar.month_abbr[d.month]} {d.year}" if with_year else _calendar.month_abbr[d.month]
    )


def _esc(text: str) -> str:
    return escape(text, {'"': "&quot;", "'": "&apos;"})


def slip_chart(company: str, entries: Sequence[dict[str, Any]], today: date | None = None) -> str:
    """The SVG text of the company's slip chart (a short note when nothing has a date)."""
    lanes = [(t, _marks(t)) for t in tracks(entries)]
    lanes = [(t, m) for t, m in lanes if m]
    overdue = [
        (t, _day(str(o.get("filed", ""))), _day(str(o.get("due", ""))))
        for t, _ in lanes
        for o in t.overdue
    ]
    filed_days = sorted({m.filed for _, ms in lanes for m in ms} | {r for _, r, _ in overdue if r})
    if not lanes:
        return _empty(company)
    if today is not None and not filed_days[0] <= today <= filed_days[-1] + TODAY_REACH:
        today = None  # a history long closed (Biopure in 2026) is drawn without "today"
    if today is not None:
        filed_days = sorted(set(filed_days) | {today})
    y_lo, y_hi = filed_days[0], filed_days[-1]
    x_values = [d for _, ms in lanes for m in ms for d in (m.start, m.end)]
    x_values += [y_lo, y_hi]
    x_lo = _month_start(min(x_values))
    x_hi = _add_months(_month_start(max(x_values)), 1) - timedelta(days=1)
    x_lo, x_hi = x_lo - timedelta(days=10), x_hi + timedelta(days=10)
    span_y = max(1, (y_hi - y_lo).days)
    plot_h = max(PLOT_MIN_H, ROW_MIN * (len(filed_days) + 1))
    plot_w = WIDTH - LEFT - RIGHT
    legend_rows = len(lanes) + 3
    height = TOP + plot_h + 62 + 22 * legend_rows + 16

    def x(d: date) -> float:
        return LEFT + plot_w * (d - x_lo).days / max(1, (x_hi - x_lo).days)

    pad = plot_h * 0.08

    def y(d: date) -> float:
        return TOP + pad + (plot_h - 2 * pad) * (d - y_lo).days / span_y

    out: list[str] = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height:.0f}' "
        f"viewBox='0 0 {WIDTH} {height:.0f}' {FONT} font-size='13'>",
        f"<rect width='{WIDTH}' height='{height:.0f}' fill='#ffffff'/>",
        f"<text x='{LEFT}' y='34' font-size='20' font-weight='bold' fill='#1a1a1a'>"
        f"{_esc(company)}: milestone slip chart</text>",
        f"<text x='{LEFT}' y='58' fill='#444'>Each row is a filing; each mark is the target "
        "date it stated. Marks moving right from row to row: the target slipped.</text>",
    ]
    bottom = TOP + plot_h
    out.append(
        f"<rect x='{LEFT}' y='{TOP}' width='{plot_w}' height='{plot_h}' fill='#fafbfc' "
        "stroke='#c8ccd0'/>"
    )
    ticks = _ticks(x_lo, x_hi)
    for i, t in enumerate(ticks):
        tx = x(t)
        with_year = i == 0 or t.month == 1 or ticks[i - 1].year != t.year
        out.append(f"<line x1='{tx:.1f}' y1='{TOP}' x2='{tx:.1f}' y2='{bottom}' stroke='#e3e6e9'/>")
        out.append(
            f"<text x='{tx:.1f}' y='{bottom + 18}' text-anchor='middle' fill='#333'>"
            f"{_label(t, with_year)}</text>"
        )
    out.append(
        f"<text x='{LEFT + plot_w / 2:.0f}' y='{bottom + 40}' text-anchor='middle' "
        "font-weight='bold' fill='#222'>stated target date →  (right = later)</text>"
    )
    last_label = -100.0
    said_days = {m.filed for _, ms in lanes for m in ms} | {r for _, r, _ in overdue if r}
    for d in filed_days:
        is_today = today is not None and d == today
        yy = y(d)
        if is_today:  # labelled inside the plot, so it never crowds a filing's date
            out.append(
                f"<line x1='{LEFT}' y1='{yy:.1f}' x2='{LEFT + plot_w}' y2='{yy:.1f}' "
                "stroke='#9aa5b1' stroke-dasharray='6 4'/>"
            )
            out.append(
                f"<text x='{LEFT + 6}' y='{yy - 5:.1f}' fill='#59636e' font-size='12'>"
                f"today ({d.isoformat()})</text>"
            )
            if d not in said_days:
                continue
        label_y = max(yy, last_label + 15)  # rows a few days apart: labels must not overlap
        last_label = label_y
        if not is_today:
            out.append(
                f"<line x1='{LEFT}' y1='{yy:.1f}' x2='{LEFT + plot_w}' y2='{yy:.1f}' "
                "stroke='#e3e6e9'/>"
            )
        out.append(
            f"<text x='{LEFT - 8}' y='{label_y + 4:.1f}' text-anchor='end' fill='#333'>"
            f"{d.isoformat()}</text>"
        )
    out.append(
        f"<text transform='translate(22 {TOP + plot_h / 2:.0f}) rotate(-90)' "
        "text-anchor='middle' font-weight='bold' fill='#222'>filing date ↓ (when it was said)"
        "</text>"
    )
    # The diagonal: target = filing date. Left of it, the date had already come.
    d0, d1 = max(x_lo, y_lo), min(x_hi, y_hi)
    if d0 < d1:
        out.append(
            f"<line x1='{x(d0):.1f}' y1='{y(d0):.1f}' x2='{x(d1):.1f}' y2='{y(d1):.1f}' "
            "stroke='#b0b7bf' stroke-width='1.5' stroke-dasharray='2 4'/>"
        )
    for i, (_, ms) in enumerate(lanes):
        color = COLORS[i % len(COLORS)]
        for a, b in pairwise(ms):
            slipped = b.end > a.end
            out.append(
                f"<line x1='{x(a.end):.1f}' y1='{y(a.filed):.1f}' x2='{x(b.end):.1f}' "
                f"y2='{y(b.filed):.1f}' stroke='{SLIP if slipped else color}' "
                f"stroke-width='{3 if slipped else 2}'/>"
            )
            if slipped:
                days = (b.end - a.end).days
                out.append(
                    f"<text x='{(x(a.end) + x(b.end)) / 2 + 8:.1f}' "
                    f"y='{(y(a.filed) + y(b.filed)) / 2:.1f}' fill='{SLIP}' font-weight='bold'>"
                    f"slip +{days} days</text>"
                )
        for m in ms:
            out += _mark(m, x, y, color)
    out += _target_labels(lanes, x, y, LEFT, LEFT + plot_w)
    for track, raised, due in overdue:
        if raised is None or due is None:
            continue
        cx, cy = x(due), y(raised)
        said = next((ms for t, ms in lanes if t is track), [])
        before = [m for m in said if m.filed <= raised]
        if before:  # the promise, carried down to the day it was found broken
            out.append(
                f"<line x1='{x(before[-1].end):.1f}' y1='{y(before[-1].filed) + 9:.1f}' "
                f"x2='{cx:.1f}' y2='{cy - 9:.1f}' stroke='{SLIP}' stroke-width='2' "
                "stroke-dasharray='5 4'/>"
            )
        out.append(_cross(cx, cy, 8))
        right = cx < LEFT + plot_w * 0.6
        out.append(
            f"<text x='{cx + (14 if right else -14):.1f}' y='{cy + 4:.1f}' fill='{SLIP}' "
            f"font-weight='bold' text-anchor='{'start' if right else 'end'}'>"
            f"overdue: due {due.isoformat()}, no news by {raised.isoformat()}</text>"
        )
    out += _legend(lanes, TOP + plot_h + 62)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _target_labels(
    lanes: list[tuple[Track, list[_Mark]]], x: Any, y: Any, lo: float, hi: float
) -> list[str]:
    """The words each filing used ("by June 30, 2004") beside its mark, where they fit:
    left of the mark's range, else right of it, else left out (the legend still says)."""
    taken: dict[date, list[tuple[float, float]]] = {}
    for _, ms in lanes:
        for m in ms:
            taken.setdefault(m.filed, []).append((x(m.start) - 10, x(m.end) + 10))
    out = []
    for i, (_, ms) in enumerate(lanes):
        color = COLORS[i % len(COLORS)]
        for m in ms:
            if not m.target:
                continue
            width = 6.6 * len(m.target)
            row = taken[m.filed]
            for x0, anchor in ((x(m.start) - 12 - width, "end"), (x(m.end) + 12, "start")):
                x1 = x0 + width
                if x0 < lo + 4 or x1 > hi - 4:
                    continue
                if any(a < x1 and x0 < b for a, b in row):
                    continue
                row.append((x0, x1))
                tx = x1 if anchor == "end" else x0
                out.append(
                    f"<text x='{tx:.1f}' y='{y(m.filed) + 4:.1f}' text-anchor='{anchor}' "
                    f"font-size='12' fill='{color}'>{_esc(m.target)}</text>"
                )
                break
    return out


def _short_label(track: Track) -> str:
    return track.label.replace("FDA complete response letter", "CRL")


def _mark(m: _Mark, x: Any, y: Any, color: str) -> list[str]:
    fill = color  # the milestone's colour; the shape tells the status
    cy = y(m.filed)
    out = []
    if m.start < m.end:  # the range the words allow ("June 2004": June 1 to 30)
        out.append(
            f"<rect x='{x(m.start):.1f}' y='{cy - 5:.1f}' "
            f"width='{max(2.0, x(m.end) - x(m.start)):.1f}' "
            f"height='10' rx='3' fill='{fill}' fill-opacity='0.22' stroke='{fill}' "
            "stroke-opacity='0.6'/>"
        )
    cx = x(m.end)
    if m.status in ("at_risk", "delayed"):
        out.append(
            f"<polygon points='{cx:.1f},{cy - 9:.1f} {cx + 9:.1f},{cy + 7:.1f} "
            f"{cx - 9:.1f},{cy + 7:.1f}' fill='{fill}' stroke='{RISK}' stroke-width='2.5'/>"
        )
    elif m.status == "achieved":
        out.append(
            f"<polygon points='{cx:.1f},{cy - 8:.1f} {cx + 8:.1f},{cy:.1f} {cx:.1f},{cy + 8:.1f} "
            f"{cx - 8:.1f},{cy:.1f}' fill='{fill}' stroke='#fff'/>"
        )
    elif m.status == "abandoned":
        out.append(
            f"<rect x='{cx - 6:.1f}' y='{cy - 6:.1f}' width='12' height='12' fill='{fill}'/>"
        )
    else:
        out.append(f"<circle cx='{cx:.1f}' cy='{cy:.1f}' r='6' fill='{fill}' stroke='#fff'/>")
    return out


def _legend(lanes: list[tuple[Track, list[_Mark]]], top: float) -> list[str]:
    """Milestones by colour, one per line; then the marks, wrapped to the width."""
    out = []
    yy = top
    for i, (track, _) in enumerate(lanes):
        color = COLORS[i % len(COLORS)]
        out.append(
            f"<line x1='{LEFT}' y1='{yy:.0f}' x2='{LEFT + 26}' y2='{yy:.0f}' stroke='{color}' "
            "stroke-width='4'/>"
        )
        out.append(f"<text x='{LEFT + 34}' y='{yy + 4:.0f}' fill='#222'>{_esc(track.label)}</text>")
        yy += 22
    items = [
        ("circle", "planned"),
        ("triangle", "at risk / delayed"),
        ("diamond", "done (when it happened)"),
        ("square", "dropped"),
        ("bar", "the range the words allow"),
        ("slip", "slip: target moved later"),
        ("cross", "overdue: passed, no news"),
    ]
    xx = float(LEFT)
    yy += 8
    for shape, text in items:
        need = 22 + 7.0 * len(text) + 22
        if xx + need > WIDTH - RIGHT:
            xx, yy = float(LEFT), yy + 22
        out.append(_legend_shape(shape, xx, yy))
        out.append(f"<text x='{xx + 22:.0f}' y='{yy + 4:.0f}' fill='#333'>{text}</text>")
        xx += need
    out.append(
        f"<text x='{LEFT}' y='{yy + 28:.0f}' fill='#666' font-size='12'>Dotted diagonal: target "
        "= filing date (a mark left of it was already due). Source: the company's SEC "
        "filings, as tracked.</text>"
    )
    return out


def _legend_shape(shape: str, xx: float, yy: float) -> str:
    c = NEUTRAL
    if shape == "circle":
        return f"<circle cx='{xx + 6:.0f}' cy='{yy:.0f}' r='6' fill='{c}'/>"
    if shape == "triangle":
        return (
            f"<polygon points='{xx + 6:.0f},{yy - 7:.0f} {xx + 14:.0f},{yy + 6:.0f} "
            f"{xx - 2:.0f},{yy + 6:.0f}' fill='{c}' stroke='{RISK}' stroke-width='2.5'/>"
        )
    if shape == "diamond":
        return (
            f"<polygon points='{xx + 6:.0f},{yy - 7:.0f} {xx + 13:.0f},{yy:.0f} "
            f"{xx + 6:.0f},{yy + 7:.0f} {xx - 1:.0f},{yy:.0f}' fill='{c}'/>"
        )
    if shape == "square":
        return f"<rect x='{xx:.0f}' y='{yy - 6:.0f}' width='12' height='12' fill='{c}'/>"
    if shape == "bar":
        return (
            f"<rect x='{xx - 2:.0f}' y='{yy - 5:.0f}' width='18' height='10' rx='3' "
            f"fill='{c}' fill-opacity='0.22' stroke='{c}' stroke-opacity='0.6'/>"
        )
    if shape == "slip":
        return (
            f"<line x1='{xx - 2:.0f}' y1='{yy + 6:.0f}' x2='{xx + 16:.0f}' y2='{yy - 6:.0f}' "
            f"stroke='{SLIP}' stroke-width='3'/>"
        )
    return _cross(xx + 6, yy, 6)


def _cross(cx: float, cy: float, r: float) -> str:
    return (
        f"<g stroke='{SLIP}' stroke-width='3'><line x1='{cx - r:.1f}' y1='{cy - r:.1f}' "
        f"x2='{cx + r:.1f}' y2='{cy + r:.1f}'/><line x1='{cx - r:.1f}' y1='{cy + r:.1f}' "
        f"x2='{cx + r:.1f}' y2='{cy - r:.1f}'/></g>"
    )


def _empty(company: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='640' height='120' {FONT}>"
        "<rect width='640' height='120' fill='#fff'/>"
        f"<text x='20' y='40' font-size='18' font-weight='bold'>{_esc(company)}: "
        "milestone slip chart</text>"
        "<text x='20' y='76' fill='#444'>No milestone with a stated target date "
        "tracked yet.</text></svg>\n"
    )
