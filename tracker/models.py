"""Plain frozen dataclasses that flow between the stages of a poll cycle.

Data in one line: Settings, Company -> Filing -> Document -> Classification -> Alert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from tracker.forms import form_skip_reason

CATEGORIES: tuple[str, ...] = ("fda", "financing", "workforce", "results", "leadership", "legal")


@dataclass(frozen=True)
class Company:
    """One watched company as the config describes it."""

    cik: int
    ticker: str | None = None
    name: str | None = None
    channel: str | None = None
    categories: tuple[str, ...] | None = None  # None: every category
    # None: every form but the routine ones (tracker.forms); ("*",): every form; else
    # prefixes ("8-K" covers 8-K/A)
    forms: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        return self.name or self.ticker or f"CIK {self.cik}"

    def wants_form(self, form: str) -> bool:
        """Alerted form? By default all but routine ownership and plan forms (tracker.forms)."""
        return form_skip_reason(form, self.forms) is None


@dataclass(frozen=True)
class Filing:
    """One EDGAR submission; the accession number is its identity everywhere."""

    accession: str  # "0001047469-04-004567"
    cik: int
    form: str  # "8-K", "424B5"
    filed: date | None
    items: tuple[str, ...] = ()  # "2.02", or legacy "12"
    index_url: str = ""  # the -index.htm page people click
    company_name: str = ""
    accepted: str = ""  # acceptance time as EDGAR printed it


def order_key(filed: str, accepted: str, accession: str) -> tuple[str, str, str]:
    """Where a filing stands in EDGAR's order (filing date, acceptance time, accession).

    Feeds list filings newest first by acceptance time; the filing date comes first
    because the filing dates of rows kept from older versions carry no acceptance time.
    The acceptance time is compared in UTC, so "-05:00" and "-04:00" times order right.
    """
    try:
        moment = datetime.fromisoformat(accepted.strip())
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        accepted = moment.strftime("%Y-%m-%dT%H:%M:%S")
    except ValueError:
        accepted = accepted.strip()
    return (filed or "", accepted, accession)


def filing_key(filing: Filing) -> tuple[str, str, str]:
    return order_key(
        filing.filed.isoformat() if filing.filed else "", filing.accepted, filing.accession
    )


@dataclass(frozen=True)
class Document:
    """One document of a filing, already turned into text."""

    name: str
    doc_type: str  # "8-K", "EX-99.1", or a guess from the file name
    url: str
    text: str


@dataclass(frozen=True)
class Fact:
    """A value read from a filing, with the words it came from."""

    kind: str
    value: str | int | float
    text: str

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "value": self.value, "text": self.text}


@dataclass(frozen=True)
class Classification:
    """What a filing is about, with the sentences that decided it."""

    categories: tuple[str, ...]
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    facts: tuple[Fact, ...] = ()
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class MilestoneChange:
    """One difference between a new filing and what the company said before."""

    change: str  # new, achieved, moved, at_risk, delayed, abandoned, runway_changed, ...
    subject: str  # "reply to FDA complete response letter (Hemopure)"
    summary: str  # the headline, ready to show
    before: str = ""
    after: str = ""
    sentence: str = ""


@dataclass(frozen=True)
class Notice:
    """A message that is not about one filing (an overdue milestone, a digest).

    Built by its producer as plain text; sinks escape and lay it out. `event_type` and
    `payload` become the Slack metadata, by which a post is also found again after a
    crash, as with filing alerts.
    """

    event_type: str  # "milestone_overdue", "weekly_digest"
    payload: dict[str, Any]
    title: str
    lines: tuple[str, ...]  # paragraphs, plain text
    links: tuple[tuple[str, str], ...] = ()  # (label, url)
    fallback: str = ""  # the notification line


@dataclass(frozen=True)
class Alert:
    """Everything a sink needs to tell people about one filing in one channel."""

    alert_id: str  # accession + channel: the idempotency key of the outbox
    accession: str
    cik: int
    company: str
    ticker: str | None
    form: str
    filed: str
    categories: tuple[str, ...]
    evidence: dict[str, tuple[str, ...]]
    facts: tuple[Fact, ...]
    index_url: str
    document_url: str  # the press release or primary document
    channel: str
    mentions: tuple[str, ...] = ()
    changes: tuple[MilestoneChange, ...] = ()
    thread_of: str | None = None  # accession of the alert this one follows up
    items: tuple[str, ...] = ()
    test: bool = False
    notice: Notice | None = None  # set for messages about no single filing
