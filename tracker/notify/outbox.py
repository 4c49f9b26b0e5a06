"""Deliver stored alerts exactly once: record before acting, acknowledge after.

An alert is in the outbox (status "pending") before anything is posted. Before
a post its status becomes "sending" with the attempt counted; after Slack says
ok it moves to the delivered history with Slack's ts. If the process dies in
between, the next run finds "sending" and asks Slack whether the message already
exists (by its metadata) before posting again.

During a Slack outage the alerts do not each back off on their own clocks (which
delayed delivery by up to an hour after Slack came back): a pass stops at the first
transient failure, so an outage costs one request per cycle (the probe), and the
first pass after Slack answers again sends everything that waits. The probe is the
alert tried least recently, so one alert Slack keeps refusing cannot hold the others.
Retry-After is honoured per channel; permanent errors (a missing channel, a revoked
token) are kept as failed, retried hourly and at every start.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tracker.errors import NotifyError
from tracker.models import Alert
from tracker.notify.codec import alert_from_dict
from tracker.notify.sinks import Sink
from tracker.state import OutboxRow, State, now_iso

log = logging.getLogger(__name__)

MAX_BACKOFF = 3600.0


@dataclass
class DeliveryReport:
    delivered: int = 0
    pending: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    slack_down: bool = False  # the pass stopped at a transient failure (the probe failed)


def deliver(
    state: State,
    sink: Sink,
    *,
    clock: Callable[[], float] = time.time,
    stop: Callable[[], bool] = lambda: False,
    retry_failed_now: bool = False,
    post: bool = True,
) -> DeliveryReport:
    """Post every due alert in creation order; never drops one.

    `retry_failed_now`: at start-up (and so on every `tracker poll`), failed alerts are
    tried at once, because a restart is how people apply a fixed token or an invited bot.
    `post=False` only counts what waits (the cycle's probe already failed).
    """
    report = DeliveryReport()
    rows = state.open_alerts()  # small: the delivered history is not read
    now = clock()
    due: list[OutboxRow] = []
    for row in rows:
        if row.next_attempt <= now or (retry_failed_now and row.status == "failed"):
            due.append(row)
        else:
            report.failed += 1 if row.status == "failed" else 0
            report.pending += 0 if row.status == "failed" else 1
    # The first post of a pass is the probe: the alert tried least recently goes first.
    if due:
        probe = min(due, key=lambda r: (r.last_try_epoch, r.seq))
        due.remove(probe)
        due.insert(0, probe)
    paused_channels: dict[str, float] = {}
    slack_down = not post
    for row in due:
        now = clock()
        if stop() or slack_down:
            report.failed += 1 if row.status == "failed" else 0
            report.pending += 0 if row.status == "failed" else 1
            continue
        alert = alert_from_dict(row.alert)
        if paused_channels.get(alert.channel, 0) > now:
            report.pending += 1
            continue
        try:
            ts = _existing_post(sink, row, alert)
            if ts is None:
                thread_ts = (
                    state.delivered_ts(alert.thread_of, alert.channel) if alert.thread_of else None
                )
                state.update_alert(
                    row.alert_id,
                    status="sending",
                    attempts=row.attempts + 1,
                    last_try=now_iso(),
                    last_try_epoch=now,
                )
                ts = sink.post(alert, thread_ts=thread_ts)
        except NotifyError as exc:
            attempts = row.attempts + 1
            if exc.permanent:
                delay = MAX_BACKOFF
            elif exc.retry_after:
                delay = exc.retry_after
                paused_channels[alert.channel] = now + exc.retry_after
            elif report.delivered:
                # Slack answers others: this alert alone fails, so it backs off on its own.
                delay = min(MAX_BACKOFF, 30.0 * 2 ** min(attempts, 7))
            else:
                # Slack looks down: stop here, due again next cycle (the next probe).
                delay = 0.0
                slack_down = True
            state.update_alert(
                row.alert_id,
                status="failed" if exc.permanent else "pending",
                attempts=attempts,
                last_error=str(exc),
                last_try=now_iso(),
                last_try_epoch=now,
                next_attempt=now + delay,
                uncertain=exc.uncertain or row.uncertain,
            )
            level = logging.ERROR if exc.permanent else logging.WARNING
            if exc.permanent:
                then = "kept as failed, retried hourly and at every start"
            elif slack_down:
                waiting = len(due) - due.index(row)
                then = f"{waiting} alerts wait; Slack is probed once per cycle until it answers"
            else:
                then = f"retrying in {delay:.0f}s"
            log.log(
                level,
                "alert %s for %s not delivered (%s); %s",
                alert.accession,
                alert.channel,
                exc,
                then,
            )
            report.errors.append(str(exc))
            report.failed += 1 if exc.permanent else 0
            report.pending += 0 if exc.permanent else 1
            continue
        state.mark_delivered(row.alert_id, ts)
        report.delivered += 1
        slack_down = False
        log.info(
            "alert delivered: %s %s %s to %s",
            alert.company,
            alert.form,
            alert.accession,
            alert.channel or sink.name,
        )
    report.slack_down = slack_down and post
    return report


def _existing_post(sink: Sink, row: OutboxRow, alert: Alert) -> str | None:
    """When an earlier attempt may have reached Slack, look before posting again.

    That is after a crash while "sending", or after a post that got no answer. A
    definite error answer (429, 5xx, ok:false) means nothing was posted: no look.
    """
    if not sink.can_find_posted or not (row.status == "sending" or row.uncertain):
        return None
    try:
        found = sink.find_posted(alert, row.last_try_epoch)
    except NotifyError as exc:
        if not exc.permanent:
            raise
        # History cannot be read (scope, workspace policy): never lose the alert for it.
        log.warning(
            "cannot check %s for an earlier post of %s (%s); posting it",
            alert.channel,
            alert.accession,
            exc,
        )
        return None
    if found:
        log.info(
            "alert %s was already posted before a restart (ts %s); not posting again",
            row.accession,
            found,
        )
    return found
