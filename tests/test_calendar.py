"""The milestone calendar: one clock, `upcoming`, overdue alerts through the outbox.

The Biopure test drives the real commands against a local EDGAR (replaying the four
bundled filings, tracker/data/biopure) and a local Slack, with the date set as users
set it (--today), and checks what reached Slack.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tracker.calendar.clock import clock_from
from tracker.calendar.overdue import check_overdue
from tracker.calendar.schedule import open_milestones, tracks
from tracker.cli import main
from tracker.config import load_config
from tracker.demo import biopure_filings
from tracker.errors import ConfigError
from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack
from tracker.state import SeenFiling, State
from tracker.timeline import render_timeline, timeline_rows

from conftest import TOKEN, as_if_killed_after_post, write_config

BPUR = """
[[companies]]
ticker = "BPUR"
cik = 815508
name = "Biopure Corp"
channel = "#biopure"
"""


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def biopure(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[str], FakeSlack]:
    """Global options for a config watching Biopure, after its four filings were polled."""
    cfg = write_config(
        tmp_path / "watch.toml", edgar.base_url, slack_url=slack.base_url, companies=BPUR
    )
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("TRACKER_TODAY", raising=False)
    opts = ["--config", str(cfg), "--state", str(tmp_path / "state"), "-q"]
    assert main([*opts, "--today", "2003-10-01", "poll"]) == 0  # the baseline: nothing yet
    for filing in biopure_filings():
        edgar.add(replace(filing, appear_at=0.0))
    assert main([*opts, "--today", "2004-02-19", "poll"]) == 0
    assert len(slack.messages("#biopure")) == 4
    return opts, slack


def _overdue(slack: FakeSlack) -> list[dict[str, object]]:
    return [
        m
        for m in slack.messages()
        if (m.get("metadata") or {}).get("event_type") == "milestone_overdue"
    ]


def test_biopure_upcoming_then_exactly_one_overdue_alert(
    biopure: tuple[list[str], FakeSlack], capsys: pytest.CaptureFixture[str]
) -> None:
    opts, slack = biopure
    capsys.readouterr()
    # The global options work after the command too.
    code, out, _ = _run(
        capsys, *opts, "upcoming", "--today", "2004-02-20", "--days", "365", "--json"
    )
    assert code == 0
    data = json.loads(out)
    [row] = [m for m in data["milestones"] if m["kind"] == "crl_reply"]
    assert row["due"] == "2004-06-30" and row["target_range"] == ["2004-06-30", "2004-06-30"]
    assert row["company"] == "Biopure Corp" and row["product"] == "Hemopure"
    assert row["status"] == "at_risk" and row["target"] == "by June 30, 2004"
    assert "may not formally respond to the complete response letter" in row["sentence"]
    # The 8-K set the date; the prospectus of the same evening only repeated it.
    assert row["accession"] == "0001047469-04-004567"
    assert row["url"].endswith("/000104746904004567/0001047469-04-004567-index.htm")
    assert row["moves"] == 0  # "June 2004", then "by June 30, 2004": the same range's end
    assert data["overdue"] == []

    # Not yet: the grace period runs to 2004-07-07.
    assert main([*opts, "--today", "2004-07-07", "poll"]) == 0
    assert _overdue(slack) == []
    assert main([*opts, "--today", "2004-07-15", "poll"]) == 0
    assert main([*opts, "--today", "2004-07-16", "poll"]) == 0
    [msg] = _overdue(slack)
    assert msg["channel"] == "#biopure"
    assert msg["metadata"] == {
        "event_type": "milestone_overdue",
        "event_payload": {
            "cik": 815508,
            "product": "Hemopure",
            "milestone": "reply to FDA complete response letter",
            "due": "2004-06-30",
        },
    }
    everything = str(msg["text"]) + json.dumps(msg["blocks"])
    assert "June 30, 2004" in everything and "complete response letter" in everything
    assert "0001047469-04-004567-index.htm" in everything  # who said so, linked
    assert "nothing" in everything  # what the company filed since

    # A restart with the same state, days later: still one.
    assert main([*opts, "--today", "2004-07-20", "poll"]) == 0
    assert len(_overdue(slack)) == 1
    capsys.readouterr()
    code, out, _ = _run(capsys, *opts, "timeline", "BPUR")
    assert code == 0
    assert "OVERDUE — was due by June 30, 2004" in out
    code, out, _ = _run(capsys, *opts, "--today", "2004-07-20", "upcoming", "--json")
    [late] = json.loads(out)["overdue"]
    assert late["due"] == "2004-06-30" and late["overdue_since"] == "2004-07-08"


def test_upcoming_filters_by_company_and_checks_its_options(
    biopure: tuple[list[str], FakeSlack], capsys: pytest.CaptureFixture[str]
) -> None:
    opts, _ = biopure
    capsys.readouterr()
    code, out, _ = _run(
        capsys, *opts, "--today", "2004-02-20", "upcoming", "--days", "365", "--company", "bpur"
    )
    assert code == 0
    assert out.startswith("Milestones due from 2004-02-20 to 2005-02-19:")
    assert "2004-06-30  Biopure Corp: reply to FDA complete response letter (Hemopure)" in out
    assert "due Jun 30, 2004, in 131 days; target never moved" in out
    code, out, _ = _run(capsys, *opts, "--today", "2004-02-20", "upcoming", "--days", "30")
    assert code == 0 and "(none with a target date in this window)" in out
    code, _, err = _run(capsys, *opts, "upcoming", "--company", "ZZZZ")
    assert code == 2 and "ZZZZ" in err and "not a watched company" in err
    code, _, err = _run(capsys, *opts, "upcoming", "--days", "-3")
    assert code == 2 and "--days" in err


def test_biopure_digest_prints_and_posts(
    biopure: tuple[list[str], FakeSlack], capsys: pytest.CaptureFixture[str]
) -> None:
    opts, slack = biopure
    capsys.readouterr()
    code, out, _ = _run(capsys, *opts, "--today", "2004-02-23", "digest", "--print")
    assert code == 0
    assert "Weekly digest for #biopure" in out and "# Biopure Corp" in out
    assert "- FDA, Financing, Workforce, Results: 8-K Feb 19, 424B5 Feb 19" in out
    assert "Slipped: reply to FDA complete response letter" in out
    assert "June 30, 2004 (128 days): Biopure Corp, reply to FDA complete response letter" in out
    code, _, _ = _run(capsys, *opts, "--today", "2004-06-10", "digest", "--post")
    assert code == 0
    [msg] = [m for m in slack.messages("#biopure") if "Weekly digest" in str(m["text"])]
    assert msg["metadata"] == {
        "event_type": "weekly_digest",
        "event_payload": {"channel": "#biopure", "week_ending": "2004-06-10"},
    }
    blocks = json.dumps(msg["blocks"])
    assert "Due in the next 30 days" in blocks and "June 30, 2004 (20 days)" in blocks
    code, _, _ = _run(capsys, *opts, "--today", "2004-02-23", "digest", "--post")
    assert code == 0
    week = [m for m in slack.messages("#biopure") if "week_ending" in json.dumps(m["metadata"])]
    # The 8-K and the 424B5 of Feb 19: two filings, however many categories each carries.
    assert any(str(m["text"]).startswith("Weekly digest: 2 alerts (Biopure Corp)") for m in week)


def test_the_daemon_schedules_the_digest_and_sends_it_once(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    from datetime import UTC, datetime

    from tracker.daemon import Daemon
    from tracker.edgar.client import EdgarClient
    from tracker.notify.sinks import SlackSink
    from tracker.pipeline import Poller

    def daemon(extra: str) -> Daemon:
        cfg = write_config(
            tmp_path / "w.toml", edgar.base_url, slack_url=slack.base_url, companies=BPUR + extra
        )
        config = load_config(str(cfg))
        client = EdgarClient(edgar.base_url, config.edgar.user_agent, sleep=lambda s: None)
        poller = Poller(
            config,
            State(tmp_path / "state"),
            client,
            SlackSink(TOKEN, slack.base_url),
            today=lambda: date(2004, 6, 10),
        )
        d = Daemon(config, poller)
        d._schedule_digest()
        return d

    assert daemon("").scheduler.get_job("digest") is None  # off by default
    d = daemon('\n[digest]\nschedule = "mon 08:00"\ntimezone = "America/New_York"\n')
    job = d.scheduler.get_job("digest")
    assert job is not None
    fire = job.trigger.get_next_fire_time(None, datetime(2026, 12, 2, tzinfo=UTC))
    assert fire.strftime("%a %H:%M") == "Mon 08:00" and str(fire.tzinfo) == "America/New_York"
    d.poller.state.save_ledger(
        815508, _ledger(("2004-02-19", "at_risk", "by June 30, 2004", "2004-06-30", "Hemopure"))
    )
    d.digest()
    d.digest()  # a second run the same day (a restart, a misfire) posts nothing new
    [msg] = slack.messages("#biopure")
    assert msg["metadata"]["event_type"] == "weekly_digest"
    assert "June 30, 2004" in json.dumps(msg["blocks"])


def _ledger(*rows: tuple[str, str, str, str, str]) -> list[dict[str, object]]:
    """Milestone entries (filed, status, target, key, product) of one kind, in order."""
    return [
        {
            "type": "milestone",
            "product": product,
            "kind": "submission",
            "status": status,
            "target": target,
            "target_key": key,
            "sentence": f"The company {status} the NDA {target}.",
            "accession": f"0000000001-24-{i:06d}",
            "filed": filed,
        }
        for i, (filed, status, target, key, product) in enumerate(rows, start=1)
    ]


def test_a_track_counts_moves_follows_renames_and_keeps_the_last_date() -> None:
    entries = _ledger(
        ("2024-01-10", "planned", "in Q2 2024", "2024-Q2", "ABX-101"),
        ("2024-04-10", "planned", "by June 30, 2024", "2024-06-30", "ABX-101"),  # refinement
        ("2024-07-10", "delayed", "in Q4 2024", "2024-Q4", "Zelvora"),  # a slip, new name
        ("2024-08-10", "planned", "", "", "Zelvora"),  # no date: the last one stands
    )
    entries.insert(2, {"type": "alias", "old": "ABX-101", "new": "Zelvora", "filed": "2024-07-10"})
    [track] = tracks(entries)
    assert track.product == "Zelvora" and track.moves == 1 and track.slips == 1
    assert track.target == "in Q4 2024" and track.due == date(2024, 12, 31)
    [row] = open_milestones(1, "Acme", entries, "https://www.sec.gov")
    assert row.accession == "0000000001-24-000003"  # the statement that set the date
    assert row.start == date(2024, 10, 1) and row.moves == 1


def test_done_moved_or_dropped_is_not_overdue(tmp_path: Path) -> None:
    config = load_config(
        str(write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=BPUR))
    )
    state = State(tmp_path / "state")
    today = date(2024, 9, 1)
    for later in (
        ("2024-06-01", "achieved", "", "", "Zelvora"),
        ("2024-06-01", "planned", "by December 31, 2024", "2024-12-31", "Zelvora"),
        ("2024-06-01", "abandoned", "", "", "Zelvora"),
    ):
        entries = _ledger(
            ("2024-01-10", "planned", "by June 30, 2024", "2024-06-30", "Zelvora"), later
        )
        state.save_ledger(815508, entries)
        assert check_overdue(config, state, today).queued == 0
    # Said once and never spoken of again: overdue, once.
    state.save_ledger(
        815508, _ledger(("2024-01-10", "planned", "by June 30, 2024", "2024-06-30", "Zelvora"))
    )
    assert check_overdue(config, state, today).queued == 1
    assert check_overdue(config, state, today).queued == 0
    [pending] = state.alerts("pending")
    assert pending.alert["notice"]["payload"]["due"] == "2024-06-30"


def test_a_later_filing_closes_an_overdue_milestone_in_the_timeline(tmp_path: Path) -> None:
    config = load_config(
        str(write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=BPUR))
    )
    state = State(tmp_path / "state")
    state.save_ledger(
        815508, _ledger(("2024-01-10", "planned", "by June 30, 2024", "2024-06-30", "Zelvora"))
    )
    assert check_overdue(config, state, date(2024, 7, 20)).queued == 1
    entries = (
        state.ledger(815508)
        + _ledger(("2024-08-01", "achieved", "on July 29, 2024", "2024-07-29", "Zelvora"))[:1]
    )
    entries[-1]["accession"] = "0000000001-24-000099"
    state.save_ledger(815508, entries)
    [overdue] = [r for r in timeline_rows(entries) if r["status"] == "overdue"]
    assert overdue["closed_by"]["accession"] == "0000000001-24-000099"
    assert "OVERDUE — was due by June 30, 2024 (closed 2024-08-01: done)" in render_timeline(
        entries
    )
    assert check_overdue(config, state, date(2024, 9, 1)).queued == 0


def test_a_deadline_long_past_is_recorded_not_announced(tmp_path: Path) -> None:
    config = load_config(
        str(write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=BPUR))
    )
    state = State(tmp_path / "state")
    state.save_ledger(
        815508, _ledger(("2020-01-10", "planned", "by June 30, 2020", "2020-06-30", "Zelvora"))
    )
    assert check_overdue(config, state, date(2024, 9, 1)).queued == 0
    assert state.alerts() == []
    assert [e["announced"] for e in state.ledger(815508) if e["type"] == "overdue"] == [False]


def test_a_filing_still_being_fetched_holds_the_check(tmp_path: Path) -> None:
    config = load_config(
        str(write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=BPUR))
    )
    state = State(tmp_path / "state")
    state.save_ledger(
        815508, _ledger(("2024-01-10", "planned", "by June 30, 2024", "2024-06-30", "Zelvora"))
    )
    state.record_failure(815508, "0000000001-24-000050", "503")
    held = check_overdue(config, state, date(2024, 7, 20))
    assert held.queued == 0 and held.waiting == {815508}
    state.record_filings(
        815508, [SeenFiling("0000000001-24-000050", form="8-K", filed="2024-07-19")]
    )
    assert check_overdue(config, state, date(2024, 7, 20)).queued == 1
    [pending] = state.alerts("pending")
    assert "- 8-K filed 2024-07-19" in pending.alert["notice"]["lines"]


def test_the_clock_comes_from_the_option_else_the_environment_else_the_system() -> None:
    assert clock_from("2004-07-15", {"TRACKER_TODAY": "2001-01-01"}).today() == date(2004, 7, 15)
    assert clock_from(None, {"TRACKER_TODAY": "2004-02-20"}).today() == date(2004, 2, 20)
    assert clock_from(None, {"TRACKER_TODAY": ""}).source == "system"
    with pytest.raises(ConfigError, match=r"TRACKER_TODAY.*not a real date"):
        clock_from(None, {"TRACKER_TODAY": "2004-02-30"})


@pytest.mark.parametrize(
    ("env", "argv", "words"),
    [
        ({"TRACKER_TODAY": "15/07/2004"}, [], ["TRACKER_TODAY", "YYYY-MM-DD"]),
        ({}, ["--today", "2004-13-01"], ["--today", "not a real date"]),
    ],
)
def test_a_malformed_date_is_a_usage_error_naming_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    argv: list[str],
    words: list[str],
) -> None:
    cfg = write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=BPUR)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    # Every command refuses it, also those that never ask the date.
    for command in (["upcoming"], ["status"], ["check-config"], ["watch", "list"]):
        code, _, err = _run(
            capsys, "--config", str(cfg), "--state", str(tmp_path / "s"), *argv, *command
        )
        assert code == 2, command
        for word in words:
            assert word in err


@pytest.mark.parametrize(
    ("extra", "key", "reason"),
    [
        ("[calendar]\ngrace_days = -1\n", "calendar.grace_days", "between 0 and 3650"),
        ("[calendar]\ngrace = 3\n", "calendar.grace", "unknown key"),
        ('[digest]\nschedule = "monday"\n', "digest.schedule", "not a schedule"),
        ('[digest]\nschedule = "mnd 08:00"\n', "digest.schedule", "not a day"),
        ('[digest]\nschedule = "mon 24:00"\n', "digest.schedule", "not a time of day"),
        (
            '[digest]\nschedule = "mon 08:00"\ntimezone = "Mars/Olympus"\n',
            "digest.timezone",
            "not a time zone",
        ),
    ],
)
def test_calendar_and_digest_keys_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, key: str, reason: str
) -> None:
    cfg = write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=BPUR + "\n" + extra)
    code, _, err = _run(capsys, "--config", str(cfg), "check-config")
    assert code == 2
    assert key in err and reason in err and "w.toml:" in err


def test_the_slip_chart_draws_targets_over_filing_dates(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    from tracker.calendar.svg import SLIP, slip_chart

    entries = [
        *_ledger(
            ("2023-02-10", "planned", "in Q4 2023", "2023-Q4", "Zelvora"),
            ("2023-05-10", "planned", "by end of 2023", "2023-12-31", "Zelvora"),  # inside: no slip
            ("2023-08-09", "delayed", "in 1H 2024", "2024-H1", "Zelvora"),  # slip: 182 days
        ),
        {
            "type": "overdue",
            "product": "Zelvora",
            "kind": "submission",
            "due": "2024-06-30",
            "filed": "2024-07-08",
            "target": "in 1H 2024",
            "accession": "",
        },
    ]
    text = slip_chart("Acme Bio & Co <A>", entries, date(2024, 7, 8))
    root = ET.fromstring(text)  # well-formed: a filing's words cannot break the markup
    words = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Acme Bio & Co <A>: milestone slip chart" in words
    assert "stated target date" in words and "filing date" in words  # axis titles
    for label in ("2023-02-10", "2023-08-09", "Jan 2024", "regulatory submission (Zelvora)"):
        assert label in words
    assert "slip +182 days" in words and words.count("slip +") == 1
    assert "overdue: due 2024-06-30, no news by 2024-07-08" in words
    assert "today (2024-07-08)" in words
    lines = list(root.iter("{http://www.w3.org/2000/svg}line"))
    assert sum(1 for ln in lines if ln.get("stroke") == SLIP and ln.get("stroke-width") == "3") >= 1
    empty = ET.fromstring(slip_chart("Nobody", [], None))
    assert "No milestone with a stated target date" in ET.tostring(empty, encoding="unicode")


def test_timeline_svg_writes_the_chart(
    biopure: tuple[list[str], FakeSlack], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opts, _ = biopure
    out_file = tmp_path / "bpur.svg"
    code, _, err = _run(
        capsys, *opts, "--today", "2004-02-20", "timeline", "BPUR", "--svg", str(out_file)
    )
    assert code == 0 and "slip chart written" in err
    svg = out_file.read_text()
    assert svg.startswith("<svg") and "Biopure Corp: milestone slip chart" in svg
    assert "by June 30, 2004" in svg
    code, _, err = _run(
        capsys, *opts, "timeline", "BPUR", "--svg", str(tmp_path / "missing" / "x.svg")
    )
    assert code == 1 and "cannot write the slip chart" in err


def test_the_poll_cycle_checks_the_calendar_once_a_day(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    from tracker.edgar.client import EdgarClient
    from tracker.notify.sinks import SlackSink
    from tracker.pipeline import Poller

    cfg = write_config(
        tmp_path / "w.toml", edgar.base_url, slack_url=slack.base_url, companies=BPUR
    )
    config = load_config(str(cfg))
    day = [date(2024, 7, 1)]
    client = EdgarClient(edgar.base_url, config.edgar.user_agent, sleep=lambda s: None)
    state = State(tmp_path / "state")
    poller = Poller(config, state, client, SlackSink(TOKEN, slack.base_url), today=lambda: day[0])
    poller.run_cycle()  # baseline and the day's check: nothing is due
    state.save_ledger(
        815508, _ledger(("2024-01-10", "planned", "by June 1, 2024", "2024-06-01", "Zelvora"))
    )
    assert poller.run_cycle().alerts_queued == 0  # the same day: no ledger is read again
    day[0] = date(2024, 7, 2)
    report = poller.run_cycle()
    assert report.alerts_queued == 1 and report.delivery.delivered == 1
    assert poller.run_cycle().alerts_queued == 0
    assert len(_overdue(slack)) == 1


def test_an_overdue_alert_posted_before_a_crash_is_not_posted_again(
    tmp_path: Path, slack: FakeSlack
) -> None:
    import time

    from tracker.notify.outbox import deliver
    from tracker.notify.sinks import SlackSink

    config = load_config(
        str(write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=BPUR))
    )
    state = State(tmp_path / "state")
    state.save_ledger(
        815508, _ledger(("2024-01-10", "planned", "by June 30, 2024", "2024-06-30", "Zelvora"))
    )
    assert check_overdue(config, state, date(2024, 7, 20)).queued == 1
    sink = SlackSink(TOKEN, slack.base_url)
    assert deliver(state, sink).delivered == 1
    # A kill between Slack's ok and our record leaves the row "sending": the restart looks
    # in the channel for the alert's metadata before posting again.
    as_if_killed_after_post(state, last_try_epoch=time.time() - 5)
    assert deliver(state, sink).delivered == 1
    assert len(_overdue(slack)) == 1
    assert [r.status for r in state.alerts()] == ["delivered"]


def test_check_config_accepts_and_names_a_digest_schedule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = (
        '\n[calendar]\ngrace_days = 0\n\n[digest]\nschedule = "Friday 17:30"\n'
        'timezone = "Europe/Berlin"\n'
    )
    cfg = write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=BPUR + extra)
    code, out, _ = _run(capsys, "--config", str(cfg), "check-config")
    assert code == 0 and "weekly digest Friday 17:30 Europe/Berlin" in out
    config = load_config(str(cfg))
    assert config.calendar.grace_days == 0 and config.digest.when == ("fri", 17, 30)


def test_a_long_notice_stays_within_slacks_limits() -> None:
    from tracker.models import Notice
    from tracker.notify.notice import notice_blocks

    lines: list[str] = []
    for i in range(120):
        lines += [f"# Company {i} <!channel>", "- FDA: 8-K Feb 19 " + "x" * 150, ""]
    blocks = notice_blocks(Notice("weekly_digest", {}, "Weekly digest", tuple(lines)))
    assert len(blocks) <= 50
    assert sum(len(b.get("text", {}).get("text", "")) for b in blocks) < 12_000
    assert "more parts: `tracker digest --print`" in blocks[-1]["text"]["text"]
    assert "<!channel>" not in json.dumps(blocks)  # text from filings is escaped
