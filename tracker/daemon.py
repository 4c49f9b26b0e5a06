"""`tracker run`: poll on a schedule for months, reloading the watch config as it changes.

APScheduler 3 (a BlockingScheduler, one job instance at a time, missed runs
coalesced) drives the same Poller as `tracker poll`. Signals only set flags and
wake the scheduler; the work happens in the job.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from tracker.config import Config, load_config
from tracker.errors import ConfigError, TrackerError
from tracker.pipeline import Poller

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 9.0


class Daemon:
    """Owns the scheduler, the stop flag and the last good config."""

    def __init__(self, config: Config, poller: Poller):
        from apscheduler.schedulers.blocking import BlockingScheduler

        self.config = config
        self.poller = poller
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
        poller.stop = self.stopping.is_set

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_stop)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, self._on_reload)
        self._schedule(first=True)
        self._schedule_digest()
        log.info(
            "tracker daemon started (pid %d): %d companies, every %.0fs, mode %s",
            os.getpid(),
            len(self.config.companies),
            self.config.edgar.poll_interval_seconds,
            self.config.mode,
        )
        self.scheduler.start()  # returns after shutdown
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

    def _schedule(self, first: bool = False) -> None:
        kwargs: dict[str, Any] = {"seconds": self.config.edgar.poll_interval_seconds}
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
            report = self.poller.run_cycle()
            log.log(logging.INFO if report.ok else logging.WARNING, "%s", report.summary())
            job = self.scheduler.get_job("poll")
            if job is not None and job.next_run_time is not None:
                self.poller.state.update_status(
                    next_poll=job.next_run_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                )
        except TrackerError as exc:
            log.error("poll failed: %s; trying again next interval", exc)
        except Exception:
            log.exception("poll crashed; trying again next interval")
        finally:
            self.idle.set()
            if self.stopping.is_set():
                self._shutdown()

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
        self.config = config
        self.poller.use_config(config)
        self._config_stamp = stamp
        self._bad_stamp = None
        log.info(
            "config reloaded from %s: %d companies (%d added, %d removed)",
            config.path,
            len(config.companies),
            len(added),
            len(removed),
        )
        if interval_changed:
            self._schedule()
        self._schedule_digest()
        return True

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
