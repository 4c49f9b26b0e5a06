"""`tracker run`: poll on a schedule for months, reloading the watch config as it changes.

APScheduler 3 (a BlockingScheduler, one job instance at a time, missed runs
coalesced) drives the same Poller as `tracker poll`. Signals only set flags and
wake the scheduler; the work happens in the job.

Under systemd (Type=notify) the job tells systemd READY=1 after the first cycle, and
WATCHDOG=1 and STATUS=<the cycle's summary> after every cycle: the pings come from the
poll loop itself, so a hung loop stops them and systemd restarts the daemon. With a
watchdog the schedule also wakes at least twice per WatchdogSec.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from tracker import clients
from tracker.config import Config, load_config
from tracker.errors import ConfigError, TrackerError
from tracker.pipeline import Poller
from tracker.sdnotify import Notifier

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 9.0
# Before the first cycle ends, each sign of progress gives systemd's start timeout this
# long again (when no watchdog interval says otherwise).
START_EXTEND_SECONDS = 300.0


class Daemon:
    """Owns the scheduler, the stop flag and the last good config."""

    def __init__(self, config: Config, poller: Poller, notifier: Notifier | None = None):
        from apscheduler.schedulers.blocking import BlockingScheduler

        self.config = config
        self.poller = poller
        self.notifier = notifier or Notifier()
        self._ready = False
        self.metrics: Any = None
        self.stopping = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self._config_stamp = _stamp(config.path)
        self._bad_stamp: tuple[int, int, int] | None = None
        self.scheduler = BlockingScheduler(
            timezone="UTC",
            executors={"default": {"type": "threadpool", "max_workers": 1}},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": max(30, int(config.edgar.poll_interval_seconds)),
            },
        )
        self._last_ping = 0.0
        # The poll loop calls these between steps (companies, filings, alerts, EDGAR
        # requests): each call is proof of progress, so a hung loop stops the pings.
        poller.stop = self._check_in
        poller.client.progress = self._progress

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_stop)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, self._on_reload)
        self._serve_metrics(self.config.metrics.listen)
        self._schedule(first=True)
        self._schedule_digest()
        if self.notifier.enabled:
            self.notifier.status("first poll cycle running")
        log.info(
            "tracker daemon started (pid %d): %d companies, every %.0fs, mode %s",
            os.getpid(),
            len(self.config.companies),
            self.config.edgar.poll_interval_seconds,
            self.config.mode,
        )
        self.scheduler.start()  # returns after shutdown
        self.notifier.stopping()
        if self.metrics is not None:
            self.metrics.close()
        if not self.idle.wait(STOP_GRACE_SECONDS):
            # A request stuck in a long retry must not hold the stop past systemd's patience.
            # Every state write is atomic, so this is as safe as a kill: the next start
            # resumes from the last whole record.
            log.warning(
                "the poll in progress did not finish within %.0fs; stopping anyway",
                STOP_GRACE_SECONDS,
            )
            logging.shutdown()
            os._exit(0)
        log.info("tracker daemon stopped")
        return 0

    def _interval(self) -> float:
        """The poll interval, shortened so the watchdog hears from us twice per WatchdogSec."""
        interval = self.config.edgar.poll_interval_seconds
        watchdog = self.notifier.watchdog_seconds if self.notifier.enabled else None
        if watchdog:
            interval = min(interval, max(1.0, watchdog / 2))
        return interval

    def _schedule(self, first: bool = False) -> None:
        kwargs: dict[str, Any] = {"seconds": self._interval()}
        if self.config.edgar.jitter:
            kwargs["jitter"] = self.config.edgar.jitter
        if first:
            self.scheduler.add_job(
                self.cycle,
                "interval",
                id="poll",
                name="poll EDGAR",
                next_run_time=datetime.now(UTC),
                **kwargs,
            )
        else:
            self.scheduler.reschedule_job("poll", trigger="interval", **kwargs)

    def _schedule_digest(self) -> None:
        """The weekly digest on `[digest] schedule` (a cron trigger in its time zone), or
        no digest job when the schedule is off. Called at start and after each reload."""
        from zoneinfo import ZoneInfo

        from apscheduler.triggers.cron import CronTrigger

        when = self.config.digest.when
        current = self.scheduler.get_job("digest")
        if when is None:
            if current is not None:
                current.remove()
                log.info("weekly digest switched off")
            return
        day, hour, minute = when
        trigger = CronTrigger(
            day_of_week=day,
            hour=hour,
            minute=minute,
            timezone=ZoneInfo(self.config.digest.timezone),
        )
        if current is None:
            # A digest missed by up to an hour (a restart, a long poll) still goes out.
            self.scheduler.add_job(
                self.digest, trigger, id="digest", name="weekly digest", misfire_grace_time=3600
            )
        else:
            current.reschedule(trigger)
        log.info(
            "weekly digest scheduled: %s (%s)",
            self.config.digest.schedule,
            self.config.digest.timezone,
        )

    def digest(self) -> None:
        """The scheduled digest; never raises, so the schedule never dies."""
        if self.stopping.is_set():
            return
        self.idle.clear()
        try:
            queued = self.poller.run_digest()
            log.info("weekly digest: %d channel(s)", queued)
        except TrackerError as exc:
            log.error("weekly digest not sent: %s; it is tried again next week", exc)
        except Exception:
            log.exception("weekly digest crashed; it is tried again next week")
        finally:
            self.idle.set()
            if self.stopping.is_set():
                self._shutdown()

    def cycle(self) -> None:
        """One scheduled poll; never raises, so the schedule never dies."""
        if self.stopping.is_set():
            return
        self.idle.clear()
        try:
            self.reload_if_changed()
            if not self._due():
                self.notifier.watchdog()  # a watchdog-only wake: alive, nothing to do yet
                return
            started = time.monotonic()
            report = self.poller.run_cycle()
            self._last_cycle = time.monotonic()
            log.log(logging.INFO if report.ok else logging.WARNING, "%s", report.summary())
            self._tell(report, self._last_cycle - started)
            job = self.scheduler.get_job("poll")
            if job is not None and job.next_run_time is not None:
                self.poller.state.update_status(
                    next_poll=job.next_run_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                )
        except TrackerError as exc:
            log.error("poll failed: %s; trying again next interval", exc)
            self.notifier.status(f"poll failed: {exc}")
        except Exception:
            log.exception("poll crashed; trying again next interval")
            self.notifier.status("poll crashed; see the journal")
        finally:
            self.idle.set()
            if self.stopping.is_set():
                self._shutdown()

    _last_cycle: float | None = None

    def _check_in(self) -> bool:
        self._progress()
        return self.stopping.is_set()

    def _progress(self) -> None:
        """Tell systemd the loop moves (at most once a second). Before READY=1 the start
        timeout is extended too: a first cycle that baselines thousands of companies at
        SEC's 10 requests/s may take minutes, and that is progress, not a hang."""
        now = time.monotonic()
        if not self.notifier.enabled or now - self._last_ping < 1.0:
            return
        self._last_ping = now
        if self._ready:
            self.notifier.watchdog()
        else:
            extend = int((self.notifier.watchdog_seconds or START_EXTEND_SECONDS) * 1_000_000)
            self.notifier.send("WATCHDOG=1", f"EXTEND_TIMEOUT_USEC={extend}")

    def _due(self) -> bool:
        """Whether a poll is due: with a watchdog, the job may wake more often than the
        configured interval, and those extra wakes only ping."""
        if self._last_cycle is None:
            return True
        interval = self.config.edgar.poll_interval_seconds
        if self._interval() >= interval:
            return True
        # Leave room for the schedule's own jitter so a due poll is never skipped a round.
        return time.monotonic() - self._last_cycle >= interval - self._interval() / 2

    def _tell(self, report: Any, duration: float) -> None:
        """systemd and the metrics hear about every finished cycle."""
        summary = report.summary()
        first = not self._ready
        self._ready = True
        # One datagram: READY=1 (the first time), the summary, and the watchdog's ping.
        self.notifier.send(*(["READY=1"] if first else []), f"STATUS={summary}", "WATCHDOG=1")
        if self.metrics is not None:
            self.metrics.observe_cycle(
                report,
                duration,
                self.poller.client.responses,
                self.poller.client.cooldown_remaining(),
                time.time(),
            )

    def _serve_metrics(self, listen: str) -> None:
        if self.metrics is not None:
            self.metrics.close()
            self.metrics = None
        if listen:
            from tracker.metrics import Metrics

            metrics = Metrics()
            metrics.serve(listen)
            self.metrics = metrics

    def reload_if_changed(self, force: bool = False) -> bool:
        """Swap in an edited config; an invalid edit keeps the last good one running."""
        stamp = _stamp(self.config.path)
        if not force and (stamp == self._config_stamp or stamp == self._bad_stamp):
            return False
        try:
            config = load_config(self.config.path)
        except ConfigError as exc:
            if stamp != self._bad_stamp or force:
                log.error("config edit rejected, still running the last good config: %s", exc)
            self._bad_stamp = stamp
            return False
        interval_changed = (
            config.edgar.poll_interval_seconds != self.config.edgar.poll_interval_seconds
            or config.edgar.jitter != self.config.edgar.jitter
        )
        added = {c.cik for c in config.companies} - {c.cik for c in self.config.companies}
        removed = {c.cik for c in self.config.companies} - {c.cik for c in config.companies}
        rebuilt = self._rebuild(self.config, config)
        self.config = config
        self.poller.use_config(config)
        self._config_stamp = stamp
        self._bad_stamp = None
        log.info(
            "config reloaded from %s: %d companies (%d added, %d removed)%s",
            config.path,
            len(config.companies),
            len(added),
            len(removed),
            f"; rebuilt {' and '.join(rebuilt)}" if rebuilt else "",
        )
        if interval_changed:
            self._schedule()
        self._schedule_digest()
        return True

    def _rebuild(self, old: Config, new: Config) -> list[str]:
        """Clients built from changed settings are rebuilt, so every setting applies
        without a restart; the outbox and the rate limiter's history carry over."""
        rebuilt = []
        if clients.edgar_changed(old, new):
            self.poller.use_client(clients.edgar_client(new.edgar))
            rebuilt.append("the EDGAR client")
        if clients.slack_changed(old, new):
            self.poller.use_sink(clients.sink(new))
            rebuilt.append("the Slack sink")
        if old.metrics.listen != new.metrics.listen:
            try:
                self._serve_metrics(new.metrics.listen)
                rebuilt.append("the metrics endpoint")
            except TrackerError as exc:
                log.error("%s", exc)
        return rebuilt

    def _on_stop(self, signum: int, frame: FrameType | None) -> None:
        log.info(
            "received %s: finishing the filing in hand, then stopping", signal.Signals(signum).name
        )
        self.stopping.set()
        # The scheduler stops now; run() then waits for the poll in hand (the poller
        # checks the flag between filings) for a bounded time.
        self._shutdown()

    def _shutdown(self) -> None:
        # From a signal handler or the job thread; both may race, and that is harmless.
        from apscheduler.schedulers import SchedulerNotRunningError

        with contextlib.suppress(SchedulerNotRunningError):
            self.scheduler.shutdown(wait=False)

    def _on_reload(self, signum: int, frame: FrameType | None) -> None:
        log.info("received SIGHUP: reloading %s", self.config.path)
        self.reload_if_changed(force=True)


def _stamp(path: str) -> tuple[int, int, int]:
    """Changes whenever the file is edited in place or replaced (editors, `watch add`)."""
    try:
        st = os.stat(path)
    except OSError:
        return (0, -1, 0)
    return (st.st_mtime_ns, st.st_size, st.st_ino)
