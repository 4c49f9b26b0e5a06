"""Deliver stored alerts exactly once: record before acting, acknowledge after.

An alert is in the outbox (status "pending") before anything is posted. Before
a post its status becomes "sending" with the attempt counted; after Slack says
ok it becomes "delivered" with Slack's ts. If the process dies in between, the
next run finds "sending" and asks Slack whether the message already exists
(by its metadata) before posting again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.errors import NotifyError
from tracker.models import Alert
from tracker.notify.codec import alert_from_dict
from tracker.notify.sinks import Sink
from tracker.state import State, now_iso

log = logging.getLogger(__name__)

MAX_BACKOFF = 3600.0


@dataclass
class DeliveryReport:
    delivered: int = 0
    pending: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def deliver(
    state: State,
    sink: Sink,
    *,
    clock: Callable[[], float] = time.time,
    stop: Callable[[], bool] = lambda: False,
    retry_failed_now: bool = False,
) -> DeliveryReport:
    """Post every due alert in creation order; never drops one.

    `retry_failed_now`: at start-up, failed alerts are tried at once, because a restart
    is how people apply a fixed token or an invited bot.
    """
    report = DeliveryReport()
    everything = state.alerts()  # one read of the outbox for both lists
    rows = [r for r in everything if r["status"] in ("pending", "sending", "failed")]
    delivered = {
        (r["accession"], r["channel"]): r.get("ts")
        for r in everything
        if r["status"] == "delivered"
    }
    paused_channels: dict[str, float] = {}
    for row in rows:
        if stop():
            report.pending += 1
            continue
        alert = alert_from_dict(row["alert"])
        now = clock()
        due = row.get("next_attempt", 0) <= now or (retry_failed_now and row["status"] == "failed")
        if not due or paused_channels.get(alert.channel, 0) > now:
            report.pending += 1 if row["status"] != "failed" else 0
            report.failed += 1 if row["status"] == "failed" else 0
            continue
        try:
            ts = _existing_post(sink, row, alert)
            if ts is None:
                thread_ts = (
                    delivered.get((alert.thread_of, alert.channel)) if alert.thread_of else None
                )
                state.update_alert(
                    row["alert_id"],
                    status="sending",
                    attempts=row.get("attempts", 0) + 1,
                    last_try=now_iso(),
                    last_try_epoch=now,
                )
                ts = sink.post(alert, thread_ts=thread_ts)
        except NotifyError as exc:
            attempts = row.get("attempts", 0) + 1
            if exc.permanent:
                delay = MAX_BACKOFF
            else:
                delay = exc.retry_after or min(MAX_BACKOFF, 30.0 * 2 ** min(attempts, 7))
            if exc.retry_after:
                paused_channels[alert.channel] = now + exc.retry_after
            state.update_alert(
                row["alert_id"],
                status="failed" if exc.permanent else "pending",
                attempts=attempts,
                last_error=str(exc),
                next_attempt=now + delay,
                uncertain=exc.uncertain or bool(row.get("uncertain")),
            )
            level = logging.ERROR if exc.permanent else logging.WARNING
            log.log(
                level,
                "alert %s for %s not delivered (%s); %s",
                alert.accession,
                alert.channel,
                exc,
                "kept as failed, retried hourly" if exc.permanent else f"retrying in {delay:.0f}s",
            )
            report.errors.append(str(exc))
            report.failed += 1 if exc.permanent else 0
            report.pending += 0 if exc.permanent else 1
            continue
        state.update_alert(
            row["alert_id"],
            status="delivered",
            ts=ts,
            delivered_at=now_iso(),
            last_error="",
            uncertain=False,
        )
        delivered[(alert.accession, alert.channel)] = ts
        report.delivered += 1
        log.info(
            "alert delivered: %s %s %s to %s",
            alert.company,
            alert.form,
            alert.accession,
            alert.channel or sink.name,
        )
    return report


def _existing_post(sink: Sink, row: dict[str, Any], alert: Alert) -> str | None:
    """When an earlier attempt may have reached Slack, look before posting again.

    That is after a crash while "sending", or after a post that got no answer. A
    definite error answer (429, 5xx, ok:false) means nothing was posted: no look.
    """
    if not sink.can_find_posted or not (row["status"] == "sending" or row.get("uncertain")):
        return None
    try:
        found = sink.find_posted(alert, float(row.get("last_try_epoch") or 0.0))
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
            row.get("accession"),
            found,
        )
    return found
