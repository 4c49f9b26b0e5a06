"""The offline demo: a local EDGAR replays Biopure's 2003-2004 filings one after another,
and real poll cycles (the daemon's code) find, read, classify and announce them.

The accession numbers are illustrative; the 8-K and 424B5 texts are the bundled
seeds, and each 8-K's press release was written from facts the prospectus
supplement reports.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from importlib import resources
from typing import TextIO

from tracker.config import Config, EdgarSettings, SlackSettings, StateSettings
from tracker.edgar.client import EdgarClient
from tracker.fakes.edgar import FakeDocument, FakeEdgar, FakeFiling
from tracker.models import Alert, Company
from tracker.notify.sinks import ConsoleSink, Sink, make_sink
from tracker.pipeline import Poller
from tracker.state import OutboxRow, State

log = logging.getLogger(__name__)

BIOPURE = Company(cik=815508, ticker="BPUR", name="Biopure Corp", channel="#biopure")
STEP_SECONDS = 1.5


def _doc(name: str) -> bytes:
    return resources.files("tracker").joinpath("data", "biopure", name).read_bytes()


def biopure_filings(step: float = STEP_SECONDS) -> list[FakeFiling]:
    """The four Biopure filings, appearing `step` seconds apart after the first poll."""
    name = "BIOPURE CORP"

    def eight_k(day: str, acc: str, items: tuple[str, ...], at: float) -> FakeFiling:
        return FakeFiling(
            cik=815508,
            company=name,
            accession=acc,
            form="8-K",
            filed=date.fromisoformat(day),
            items=items,
            accepted=f"{day}T08:0{int(at)}:00-05:00",
            appear_at=at,
            documents=[
                FakeDocument(
                    f"d8k{day.replace('-', '')}.txt", "8-K", _doc(f"{day}_8k.txt"), "FORM 8-K"
                ),
                FakeDocument(
                    f"dex991{day.replace('-', '')}.txt",
                    "EX-99.1",
                    _doc(f"{day}_ex99-1.txt"),
                    "PRESS RELEASE",
                ),
            ],
        )

    return [
        eight_k("2003-10-30", "0001047469-03-035512", ("5",), step),
        eight_k("2003-12-11", "0001047469-03-040870", ("7", "12"), 2 * step),
        eight_k("2004-02-19", "0001047469-04-004567", ("7", "9", "12"), 3 * step),
        FakeFiling(
            cik=815508,
            company=name,
            accession="0001047469-04-004571",
            form="424B5",
            filed=date(2004, 2, 19),
            accepted="2004-02-19T17:02:00-05:00",
            appear_at=3 * step,
            documents=[
                FakeDocument(
                    "d424b5.txt", "424B5", _doc("2004-02-19_424b5.txt"), "PROSPECTUS SUPPLEMENT"
                )
            ],
        ),
    ]


class _Tee:
    """Print every alert, and post it too when Slack is configured."""

    name = "demo"

    def __init__(self, console: ConsoleSink, other: Sink | None):
        self.console = console
        self.other = other
        self.can_find_posted = bool(other and other.can_find_posted)
        self._printed: set[str] = set()

    def post(self, alert: Alert, thread_ts: str | None = None) -> str | None:
        if alert.alert_id not in self._printed:  # a Slack retry must not print it again
            self._printed.add(alert.alert_id)
            self.console.post(alert, thread_ts)
        return self.other.post(alert, thread_ts) if self.other else None

    def find_posted(self, alert: Alert, since: float) -> str | None:
        return self.other.find_posted(alert, since) if self.other else None


def _user_settings(config_path: str | None, env: dict[str, str]) -> tuple[SlackSettings, Company]:
    from tracker.config import load_config
    from tracker.errors import ConfigError

    try:
        user = load_config(config_path) if config_path else None
    except ConfigError:
        user = None
    if user is None:
        return SlackSettings(
            base_url=env.get("TRACKER_DEMO_SLACK_URL", "https://slack.com/api/")
        ), BIOPURE
    listed = user.company(BIOPURE.cik)
    # Not listed: the user's default channel, not a #biopure their workspace may lack.
    company = (
        replace(BIOPURE, channel=None)
        if listed is None
        else Company(
            cik=BIOPURE.cik,
            ticker=listed.ticker or BIOPURE.ticker,
            name=listed.name or BIOPURE.name,
            channel=listed.channel,
            categories=listed.categories,
            forms=listed.forms,
        )
    )
    return user.slack, company


def _filed(row: OutboxRow) -> date:
    filed = row.alert.get("filed", "")
    try:
        return date.fromisoformat(str(filed))
    except ValueError:
        return date.min


def _calendar_phase(poller: Poller, replay: list[date], say: Callable[..., None]) -> None:
    """Past the last filing: what is due, the Monday digest, and the deadline passing.

    The replay clock moves on (no waiting: the calendar reads the date it is given),
    and real poll cycles and the daemon's digest job run on those days.
    """
    from tracker.calendar.upcoming import build_calendar, render_calendar

    replay[0] = date(2004, 2, 20)
    say("== The calendar: the replay clock moves past the last filing ==")
    say()
    say("2004-02-20, `tracker upcoming --days 365`:")
    say(render_calendar(build_calendar(poller.config, poller.state, replay[0], 365)))
    say()
    replay[0] = date(2004, 2, 23)
    say('2004-02-23, Monday 08:00: the weekly digest (`[digest] schedule = "mon 08:00"`):')
    say()
    poller.run_digest()
    grace = poller.config.calendar.grace_days
    replay[0] = date(2004, 7, 15)
    say(
        f"2004-07-15: June 30, 2004 and {grace} days' grace have passed with no filing about "
        "the reply. A poll cycle:"
    )
    say()
    first = poller.run_cycle()
    replay[0] = date(2004, 7, 16)
    second = poller.run_cycle()
    say(
        f"2004-07-16, the next poll cycle: {second.delivery.delivered} alerts posted "
        f"({first.delivery.delivered} the day before; an overdue milestone is announced once)."
    )
    say()


def run_demo(
    out: TextIO = sys.stdout,
    state_dir: str | None = None,
    step: float = STEP_SECONDS,
    env: dict[str, str] | None = None,
    config_path: str | None = None,
) -> int:
    """Run the replay; returns the number of alerts delivered.

    The watch config, when it loads, only lends its Slack settings and Biopure's entry
    (channel, categories), so "posted, if Slack is configured" means the user's Slack.
    """
    env = dict(os.environ if env is None else env)
    slack, company = _user_settings(config_path, env)
    started = time.monotonic()
    filings = biopure_filings(step)
    with (
        FakeEdgar(filings, names={815508: "BIOPURE CORP"}) as edgar,
        tempfile.TemporaryDirectory(prefix="tracker-demo-") as tmp,
    ):
        config = Config(
            edgar=EdgarSettings(
                user_agent="tracker demo demo@example.com",
                base_url=edgar.base_url,
                poll_interval_seconds=1.0,
            ),
            slack=slack,
            state=StateSettings(),
            companies=(company,),
            path="(built-in demo config)",
        )
        state = State(state_dir or tmp)
        client = EdgarClient(edgar.base_url, config.edgar.user_agent, max_rps=10)
        real = make_sink(env, config.slack.base_url)
        sink = _Tee(ConsoleSink(out), None if isinstance(real, ConsoleSink) else real)
        # The replay clock: the date of the newest filing replayed so far, then the days
        # the calendar phase visits. Everything date-dependent reads it (tracker.calendar).
        replay = [date(2003, 10, 29)]
        poller = Poller(config, state, client, sink, today=lambda: replay[0])
        say = lambda text="": print(text, file=out, flush=True)  # noqa: E731
        say("tracker demo: a local EDGAR (on 127.0.0.1) replays Biopure Corporation's filings of")
        say("2003-2004. The tracker polls it as it would poll SEC: the first poll records what")
        say("exists as a baseline and posts nothing; each filing that appears later is read,")
        say("classified and announced once, with the sentences that decided it.")
        say(f"Alerts go to {'Slack and ' if sink.other else ''}this terminal.")
        say()
        expected = len(filings)
        edgar.replay_from_now()  # the first poll sees none of them, however long set-up took
        cycle = 0
        delivered = 0
        deadline = started + 4 * step + 8
        while time.monotonic() < deadline:
            cycle += 1
            report = poller.run_cycle()
            delivered += report.delivery.delivered
            replay[0] = max([replay[0], *(_filed(r) for r in state.alerts())])
            if report.baselined:
                say(f"poll {cycle}: baseline taken for Biopure Corp (no alerts for old filings)")
                say()
            elif report.new_filings:
                say(
                    f"-- poll {cycle}: {report.new_filings} new filing(s), "
                    f"{report.requests} EDGAR requests --"
                )
                say()
            if len(state.alerted_accessions()) >= expected and not state.alerts("pending"):
                break
            time.sleep(max(0.2, step / 3))
        _calendar_phase(poller, replay, say)
        from tracker.timeline import render_timeline

        say("Milestone timeline the tracker built (`tracker timeline BPUR`):")
        say(render_timeline(state.ledger(BIOPURE.cik)))
        say()
        say(
            f"Done in {time.monotonic() - started:.1f}s: {delivered} alerts from "
            f"{len(edgar.requests)} EDGAR requests, each with User-Agent "
            f"'{config.edgar.user_agent}'."
        )
        say(
            "Run it for real: set edgar.user_agent in config/watch.toml, export SLACK_BOT_TOKEN, "
            "then `tracker run`."
        )
    return delivered
