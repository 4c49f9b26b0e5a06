"""Overdue milestones: a company's own deadline passed and no filing since said a word.

Checked once per poll cycle (the pipeline calls `check_overdue`). A milestone is overdue
when the end of its target range plus `[calendar] grace_days` is behind today and its
latest statement is still a plan (planned, at risk, delayed): no later filing reported
it done, moved or dropped. Then one alert goes to the company's channel, through the
outbox like filing alerts.

Exactly once, across restarts: the alert is queued first (the outbox ignores an id it
already holds), then an "overdue" entry is written into the company's ledger; the next
check finds the entry and queues nothing. The entry outlives the outbox's pruning, and
it is what `tracker timeline` shows as "overdue" until a later filing closes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tracker.calendar.schedule import Track, filing_index_url, tracks
from tracker.config import Config
from tracker.models import Alert, Company, Notice
from tracker.notify.codec import alert_to_dict
from tracker.notify.routing import channels_for
from tracker.state import OutboxRow, State

log = logging.getLogger(__name__)

EVENT_TYPE = "milestone_overdue"
# A deadline that passed this long before the check is recorded, not announced: a ledger
# carried over from months of running (or an upgrade) must not flood the channel.
STALE_DAYS = 90
MAX_FILINGS_LISTED = 5


@dataclass(frozen=True)
class Overdue:
    """One milestone found overdue: what, when, who said so, and what came since."""

    company: Company
    track: Track
    due: date
    source: dict[str, Any]  # the ledger statement that set the date
    since: list[dict[str, Any]]  # filings seen after it (accession, form, filed)
    source_form: str = ""


def find_overdue(
    config: Config, company: Company, entries: list[dict[str, Any]], today: date
) -> list[tuple[Track, date]]:
    """Open milestones of a ledger past due + grace, not yet raised."""
    grace = timedelta(days=config.calendar.grace_days)
    found = []
    for track in tracks(entries):
        due = track.due
        if not track.is_open or due is None or not track.product:
            continue  # productless statements make no alert in the ledger either
        if today <= due + grace or track.raised(due):
            continue
        filed = str(track.source.get("filed", ""))
        if filed and due.isoformat() < filed:
            continue  # a date already past when it was said is history, not a promise
        found.append((track, due))
    return found


@dataclass
class OverdueReport:
    queued: int = 0  # alerts put in the outbox
    waiting: set[int] = field(default_factory=set)  # CIKs to check again (a fetch pending)


def check_overdue(
    config: Config, state: State, today: date, only: set[int] | None = None
) -> OverdueReport:
    """Queue one alert per newly overdue milestone of the watched companies (or of the
    CIKs in `only`). Reads every ledger, so the pipeline calls it once a day, not once a
    cycle: a deadline passes at a date, and nothing within a day can make one pass."""
    report = OverdueReport()
    for company in config.companies:
        if only is not None and company.cik not in only:
            continue
        entries = state.ledger(company.cik)
        if not entries:
            continue
        found = find_overdue(config, company, entries, today)
        if not found:
            continue
        record = state.company(company.cik)
        if record.failures:
            # A filing that could not be read yet may be the one that reports it: wait
            # until it is read (or given up on) rather than call a deadline missed.
            log.info("%s: overdue check waits for filings still being fetched", company.label)
            report.waiting.add(company.cik)
            continue
        seen = [r.to_json() for r in record.seen.values()]
        marks = []
        for track, due in found:
            stale = (today - due).days > STALE_DAYS + config.calendar.grace_days
            src_acc = track.source.get("accession")
            form = next((str(r.get("form", "")) for r in seen if r.get("accession") == src_acc), "")
            item = Overdue(
                company, track, due, track.source, _filed_since(seen, track, today), form
            )
            if stale:
                log.info(
                    "%s: %s was due %s, long before this check; recorded, not announced",
                    company.label,
                    track.label,
                    due.isoformat(),
                )
            else:
                alerts = overdue_alerts(config, item, today)
                report.queued += state.enqueue(
                    [
                        OutboxRow(a.alert_id, a.accession, a.cik, a.channel, alert_to_dict(a))
                        for a in alerts
                    ]
                )
                log.info(
                    "%s: %s was due %s and no filing since reported it; alert queued",
                    company.label,
                    track.label,
                    due.isoformat(),
                )
            marks.append(
                {
                    "type": "overdue",
                    "product": track.product,
                    "kind": track.kind,
                    "due": due.isoformat(),
                    "target": track.target,
                    "source": str(track.source.get("accession", "")),
                    "filed": today.isoformat(),  # when it was found overdue, for the timeline
                    "accession": "",
                    "announced": not stale,
                }
            )
        # Written after the alerts are queued: a crash in between queues them again next
        # cycle, and the outbox drops the repeat by its id.
        state.save_ledger(company.cik, [*entries, *marks])
    return report


def _filed_since(seen: list[dict[str, Any]], track: Track, today: date) -> list[dict[str, Any]]:
    """Filings seen after the statement that set the date, oldest first. A same-day
    filing counts unless it restated the milestone (the 424B5 echoing the 8-K)."""
    after = str(track.source.get("filed", ""))
    stated = {str(s.get("accession", "")) for s in track.statements}
    rows = [
        r
        for r in seen
        if str(r.get("filed", "")) <= today.isoformat()
        and (
            str(r.get("filed", "")) > after
            or (
                str(r.get("filed", "")) == after
                and r.get("accession") not in stated
                and r.get("status") != "baseline"
            )
        )
    ]
    return sorted(rows, key=lambda r: (str(r.get("filed", "")), str(r.get("accession", ""))))


def alert_id(company: Company, track: Track, due: date, channel: str) -> str:
    return f"{EVENT_TYPE}:{company.cik}:{track.product.lower()}:{track.kind}:{due}:{channel}"


def overdue_alerts(config: Config, item: Overdue, today: date) -> list[Alert]:
    """The alert for each of the company's channels (its own, else its FDA route)."""
    company, track, due = item.company, item.track, item.due
    who = company.name or company.label
    label = track.label
    when = f"{due:%B} {due.day}, {due.year}"
    late = (today - due).days
    src = item.source
    src_acc = str(src.get("accession", ""))
    src_url = filing_index_url(config.edgar.base_url, company.cik, src_acc) if src_acc else ""
    stated = track.target or when
    status = {"planned": "planned", "at_risk": "at risk", "delayed": "delayed"}.get(
        track.status, track.status
    )
    said_in = (
        f"its {item.source_form} filed {src.get('filed', '')}"
        if item.source_form
        else f"its filing of {src.get('filed', '')}"
    )
    lines = [
        f"Due {stated} ({due.isoformat()}): {label}, {status} as of {src.get('filed', '')}.",
        f"{late} days later, no filing has reported it done, moved or dropped.",
        "",
        f"Who said so: {who}, in {said_in} ({src_acc}):",
        f"> {src.get('sentence', '')}",
        "",
    ]
    links = [("Filing that set the date", src_url)] if src_url else []
    if item.since:
        lines.append(f"Filed since {src.get('filed', '')}:")
        for row in item.since[:MAX_FILINGS_LISTED]:
            lines.append(f"- {row.get('form', '')} filed {row.get('filed', '')}")
            links.append(
                (
                    f"{row.get('form', '')} {row.get('filed', '')}",
                    filing_index_url(config.edgar.base_url, company.cik, str(row["accession"])),
                )
            )
        if len(item.since) > MAX_FILINGS_LISTED:
            lines.append(f"- and {len(item.since) - MAX_FILINGS_LISTED} more")
    else:
        lines.append(f"Filed since: nothing ({who} has filed nothing with the SEC since).")
    title = f"Overdue: {who}" + (f" ({company.ticker})" if company.ticker else "")
    title += f" · {label} · due {when}"
    payload = {
        "cik": company.cik,
        "product": track.product,
        "milestone": track.label.split(" (")[0],
        "due": due.isoformat(),
    }
    notice = Notice(
        event_type=EVENT_TYPE,
        payload=payload,
        title=title,
        lines=tuple(lines),
        links=tuple(links),
        fallback=f"Overdue: {who} {label} was due {stated}; no news since",
    )
    accession = f"{EVENT_TYPE}:{company.cik}:{track.product.lower()}:{track.kind}:{due}"
    return [
        Alert(
            alert_id=alert_id(company, track, due, channel),
            accession=accession,
            cik=company.cik,
            company=who,
            ticker=company.ticker,
            form="overdue milestone",
            filed="",
            categories=("fda",),
            evidence={},
            facts=(),
            index_url=src_url,
            document_url="",
            channel=channel,
            notice=notice,
        )
        for channel in channels_for(config, company, ("fda",))
    ]
