"""`tracker upcoming`: the open milestones of watched companies in a date window.

What is due soon, soonest first, each with the sentence and filing that set the date and
how often it moved; milestones whose date already passed with no news are listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from tracker.calendar.schedule import Upcoming, in_window, open_milestones, past_due
from tracker.config import Config
from tracker.models import Company
from tracker.state import State

STATUS_WORDS = {"planned": "planned", "at_risk": "at risk", "delayed": "delayed"}


@dataclass(frozen=True)
class Calendar:
    """What `upcoming` shows: the window and the milestones past due."""

    today: date
    days: int
    due: list[Upcoming]
    overdue: list[Upcoming]

    def to_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "days": self.days,
            "until": (self.today + timedelta(days=self.days)).isoformat(),
            "milestones": [r.to_json() for r in self.due],
            "overdue": [r.to_json() for r in self.overdue],
        }


def company_milestones(config: Config, state: State, company: Company) -> list[Upcoming]:
    """A watched company's open milestones with dates, read from its ledger."""
    return open_milestones(
        company.cik, company.label, state.ledger(company.cik), config.edgar.base_url
    )


def build_calendar(
    config: Config,
    state: State,
    today: date,
    days: int = 90,
    companies: tuple[Company, ...] | None = None,
) -> Calendar:
    """The window [today, today + days] and what is past due, across `companies`."""
    rows: list[Upcoming] = []
    for company in config.companies if companies is None else companies:
        rows += company_milestones(config, state, company)
    grace = config.calendar.grace_days
    overdue = [
        replace(r, overdue_since=r.due + timedelta(days=grace + 1)) for r in past_due(rows, today)
    ]
    return Calendar(today, days, in_window(rows, today, days), overdue)


def _when(row: Upcoming) -> str:
    if row.start == row.due:
        return f"{row.due:%b} {row.due.day}, {row.due.year}"
    return f"{row.start.isoformat()} to {row.due.isoformat()}"


def _row_lines(row: Upcoming, today: date) -> list[str]:
    left = (row.due - today).days
    moved = {0: "never moved", 1: "moved once"}.get(row.moves, f"moved {row.moves} times")
    head = (
        f"  {row.due.isoformat()}  {row.company}: {row.milestone}, "
        f"{STATUS_WORDS.get(row.status, row.status)} — {row.target}"
    )
    lines = [head]
    if left >= 0:
        lines.append(f"              due {_when(row)}, in {left} days; target {moved}")
    else:
        lines.append(f"              was due {_when(row)}, {-left} days ago; target {moved}")
    if row.sentence:
        quote = row.sentence if len(row.sentence) <= 200 else row.sentence[:199] + "…"
        lines.append(f'              "{quote}"')
    lines.append(f"              said in the filing of {row.filed}: {row.url}")
    return lines


def render_calendar(cal: Calendar) -> str:
    until = cal.today + timedelta(days=cal.days)
    lines = [f"Milestones due from {cal.today.isoformat()} to {until.isoformat()}:"]
    if not cal.due:
        lines.append("  (none with a target date in this window)")
    for row in cal.due:
        lines += _row_lines(row, cal.today)
    if cal.overdue:
        lines.append("")
        lines.append("Past due with no news since (no filing said done, moved or dropped):")
        for row in cal.overdue:
            lines += _row_lines(row, cal.today)
    return "\n".join(lines)
