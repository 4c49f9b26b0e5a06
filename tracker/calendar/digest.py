"""The weekly digest, one per channel: the week in alerts, what changed, what is due.

For each channel: the filings alerted there in the seven days ending today, grouped by
company and category; the ledger changes those alerts carried (slips, approvals...);
milestones found overdue that week; and the milestones of the channel's companies due
in the next 30 days. "The week" is read by filing date against the calendar's clock,
so a replay (--today) digests the replayed week.

`tracker digest --print` and `--post` build it now; the daemon queues it on the
`[digest] schedule` through the outbox (one per channel and day, so a restart never
posts it twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.calendar.schedule import tracks
from tracker.calendar.upcoming import build_calendar
from tracker.config import Config
from tracker.models import Alert, Company, Notice
from tracker.notify.codec import alert_to_dict
from tracker.notify.message import CHANGE_WORDS
from tracker.notify.routing import channels_for
from tracker.state import OutboxRow, State

EVENT_TYPE = "weekly_digest"
DUE_DAYS = 30
LATER_DAYS = 365  # "further out": the next deadlines beyond the 30 days, up to a year
MAX_LATER = 5
CATEGORY_WORDS = {
    "fda": "FDA",
    "financing": "Financing",
    "workforce": "Workforce",
    "results": "Results",
    "leadership": "Leadership",
    "legal": "Legal",
}


@dataclass
class _Company:
    """What the week holds for one company in one channel."""

    label: str
    filings: dict[str, list[str]] = field(default_factory=dict)  # category -> "8-K Feb 19"
    changes: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    alerted: set[str] = field(default_factory=set)  # the week's filings, one per accession


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _short(day: date) -> str:
    return f"{day:%b} {day.day}"


def _long(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _channels(config: Config, company: Company) -> list[str]:
    return channels_for(config, company, ("fda",))


def digest_notices(config: Config, state: State, today: date) -> dict[str, Notice]:
    """The digest of each channel that has something to say, by channel."""
    start = today - timedelta(days=6)
    week: dict[str, dict[int, _Company]] = {}
    labels = {c.cik: c.label for c in config.companies}

    def slot(channel: str, cik: int, name: str) -> _Company:
        return week.setdefault(channel, {}).setdefault(cik, _Company(labels.get(cik, name)))

    seen_changes: set[tuple[str, int, str]] = set()
    for row in state.alerts():
        alert = row.alert
        if alert.get("notice") or alert.get("test"):
            continue
        filed = _day(str(alert.get("filed", "")))
        if filed is None or not start <= filed <= today:
            continue
        channel = row.channel
        entry = slot(channel, row.cik, str(alert.get("company", "")))
        entry.alerted.add(str(alert.get("accession") or row.accession))
        for cat in alert.get("categories") or ["other"]:
            entry.filings.setdefault(cat, []).append(f"{alert.get('form', '')} {_short(filed)}")
        for change in alert.get("changes", ()):
            text = f"{CHANGE_WORDS.get(change['change'], change['change'])}: {change['summary']}"
            key = (channel, row.cik, text)
            if key not in seen_changes:
                seen_changes.add(key)
                entry.changes.append(text)
    for company in config.companies:
        for track in tracks(state.ledger(company.cik)):
            for mark in track.overdue:
                raised = _day(str(mark.get("filed", "")))
                if raised is None or not start <= raised <= today:
                    continue
                due = _day(str(mark.get("due", "")))
                text = f"{track.label}: was due {_long(due) if due else mark.get('due')}"
                for channel in _channels(config, company):
                    slot(channel, company.cik, company.label).overdue.append(text)
    cal = build_calendar(config, state, today, LATER_DAYS)
    soon = today + timedelta(days=DUE_DAYS)
    due_by_channel: dict[str, list[str]] = {}
    later_by_channel: dict[str, list[str]] = {}
    for item in cal.due:
        owner = config.company(item.cik)
        if owner is None:
            continue
        left = (item.due - today).days
        moved = f", moved {item.moves}x" if item.moves else ""
        text = (
            f"{_long(item.due)} ({left} days): {item.company}, {item.milestone} — "
            f"{item.status.replace('_', ' ')}, {item.target}{moved}"
        )
        for channel in _channels(config, owner):
            target = due_by_channel if item.due <= soon else later_by_channel
            target.setdefault(channel, []).append(text)
    still_overdue: dict[str, list[str]] = {}
    for item in cal.overdue:
        owner = config.company(item.cik)
        if owner is None:
            continue
        for channel in _channels(config, owner):
            still_overdue.setdefault(channel, []).append(
                f"{item.company}, {item.milestone}: was due {_long(item.due)}, no news since"
            )
    out = {}
    for channel in sorted(
        set(week) | set(due_by_channel) | set(still_overdue) | set(later_by_channel)
    ):
        out[channel] = _notice(
            channel,
            today,
            start,
            week.get(channel, {}),
            due_by_channel.get(channel, []),
            still_overdue.get(channel, []),
            later_by_channel.get(channel, [])[:MAX_LATER],
        )
    return out


def _category_order(category: str) -> int:
    order = list(CATEGORY_WORDS)
    return order.index(category) if category in order else len(order)


def _notice(
    channel: str,
    today: date,
    start: date,
    companies: dict[int, _Company],
    due: list[str],
    overdue: list[str],
    later: list[str],
) -> Notice:
    lines: list[str] = []
    # Filings, not category lines: one 8-K in four categories is one alert, not four.
    alerts = sum(len(c.alerted) for c in companies.values())
    if companies:
        lines.append(f"This week ({_short(start)} to {_long(today)}):")
        lines.append("")
        for entry in sorted(companies.values(), key=lambda c: c.label):
            lines.append(f"# {entry.label}")
            # Categories with the same filings share a line: "FDA, Financing: 8-K Feb 19".
            by_filings: dict[tuple[str, ...], list[str]] = {}
            for cat in sorted(entry.filings, key=_category_order):
                forms = tuple(dict.fromkeys(entry.filings[cat]))
                by_filings.setdefault(forms, []).append(CATEGORY_WORDS.get(cat, cat))
            for forms, cats in by_filings.items():
                lines.append(f"- {', '.join(cats)}: {', '.join(forms)}")
            for change in entry.changes:
                lines.append(f"- Ledger: {change}")
            for item in entry.overdue:
                lines.append(f"- Overdue: {item}")
            lines.append("")
    else:
        lines += [f"No alerts this week ({_short(start)} to {_long(today)}).", ""]
    lines.append(f"Due in the next {DUE_DAYS} days:")
    lines += [f"- {d}" for d in due] or ["- nothing with a stated date"]
    if later:
        lines += ["", "Further out:"]
        lines += [f"- {d}" for d in later]
    if overdue:
        lines += ["", "Past due, no news since:"]
        lines += [f"- {d}" for d in overdue]
    names = sorted(c.label for c in companies.values())
    title = f"Weekly digest for {channel} · week to {_long(today)}"
    fallback = f"Weekly digest: {alerts} {'alert' if alerts == 1 else 'alerts'}" + (
        f" ({', '.join(names)})" if names else ""
    )
    if due:
        fallback += f"; next due: {due[0]}"
    return Notice(
        event_type=EVENT_TYPE,
        payload={"channel": channel, "week_ending": today.isoformat()},
        title=title,
        lines=tuple(lines),
        fallback=fallback,
    )


def digest_alerts(config: Config, state: State, today: date) -> list[Alert]:
    """The digests as alerts a sink can post (one per channel)."""
    return [
        Alert(
            alert_id=f"{EVENT_TYPE}:{today.isoformat()}:{channel}",
            accession=f"{EVENT_TYPE}:{today.isoformat()}",
            cik=0,
            company="",
            ticker=None,
            form="weekly digest",
            filed="",
            categories=(),
            evidence={},
            facts=(),
            index_url="",
            document_url="",
            channel=channel,
            notice=notice,
        )
        for channel, notice in digest_notices(config, state, today).items()
    ]


def queue_digests(config: Config, state: State, today: date) -> int:
    """Put this week's digests in the outbox (once per channel and day); returns how many."""
    alerts = digest_alerts(config, state, today)
    return state.enqueue(
        [OutboxRow(a.alert_id, a.accession, a.cik, a.channel, alert_to_dict(a)) for a in alerts]
    )
