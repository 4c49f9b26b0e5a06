"""An optional Prometheus endpoint for the daemon (`[metrics] listen = "127.0.0.1:9464"`).

prometheus-client writes the text exposition format (HELP/TYPE lines, label escaping,
histogram buckets) and serves it from a small thread; own code would repeat exactly that.
The numbers live here, updated by the daemon after each cycle, and are read at scrape
time by a collector on a private registry (no process-wide default registry, so two
daemons in one test process never clash). Off by default: nothing listens unless the
config asks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from tracker.config import parse_listen
from tracker.errors import TrackerError

log = logging.getLogger(__name__)

# Idle cycles take milliseconds; a cycle that fetches and reads filings takes seconds.
DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class Metrics(Collector):
    """What the daemon did since it started, in the form Prometheus scrapes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.polls: dict[str, int] = {"ok": 0, "error": 0}
        self.filings = 0
        self.alerts_queued = 0
        self.alerts_delivered = 0
        self.alert_errors = 0
        self.alerts_pending = 0
        self.alerts_failed = 0
        self.edgar_requests: dict[str, int] = {}
        self.last_success = 0.0
        self.cooldown_remaining = 0.0
        self.companies = 0
        self._bucket_counts = [0] * len(DURATION_BUCKETS)
        self._duration_sum = 0.0
        self._duration_count = 0
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(self)
        self._server: Any = None

    def observe_cycle(
        self,
        report: Any,
        duration: float,
        edgar_responses: dict[str, int],
        cooldown_remaining: float,
        finished_at: float,
    ) -> None:
        """Count one finished cycle (a pipeline.CycleReport)."""
        with self._lock:
            self.polls["error" if report.errors else "ok"] += 1
            if not report.errors:
                self.last_success = finished_at
            self.filings += report.new_filings
            self.alerts_queued += report.alerts_queued
            self.alerts_delivered += report.delivery.delivered
            self.alert_errors += len(report.delivery.errors)
            self.alerts_pending = report.delivery.pending
            self.alerts_failed = report.delivery.failed
            self.edgar_requests = dict(edgar_responses)
            self.cooldown_remaining = cooldown_remaining
            self.companies = report.companies
            self._duration_sum += duration
            self._duration_count += 1
            for i, bound in enumerate(DURATION_BUCKETS):
                if duration <= bound:
                    self._bucket_counts[i] += 1

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            polls = CounterMetricFamily(
                "tracker_polls", "Poll cycles finished, by result", labels=["result"]
            )
            for result, n in self.polls.items():
                polls.add_metric([result], n)
            yield polls
            yield CounterMetricFamily("tracker_filings", "New filings found", value=self.filings)
            yield CounterMetricFamily(
                "tracker_alerts_queued", "Alerts put in the outbox", value=self.alerts_queued
            )
            yield CounterMetricFamily(
                "tracker_alerts_delivered", "Alerts posted", value=self.alerts_delivered
            )
            yield CounterMetricFamily(
                "tracker_alert_delivery_errors",
                "Failed attempts to post an alert (transient or permanent)",
                value=self.alert_errors,
            )
            yield GaugeMetricFamily(
                "tracker_alerts_failed",
                "Alerts that failed permanently and wait for a person (bad token, channel)",
                value=self.alerts_failed,
            )
            yield GaugeMetricFamily(
                "tracker_alerts_pending", "Alerts waiting to be posted", value=self.alerts_pending
            )
            requests = CounterMetricFamily(
                "tracker_edgar_requests",
                'EDGAR requests by HTTP status ("error": no answer)',
                labels=["status"],
            )
            for status, n in sorted(self.edgar_requests.items()):
                requests.add_metric([status], n)
            yield requests
            yield GaugeMetricFamily(
                "tracker_edgar_cooldown_seconds",
                "Seconds left of SEC's cool-down at the end of the last cycle",
                value=self.cooldown_remaining,
            )
            yield GaugeMetricFamily(
                "tracker_last_successful_poll_timestamp_seconds",
                "When the last poll that read EDGAR without an error finished (Unix time)",
                value=self.last_success,
            )
            yield GaugeMetricFamily("tracker_companies", "Companies watched", value=self.companies)
            hist = HistogramMetricFamily(
                "tracker_cycle_duration_seconds", "How long each poll cycle took", labels=[]
            )
            cumulative = [
                (str(bound), count)
                for bound, count in zip(DURATION_BUCKETS, self._bucket_counts, strict=True)
            ]
            hist.add_metric(
                [],
                [*cumulative, ("+Inf", self._duration_count)],
                self._duration_sum,
            )
            yield hist

    def serve(self, listen: str) -> None:
        """Start the endpoint in a thread; a port in use is a clear error at start."""
        host, port = parse_listen(listen)
        try:
            self._server, _ = start_http_server(port, addr=host, registry=self.registry)
        except OSError as exc:
            raise TrackerError(
                f"metrics.listen: cannot listen on {listen}: {exc.strerror or exc}"
            ) from None
        log.info("metrics at http://%s/metrics", listen)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
