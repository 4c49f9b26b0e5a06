"""Which filings each watched company has that the tracker has not handled yet.

Discovery never skips a filing. EDGAR's feeds are paged (a company feed 40 entries a
page with `start=`, the latest-filings feed 100 a page), so after downtime or a burst
one page is not enough: each feed is read back page by page until it reaches a filing
already handled. When a feed ends before that (the gap is older than the feed
reaches), that is said loudly with the count, and what could be read is still alerted.

What counts as handled: an accession in the company's seen list, or anything at or
below the company's watermark (`State.record_filings` raises it to the newest filing
it forgets, and sets it at the baseline), so the seen list can be trimmed to any size
without an old filing ever counting as new again.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tracker.config import Config
from tracker.edgar.client import EdgarClient
from tracker.edgar.feeds import (
    company_feed_path,
    latest_feed_path,
    parse_company_feed,
    parse_latest_feed,
)
from tracker.errors import EdgarBlocked, FetchError
from tracker.models import Company, Filing, filing_key, order_key
from tracker.state import CompanyDoc, State

log = logging.getLogger(__name__)

COMPANY_PAGE = 40  # the contract's count; EDGAR's next link keeps it
# A safety stop, not a normal limit: 500 pages of 40 is 20,000 filings, more than any
# company files in years. Reaching it is reported like any other gap.
MAX_COMPANY_PAGES = 500
LATEST_PAGE = 100
# EDGAR's latest-filings feed answers start=0..5000 and 503 beyond (FORMATS.md section 2).
MAX_LATEST_PAGES = 60
# One feed page may take this many times the request timeout, retries included: a server
# that trickles a feed delays the cycle by that much at most, and is tried next cycle.
PAGE_BUDGET_TIMEOUTS = 2


@dataclass
class Known:
    """What a company's state says is already handled, for deciding what is new."""

    baselined: bool = False
    seen: frozenset[str] = frozenset()
    watermark: tuple[str, str, str] | None = None
    # Filings that failed and wait for a retry: the feed must be read back to them.
    pending: tuple[tuple[str, str, str], ...] = ()
    newest: tuple[str, str, str] | None = None  # the newest filing seen, for messages

    @classmethod
    def from_record(cls, record: CompanyDoc) -> Known:
        seen = record.seen
        pending = tuple(
            order_key(f.filed, f.accepted, f.accession)
            for acc, f in record.failures.items()
            if acc not in seen and f.filed
        )
        return cls(
            baselined=bool(record.baselined),
            seen=frozenset(seen),
            watermark=record.watermark,
            pending=pending,
            newest=max(
                (order_key(r.filed, r.accepted, r.accession) for r in seen.values()), default=None
            ),
        )

    def handled(self, filing: Filing) -> bool:
        if filing.accession in self.seen:
            return True
        return self.watermark is not None and filing_key(filing) <= self.watermark

    @property
    def has_history(self) -> bool:
        return bool(self.seen) or self.watermark is not None


def unseen(filings: Iterable[Filing], known: Known) -> list[Filing]:
    """The filings not handled yet, oldest first (the order they are processed in)."""
    return sorted((f for f in filings if not known.handled(f)), key=filing_key)


@dataclass
class Discovered:
    """One cycle's discovery: feed entries per company, and what went wrong."""

    found: list[tuple[Company, list[Filing]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Discovery:
    """Reads EDGAR's feeds for the watched companies, by the configured mode."""

    def __init__(
        self,
        config: Config,
        state: State,
        client: EdgarClient,
        *,
        clock: Callable[[], float],
    ):
        self.config = config
        self.state = state
        self.client = client
        self.clock = clock
        # The newest page of the latest-filings feed as last read: paging stops when it
        # is reached again. Kept in the state so a restart after downtime pages back too.
        self.latest_seen: set[str] = set(state.status().get("latest_watermark", []))
        # When the last cycle looked for due sweeps (clock time), kept in the state: a
        # `tracker poll` from cron is a new process each time and must sweep in turn too.
        last = state.status().get("last_sweep_check")
        self.last_sweep_check: float | None = float(last) if last is not None else None
        self._latest_digest = b""  # of the newest latest-filings page as last read
        # Baselines never go away, so remembering them keeps an idle latest-mode cycle
        # from reading every company's state file.
        self._baselined: set[int] = set()

    def use_config(self, config: Config) -> None:
        self.config = config

    def run(self) -> Discovered:
        """Feed entries per watched company; raises EdgarBlocked when SEC says stop."""
        out = Discovered()
        if self.config.mode == "latest":
            self._latest(out)
            return out
        for company in self.config.companies:
            filings = self.company_feed(company, out.errors)
            if filings is not None:
                out.found.append((company, filings))
        return out

    # -- a company's own feed ----------------------------------------------------------------

    def company_feed(self, company: Company, errors: list[str]) -> list[Filing] | None:
        """The company's feed read back to its last handled filing; None if unreadable.

        A page that fails after the first makes the whole read fail: alerting the newer
        pages alone would mark them seen, and the next cycle would stop there, losing
        the filings on the page that could not be read.
        """
        known = Known.from_record(self.state.company(company.cik))
        if known.baselined:
            self._baselined.add(company.cik)
        filings: list[Filing] = []
        reached = False
        page = 0
        more = True
        while more and page < MAX_COMPANY_PAGES:
            try:
                with self.client.budget(PAGE_BUDGET_TIMEOUTS * self.client.timeout):
                    resp = self.client.get(
                        company_feed_path(company.cik, start=page * COMPANY_PAGE)
                    )
                parsed = parse_company_feed(resp.content, company.cik)
            except EdgarBlocked:
                raise
            except FetchError as exc:
                where = f" (page {page + 1})" if page else ""
                log.warning(
                    "%s: feed not read%s: %s; trying again next cycle", company.label, where, exc
                )
                errors.append(f"{company.label}: feed{where}: {exc}")
                return None
            filings.extend(parsed.filings)
            page += 1
            more = parsed.has_next and bool(parsed.filings)
            if not known.baselined:
                # A baseline needs only what the backfill asks for; the rest is history.
                more = more and len(filings) <= self.config.edgar.backfill
                continue
            reached = reached or any(known.handled(f) for f in parsed.filings)
            if reached and _reaches(filings, known.pending):
                break
        if known.baselined and known.has_history and not reached:
            new = len(unseen(filings, known))
            why = f"after {MAX_COMPANY_PAGES} pages" if more else "before the last filing seen"
            log.error(
                "%s: %d new filings, and the feed ends %s: any filings between "
                "them and the last one seen (%s) cannot be read from EDGAR's feed and are "
                "not alerted; alerting the %d that can be read",
                company.label,
                new,
                why,
                _last_seen(known),
                new,
            )
            errors.append(
                f"{company.label}: backlog deeper than the feed; {new} new filings alerted, "
                "older ones may be missing"
            )
        return filings

    # -- the latest-filings feed -------------------------------------------------------------

    def _latest(self, out: Discovered) -> None:
        """Page the latest-filings feed back to what we saw last time.

        New companies, and companies whose slow completeness sweep is due, also read
        their own feed: it closes gaps after downtime and catches the submissions the
        latest-filings feed is known to drop.
        """
        watched = {c.cik: c for c in self.config.companies}
        by_company: dict[int, dict[str, Filing]] = {}
        reached_known = False
        failed = False
        newest_page: set[str] = set()
        for page in range(MAX_LATEST_PAGES):
            try:
                with self.client.budget(PAGE_BUDGET_TIMEOUTS * self.client.timeout):
                    resp = self.client.get(latest_feed_path(start=page * LATEST_PAGE))
                if page == 0:
                    digest = hashlib.blake2b(resp.content, digest_size=16).digest()
                    if digest == self._latest_digest and self.latest_seen:
                        # Byte for byte the page read last cycle: nothing new on it, and
                        # parsing a real 100-entry page costs more than the rest of an idle
                        # cycle at 5,000 companies. (SEC's feed sends no ETag to ask with.)
                        reached_known = True
                        break
                parsed = parse_latest_feed(resp.content)
                if page == 0:
                    self._latest_digest = digest
            except EdgarBlocked:
                raise
            except FetchError as exc:
                if page and exc.status == 503:
                    break  # EDGAR answers 503 past the end of the feed
                log.warning("latest-filings feed not read: %s", exc)
                out.errors.append(f"latest feed: {exc}")
                failed = True
                break
            for filing in parsed.filings:
                if page == 0:
                    newest_page.add(filing.accession)
                if filing.accession in self.latest_seen:
                    reached_known = True
                if filing.cik in watched:
                    by_company.setdefault(filing.cik, {})[filing.accession] = filing
            if reached_known or not self.latest_seen or not parsed.has_next:
                break
        gap = bool(self.latest_seen) and not reached_known and not failed
        if gap:
            log.warning(
                "the latest-filings feed no longer reaches back to the last poll; "
                "reading every company's own feed to close the gap"
            )
        if newest_page:
            self.latest_seen = newest_page  # saved with the cycle's status
        now = self.clock()
        due = sweeps_due(
            len(self.config.companies),
            self.config.edgar.sweep_minutes * 60,
            self.last_sweep_check,
            now,
        )
        self.last_sweep_check = now  # saved with the cycle's status
        for i, company in enumerate(self.config.companies):
            needs_own_feed = gap or i in due or not self._is_baselined(company.cik)
            if needs_own_feed:
                filings = self.company_feed(company, out.errors)
                if filings is not None:
                    merged = {f.accession: f for f in filings}
                    merged.update(by_company.get(company.cik, {}))
                    out.found.append((company, list(merged.values())))
                    continue
            if company.cik in by_company:
                out.found.append((company, list(by_company[company.cik].values())))

    def _is_baselined(self, cik: int) -> bool:
        if cik not in self._baselined and self.state.is_baselined(cik):
            self._baselined.add(cik)
        return cik in self._baselined


def _reaches(filings: list[Filing], pending: tuple[tuple[str, str, str], ...]) -> bool:
    """Whether the filings read go back as far as every filing waiting for a retry."""
    if not pending or not filings:
        return True
    oldest = min(filing_key(f) for f in filings)
    return oldest <= min(pending)


def _last_seen(known: Known) -> str:
    mark = known.newest or known.watermark
    if mark is None:
        return "unknown"
    filed, _, accession = mark
    return f"{accession}, filed {filed}" if filed else accession


def sweeps_due(count: int, period: float, last: float | None, now: float) -> set[int]:
    """Indexes of the companies whose own-feed sweep falls in (last, now].

    Company i's sweeps fall at i/count of the way through each period, counted from the
    clock's zero, so the sweeps are spread evenly and depend on no memory but the time of
    the last check: a daemon, a cron job of one-shot polls and a restart all sweep every
    company once per period. A first check ever sweeps nobody (new companies read their
    own feed anyway); a gap longer than a period sweeps everybody once.
    """
    if last is None or count == 0 or period <= 0:
        return set()
    if now - last >= period:
        return set(range(count))
    due = set()
    for i in range(count):
        phase = period * i / count
        if math.floor((now - phase) / period) > math.floor((last - phase) / period):
            due.add(i)
    return due
