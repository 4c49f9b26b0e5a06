"""One poll cycle: discover -> diff -> fetch -> classify -> record -> deliver.

Failures are contained per company and per filing: a bad feed or a missing
document is logged and retried next cycle, and never stops the others. A filing
is marked seen only after its alerts are safely in the outbox.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from tracker import milestones
from tracker.calendar.digest import queue_digests
from tracker.calendar.overdue import check_overdue
from tracker.classify import classify_documents
from tracker.classify.engine import content_sentences
from tracker.classify.rules import load_rules
from tracker.config import Config
from tracker.discovery import Discovery, Known, unseen
from tracker.edgar.client import EdgarClient
from tracker.edgar.documents import fetch_documents, index_page_url
from tracker.errors import EdgarBlocked, FetchError, StateError
from tracker.forms import form_skip_reason
from tracker.models import Alert, Company, Document, Filing, filing_key
from tracker.notify.codec import alert_to_dict
from tracker.notify.outbox import DeliveryReport, deliver
from tracker.notify.routing import build_alerts, category_skip_reason
from tracker.notify.sinks import Sink
from tracker.state import (
    CompanyDoc,
    OutboxRow,
    SeenFiling,
    State,
    now_iso,
    past_recovery_mark,
)

log = logging.getLogger(__name__)

# A filing's documents (and one company's filings in a cycle) may take this many times
# the request timeout in all, retries included; then the filing is retried next cycle.
FETCH_BUDGET_TIMEOUTS = 2
MAX_FETCH_ATTEMPTS = 8  # then alert from the feed alone rather than never
BACKLOG_LOG_EVERY = 25


@dataclass
class CycleReport:
    """What one cycle did, for logs, `tracker status` and tests."""

    started: str = ""
    finished: str = ""
    companies: int = 0
    new_filings: int = 0
    alerts_queued: int = 0
    baselined: int = 0
    errors: list[str] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    requests: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.delivery.errors

    def summary(self) -> str:
        """One log line for the cycle, the same from `poll` and from the daemon."""
        problems = self.errors + self.delivery.errors
        return (
            f"poll done: {self.companies} companies, {self.new_filings} new filings, "
            f"{self.alerts_queued} alerts queued, {self.delivery.delivered} delivered, "
            f"{self.delivery.pending} pending, {self.delivery.failed} failed, "
            f"{self.requests} EDGAR requests"
            + (f"; retried next cycle: {'; '.join(problems[:3])}" if problems else "")
        )


def running_config(config: Config) -> dict[str, object]:
    """What `status` needs of the config in use, kept in the state: while an edit on disk
    is rejected, the running daemon's companies are still the ones watched."""
    return {
        "path": config.path,
        "poll_interval_seconds": config.edgar.poll_interval_seconds,
        "companies": [{"cik": c.cik, "name": c.label} for c in config.companies],
    }


class Poller:
    """Runs poll cycles for a config against EDGAR, the state and a sink."""

    def __init__(
        self,
        config: Config,
        state: State,
        client: EdgarClient,
        sink: Sink,
        *,
        clock: Callable[[], float] = time.time,
        stop: Callable[[], bool] = lambda: False,
        today: Callable[[], date] = date.today,
    ):
        self.config = config
        self.today = today  # the calendar's date (tracker.calendar.clock), passed down
        self._calendar_day: date | None = None  # the day the overdue check last ran
        self._calendar_waiting: set[int] = set()  # companies it must look at again
        self.state = state
        self.client = client
        self.sink = sink
        self.clock = clock
        self.stop = stop
        self.discovery = Discovery(config, state, client, clock=clock)
        load_rules()  # compile the rules now, not while the first alert waits
        self._next_prune = 0.0
        self._first_cycle = True
        self._recorded_config: Config | None = None  # the config `status` last saw
        self._attach_client()

    def use_config(self, config: Config) -> None:
        """Swap in a reloaded config; new companies get a baseline on their next poll."""
        self.config = config
        self._calendar_day = None  # new companies or a new grace period: check again
        self.discovery.use_config(config)

    def use_client(self, client: EdgarClient) -> None:
        """Swap in an EDGAR client rebuilt for new settings (a reload). It inherits the old
        one's rate-limit history and cool-down, so a reload never bursts past SEC's limit."""
        client.take_over(self.client)
        self.client = client
        self.discovery.client = client
        self._attach_client()

    def use_sink(self, sink: Sink) -> None:
        """Swap in a rebuilt Slack sink; pending alerts live in the outbox, not the sink.

        A new destination is tried at once: the waits and the failures were the old one's
        (as at start-up, which is also how people apply a fixed setting)."""
        self.sink = sink
        self._first_cycle = True
        try:
            for alert in self.state.open_alerts():
                if alert.status == "pending":
                    self.state.update_alert(alert.alert_id, next_attempt=0)
        except StateError as exc:
            log.error("%s", exc)

    def _attach_client(self) -> None:
        """SEC's cool-down outlives the process (clients.keep_cooldown)."""
        from tracker.clients import keep_cooldown

        keep_cooldown(self.client, self.state)

    # -- the cycle ---------------------------------------------------------------------------

    def run_cycle(self) -> CycleReport:
        report = CycleReport(started=now_iso(), companies=len(self.config.companies))
        before = self.client.request_count
        report.delivery = self._deliver(report, retry_failed_now=self._first_cycle)
        self._first_cycle = False
        try:
            found = self.discover(report)
            for company, filings in found:
                if self.stop():
                    break
                try:
                    self.process_company(company, filings, report)
                except StateError as exc:
                    # This company's state cannot be written: its filings stay unseen and
                    # are tried again next cycle; the other companies go on.
                    log.error("%s: %s; its new filings are tried again", company.label, exc)
                    report.errors.append(f"{company.label}: {exc}")
            if not self.stop():
                self._check_calendar(report)
        except EdgarBlocked as exc:
            report.errors.append(str(exc))
        # One probe per cycle during an outage: the second pass only counts what waits.
        after = self._deliver(report, post=not report.delivery.slack_down)
        report.delivery.delivered += after.delivered
        report.delivery.pending = after.pending
        report.delivery.failed = after.failed
        report.delivery.errors += after.errors
        report.requests = self.client.request_count - before
        self._prune()
        report.finished = now_iso()
        self._record_status(report)
        return report

    def _deliver(
        self, report: CycleReport, retry_failed_now: bool = False, post: bool = True
    ) -> DeliveryReport:
        try:
            return deliver(
                self.state,
                self.sink,
                clock=self.clock,
                stop=self.stop,
                retry_failed_now=retry_failed_now,
                post=post,
            )
        except StateError as exc:
            log.error("%s", exc)
            report.errors.append(str(exc))
            return DeliveryReport()

    def _check_calendar(self, report: CycleReport) -> None:
        """Queue alerts for milestones whose deadline passed with no news (the calendar
        decides; this cycle only calls it after the filings it found are recorded)."""
        today = self.today()
        if today == self._calendar_day and not self._calendar_waiting:
            return  # checked today already: an idle cycle reads no ledger
        only = self._calendar_waiting if today == self._calendar_day else None
        try:
            result = check_overdue(self.config, self.state, today, only)
            report.alerts_queued += result.queued
            self._calendar_day, self._calendar_waiting = today, result.waiting
        except StateError as exc:
            log.error("milestone calendar not checked: %s", exc)
            report.errors.append(str(exc))

    def run_digest(self) -> int:
        """Queue this week's digest for each channel and deliver it (the daemon's
        schedule calls this); returns how many digests were queued."""
        queued = queue_digests(self.config, self.state, self.today())
        deliver(self.state, self.sink, clock=self.clock, stop=self.stop)
        return queued

    def _prune(self) -> None:
        """Forget delivered alerts past `keep_delivered_days`, hourly: the outbox stays small."""
        now = self.clock()
        if now < self._next_prune:
            return
        self._next_prune = now + 3600
        try:
            removed = self.state.prune_outbox(self.config.state.keep_delivered_days)
        except StateError as exc:
            log.error("%s", exc)
            return
        if removed:
            log.info(
                "outbox: forgot %d delivered alerts older than %d days",
                removed,
                self.config.state.keep_delivered_days,
            )

    def _record_status(self, report: CycleReport) -> None:
        extra: dict[str, object] = {}
        if self.config is not self._recorded_config:
            # Only when it changed (start, reload): 5,000 companies are 250 kB to rewrite.
            extra["running_config"] = running_config(self.config)
        if not report.errors:
            # Every feed and filing read without an error: what `status` calls healthy.
            extra["last_successful_poll"] = report.finished
        try:
            self.state.update_status(
                **extra,
                last_poll=report.finished,
                last_poll_ok=report.ok,
                last_errors=(report.errors + report.delivery.errors)[:10],
                last_new_filings=report.new_filings,
                last_alerts=report.alerts_queued,
                last_requests=report.requests,
                mode=self.config.mode,
                latest_watermark=sorted(self.discovery.latest_seen),
                last_sweep_check=self.discovery.last_sweep_check,
            )
            self._recorded_config = self.config
        except StateError as exc:
            log.error("%s", exc)

    # -- discovery ---------------------------------------------------------------------------

    def discover(self, report: CycleReport) -> list[tuple[Company, list[Filing]]]:
        """Feed entries per watched company (see tracker.discovery)."""
        found = self.discovery.run()
        report.errors += found.errors
        return found.found

    # -- per company -------------------------------------------------------------------------

    def process_company(self, company: Company, filings: list[Filing], report: CycleReport) -> None:
        record = self.state.company(company.cik)
        known = Known.from_record(record)
        if not known.baselined:
            self._baseline(company, filings, report, record)
            return
        new = unseen(filings, known)
        if not new:
            return
        queued = self.state.alerted_accessions(company.cik)
        # One company gets a bounded share of the cycle: a slow or hostile server delays
        # only this company's later filings, which the next cycle finds again (they are
        # not marked seen), never the other companies' alerts.
        ends = time.monotonic() + FETCH_BUDGET_TIMEOUTS * self.client.timeout
        for done, filing in enumerate(new):
            if self.stop():
                return
            if time.monotonic() >= ends:
                log.warning(
                    "%s: %d of %d new filings left for the next cycle: this company's "
                    "share of the cycle is used up",
                    company.label,
                    len(new) - done,
                    len(new),
                )
                return
            if len(new) > BACKLOG_LOG_EVERY and done % BACKLOG_LOG_EVERY == 0:
                log.info(
                    "%s: working through a backlog, %d of %d new filings done",
                    company.label,
                    done,
                    len(new),
                )
            report.new_filings += 1
            if filing.accession in queued:
                # Alerts were queued but the process stopped before marking it seen.
                self._mark(company, filing, "alerted")
                continue
            failure = record.failures.get(filing.accession)
            self.process_filing(company, filing, failure, report)

    def _baseline(
        self,
        company: Company,
        filings: list[Filing],
        report: CycleReport,
        record: CompanyDoc | None = None,
    ) -> None:
        """Record what exists without alerting, except the newest `backfill` filings.

        After a damaged company file (`record.recover_from`: the recovery mark of what it
        had seen), filings past the mark without an alert yet are new, not baseline.
        """
        recover_from = record.recover_from if record else ""
        backfill = self.config.edgar.backfill
        ordered = sorted(filings, key=filing_key, reverse=True)
        old, recent = ordered[backfill:], ordered[:backfill]
        alerted: set[str] = set()
        if recover_from:
            alerted = self.state.alerted_accessions(company.cik)
            known = record.recover_known if record else []
            recent = [
                f
                for f in ordered
                if past_recovery_mark(f.filed, f.accession, recover_from, known) or f in recent
            ]
            old = [f for f in ordered if f not in recent]
        rows = [_row(f, "baseline") for f in old] + [
            _row(f, "alerted") for f in recent if f.accession in alerted
        ]
        recent = [f for f in recent if f.accession not in alerted]
        self.state.record_filings(
            company.cik,
            rows,
            baseline=True,
            keep=self.config.state.keep_seen_per_company,
            name=company.name or (filings[0].company_name if filings else ""),
        )
        report.baselined += 1
        log.info(
            "%s: baseline taken (%d existing filings recorded, %d to %s)",
            company.label,
            len(rows),
            len(recent),
            f"alert as new (after {recover_from})" if recover_from else "backfill",
        )
        for filing in reversed(recent):
            self.process_filing(company, filing, None, report)

    def process_filing(
        self,
        company: Company,
        filing: Filing,
        failure: object | None,
        report: CycleReport,
    ) -> None:
        form_reason = form_skip_reason(filing.form, company.forms)
        if form_reason:
            self._not_alerted(company, filing, "skipped", form_reason)
            return
        try:
            with self.client.budget(FETCH_BUDGET_TIMEOUTS * self.client.timeout):
                documents = fetch_documents(self.client, filing)
        except EdgarBlocked:
            raise
        except FetchError as exc:
            attempts = self._failure(company, filing, str(exc))
            # Even a 404 is retried: a filing's folder can appear on EDGAR after its feed entry.
            if attempts < MAX_FETCH_ATTEMPTS:
                log.warning(
                    "%s %s %s: documents not fetched (%s); attempt %d, trying again next cycle",
                    company.label,
                    filing.form,
                    filing.accession,
                    exc,
                    attempts,
                )
                report.errors.append(f"{filing.accession}: {exc}")
                return
            log.error(
                "%s %s %s: documents could not be read after %d attempts (%s); "
                "alerting from the feed entry alone",
                company.label,
                filing.form,
                filing.accession,
                attempts,
                exc,
            )
            documents = []
        try:
            alerts, reason = self._analyse(company, filing, documents)
        except Exception as exc:  # a document nobody foresaw must not stop every cycle
            attempts = self._failure(company, filing, repr(exc))
            log.exception(
                "%s %s %s: could not be analysed (attempt %d)",
                company.label,
                filing.form,
                filing.accession,
                attempts,
            )
            report.errors.append(f"{filing.accession}: analysis failed: {exc!r}")
            if attempts < MAX_FETCH_ATTEMPTS:
                return
            # The feed entry alone, as a last resort.
            alerts, reason = self._analyse(company, filing, [])
        if alerts:
            self.state.enqueue(
                [
                    OutboxRow(a.alert_id, a.accession, a.cik, a.channel, alert_to_dict(a))
                    for a in alerts
                ]
            )
            report.alerts_queued += len(alerts)
        if alerts:
            self._mark(company, filing, "alerted")
        else:
            self._not_alerted(company, filing, "filtered", reason or "no channel to post to")

    def analyse(self, company: Company, filing: Filing, documents: list[Document]) -> list[Alert]:
        """Classify, update the ledger and build the alerts for one filing."""
        return self._analyse(company, filing, documents)[0]

    def _analyse(
        self, company: Company, filing: Filing, documents: list[Document]
    ) -> tuple[list[Alert], str]:
        """The alerts for one filing, and why there are none when there are none."""
        result = classify_documents(
            documents, form=filing.form, items=filing.items, filed=filing.filed
        )
        # Every filing is read for milestones, whatever its categories: a results release
        # that says "expects to submit the NDA in the fourth quarter" reports no FDA news,
        # but the calendar must know the plan.
        changes = self._update_ledger(company, filing, documents, result.facts)
        thread_of = self._thread_parent(company, filing, result.categories)
        reason = category_skip_reason(company, result.categories) or ""
        alerts = build_alerts(
            self.config,
            company,
            filing,
            result,
            documents,
            index_page_url(self.client, filing),
            changes,
            thread_of,
        )
        return alerts, reason

    def _update_ledger(
        self,
        company: Company,
        filing: Filing,
        documents: list[Document],
        facts: tuple[milestones.Fact, ...],
    ) -> tuple[milestones.MilestoneChange, ...]:
        rules = load_rules()
        texts = [s.text for d in documents for s in content_sentences(rules, d.text)]
        entries = self.state.ledger(company.cik)
        changes, merged = milestones.update(
            entries,
            texts,
            facts,
            accession=filing.accession,
            filed=filing.filed,
            previous_filed=self._previous_filed(company, filing),
        )
        if merged != entries:  # most filings now read hold no milestone: no write for them
            self.state.save_ledger(company.cik, merged)
        return tuple(changes)

    def _previous_filed(self, company: Company, filing: Filing) -> date | None:
        """The filing date of the company's filing before this one (seen, baseline included)."""
        this = filing.filed.isoformat() if filing.filed else "9999"
        dates = [
            row.filed
            for acc, row in self.state.company(company.cik).seen.items()
            if acc != filing.accession and row.filed <= this
        ]
        latest = max((d for d in dates if d), default="")
        try:
            return date.fromisoformat(latest) if latest else None
        except ValueError:
            return None

    def _thread_parent(
        self, company: Company, filing: Filing, categories: tuple[str, ...]
    ) -> str | None:
        """The alert this filing follows up, so Slack shows them as one thread.

        An amendment (8-K/A) follows the company's latest alert of the base form; any
        other filing follows an earlier alert of the same day about the same matters
        (Biopure's 424B5 of 19 February 2004 follows its 8-K of that morning).
        """
        mine = [
            a
            for a in self.state.company_alerts(company.cik)
            if a.accession != filing.accession and not a.alert.get("thread_of")
        ]
        if filing.form.upper().endswith("/A"):
            base = filing.form.upper()[:-2]
            earlier = [a for a in mine if str(a.alert.get("form", "")).upper() == base]
            return earlier[-1].accession if earlier else None
        filed = filing.filed.isoformat() if filing.filed else ""
        same_day = [
            a
            for a in mine
            if filed
            and a.alert.get("filed") == filed
            and set(a.alert.get("categories", ())) & set(categories)
        ]
        return same_day[0].accession if same_day else None

    def _failure(self, company: Company, filing: Filing, error: str) -> int:
        return self.state.record_failure(
            company.cik,
            filing.accession,
            error,
            filed=filing.filed.isoformat() if filing.filed else "",
            accepted=filing.accepted,
        )

    def _mark(self, company: Company, filing: Filing, status: str, reason: str = "") -> None:
        row = _row(filing, status)
        row.reason = reason
        self.state.record_filings(company.cik, [row], keep=self.config.state.keep_seen_per_company)

    def _not_alerted(self, company: Company, filing: Filing, status: str, reason: str) -> None:
        """Every filing not alerted says why: in the log, and in `tracker status`."""
        log.info(
            "%s %s %s: not alerted, %s",
            company.ticker or company.label,
            filing.form,
            filing.accession,
            reason,
        )
        self._mark(company, filing, status, reason)


def _row(filing: Filing, status: str) -> SeenFiling:
    return SeenFiling(
        accession=filing.accession,
        form=filing.form,
        filed=filing.filed.isoformat() if filing.filed else "",
        accepted=filing.accepted,
        status=status,
    )
