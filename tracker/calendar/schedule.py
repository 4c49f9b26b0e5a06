"""Milestones as a calendar: one track per milestone, its open target, and the window.

A company's ledger holds every statement in filing order. For the calendar what counts
is each milestone's latest word: a track follows one (product, kind) through renames,
carries the last stated date over statements that give none (as the ledger's diff
does), counts how often the target moved, and remembers the overdue alerts raised for
it (ledger entries of type "overdue", written by tracker.calendar.overdue).

Pure functions over ledger entries; the caller reads the state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tracker.milestones import label_of
from tracker.milestones.dates import key_span, target_shift

OPEN_STATUSES = ("planned", "at_risk", "delayed")
# Only these are promises with a date that can pass; "delayed" is a slip already told.
UPCOMING_STATUSES = ("planned", "at_risk", "delayed")


@dataclass
class Track:
    """One milestone of one company over time."""

    product: str  # as last named (a renamed product shows its new name)
    kind: str
    statements: list[dict[str, Any]] = field(default_factory=list)  # ledger order
    overdue: list[dict[str, Any]] = field(default_factory=list)  # overdue entries raised
    moves: int = 0  # how often a stated target range moved (later or earlier)
    slips: int = 0  # of those, how often later
    _last_key: str = ""
    _last_target: str = ""

    @property
    def label(self) -> str:
        base = label_of(self.kind)
        return f"{base} ({self.product})" if self.product else base

    @property
    def latest(self) -> dict[str, Any]:
        return self.statements[-1]

    @property
    def status(self) -> str:
        return str(self.latest.get("status", ""))

    @property
    def target(self) -> str:
        """The last date said for the milestone (a later dateless statement keeps it)."""
        return self._last_target

    @property
    def target_key(self) -> str:
        return self._last_key

    @property
    def source(self) -> dict[str, Any]:
        """The statement that set the current target (its sentence and filing): the first
        of the latest run saying this date with this status, not a same-day echo of it
        (a prospectus repeating that morning's press release)."""
        found: dict[str, Any] | None = None
        run_status = None
        for entry in reversed(self.statements):
            if not entry.get("target_key"):
                continue  # "plans to submit" without a date keeps the last date said
            if entry.get("target_key") != self._last_key:
                break
            if run_status is None:
                run_status = entry.get("status")
            elif entry.get("status") != run_status:
                break
            found = entry
        return found or self.latest

    @property
    def span(self) -> tuple[date, date] | None:
        return key_span(self._last_key) if self._last_key else None

    @property
    def due(self) -> date | None:
        """The end of the target range: "June 2004" and "by June 30, 2004" are due June 30."""
        span = self.span
        return span[1] if span else None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES and self.due is not None

    def raised(self, due: date) -> bool:
        return any(o.get("due") == due.isoformat() for o in self.overdue)

    def add(self, entry: dict[str, Any]) -> None:
        key = str(entry.get("target_key") or "")
        if key and self._last_key and target_shift(self._last_key, key) in ("later", "earlier"):
            self.moves += 1
            self.slips += target_shift(self._last_key, key) == "later"
        if key:
            self._last_key, self._last_target = key, str(entry.get("target") or "")
        elif entry.get("status") not in OPEN_STATUSES:
            # Done or dropped without a date: the old target no longer stands.
            self._last_key, self._last_target = "", ""
        if entry.get("product"):
            self.product = str(entry["product"])
        self.statements.append(entry)


def _canonical(name: str, renames: dict[str, str]) -> str:
    seen: set[str] = set()
    name = name.lower()
    while name in renames and name not in seen:
        seen.add(name)
        name = renames[name]
    return name


def tracks(entries: Sequence[dict[str, Any]]) -> list[Track]:
    """The company's milestones, each with its statements in filing order.

    Renames are followed both ways in time: an entry under an old name and one under
    the new name are one track, whichever came first.
    """
    renames = {
        str(e["old"]).lower(): str(e["new"]).lower() for e in entries if e.get("type") == "alias"
    }
    by_key: dict[tuple[str, str], Track] = {}
    indexed = list(enumerate(entries))
    ordered = sorted(indexed, key=lambda ie: (str(ie[1].get("filed", "")), ie[0]))
    for _, entry in ordered:
        kind = entry.get("kind")
        if entry.get("type") not in ("milestone", "overdue") or not kind:
            continue
        key = (_canonical(str(entry.get("product", "")), renames), str(kind))
        track = by_key.get(key)
        if entry["type"] == "overdue":
            if track is not None:
                track.overdue.append(entry)
            continue
        if track is None:
            track = by_key[key] = Track(product=str(entry.get("product", "")), kind=str(kind))
        track.add(entry)
    return list(by_key.values())


@dataclass(frozen=True)
class Upcoming:
    """One open milestone with a date, as `tracker upcoming` and the digest show it."""

    cik: int
    company: str
    product: str
    kind: str
    milestone: str  # "reply to FDA complete response letter (Hemopure)"
    status: str
    target: str  # as stated: "by June 30, 2004"
    start: date
    due: date
    sentence: str
    accession: str
    filed: str
    url: str  # the filing index that said so
    moves: int
    slips: int
    overdue_since: date | None = None  # set when the due date (plus grace) has passed

    def to_json(self) -> dict[str, Any]:
        return {
            "cik": self.cik,
            "company": self.company,
            "product": self.product,
            "kind": self.kind,
            "milestone": self.milestone,
            "status": self.status,
            "target": self.target,
            "target_range": [self.start.isoformat(), self.due.isoformat()],
            "due": self.due.isoformat(),
            "sentence": self.sentence,
            "accession": self.accession,
            "filed": self.filed,
            "url": self.url,
            "moves": self.moves,
            "slips": self.slips,
            "overdue_since": self.overdue_since.isoformat() if self.overdue_since else None,
        }


def filing_index_url(base_url: str, cik: int, accession: str) -> str:
    """EDGAR's index page of a filing, where people click through to the source."""
    folder = f"/Archives/edgar/data/{cik}/{accession.replace('-', '')}"
    return f"{base_url.rstrip('/')}{folder}/{accession}-index.htm"


def open_milestones(
    cik: int, company: str, entries: Sequence[dict[str, Any]], base_url: str
) -> list[Upcoming]:
    """Every open milestone with a target date (planned, at risk or delayed), any date."""
    out = []
    for track in tracks(entries):
        span = track.span
        if not track.is_open or span is None:
            continue
        src = track.source
        accession = str(src.get("accession", ""))
        out.append(
            Upcoming(
                cik=cik,
                company=company,
                product=track.product,
                kind=track.kind,
                milestone=track.label,
                status=track.status,
                target=track.target,
                start=span[0],
                due=span[1],
                sentence=str(src.get("sentence", "")),
                accession=accession,
                filed=str(src.get("filed", "")),
                url=filing_index_url(base_url, cik, accession) if accession else "",
                moves=track.moves,
                slips=track.slips,
            )
        )
    return out


def in_window(rows: Iterable[Upcoming], today: date, days: int) -> list[Upcoming]:
    """Rows whose target range meets [today, today + days], soonest due first."""
    last = today + timedelta(days=days)
    kept = [r for r in rows if r.due >= today and r.start <= last]
    return sorted(kept, key=lambda r: (r.due, r.start, r.company, r.milestone))


def past_due(rows: Iterable[Upcoming], today: date) -> list[Upcoming]:
    """Open rows whose whole target range is before today, oldest first."""
    return sorted((r for r in rows if r.due < today), key=lambda r: (r.due, r.company))
