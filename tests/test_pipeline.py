"""End to end: a local EDGAR and a local Slack, real poll cycles, assertions on what Slack got."""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tracker.config import load_config
from tracker.edgar.client import EdgarClient
from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack
from tracker.notify.sinks import ConsoleSink, SlackSink
from tracker.pipeline import Poller
from tracker.state import State

from conftest import ACME, TOKEN, as_if_killed_after_post, make_filing, write_config

CIK = 1111111


def poller(
    tmp_path: Path,
    edgar: FakeEdgar,
    slack: FakeSlack | None = None,
    companies: str = ACME,
    extra_edgar: str = "",
    extra: str = "",
    state_dir: Path | None = None,
    clock: Callable[[], float] = time.time,
) -> Poller:
    cfg = write_config(
        tmp_path / "watch.toml",
        edgar.base_url,
        slack_url=slack.base_url if slack else "http://127.0.0.1:9/api/",
        companies=companies,
        extra_edgar=extra_edgar,
        extra=extra,
    )
    config = load_config(str(cfg))
    client = EdgarClient(
        edgar.base_url,
        config.edgar.user_agent,
        sleep=lambda s: None,
        cooldown=config.edgar.cooldown_seconds,
    )
    sink = SlackSink(TOKEN, slack.base_url) if slack else ConsoleSink()
    return Poller(config, State(state_dir or tmp_path / "state"), client, sink, clock=clock)


def test_baseline_then_one_alert_per_new_filing(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    edgar.add(make_filing(CIK, "0000950123-24-000001", filed="2024-01-10"))
    p = poller(tmp_path, edgar, slack)
    first = p.run_cycle()
    assert first.baselined == 1 and slack.messages() == []
    edgar.add(make_filing(CIK, "0000950123-24-000002", filed="2024-03-01"))
    second = p.run_cycle()
    assert second.new_filings == 1 and second.delivery.delivered == 1
    [msg] = slack.messages()
    assert msg["channel"] == "#acme"
    assert msg["metadata"] == {
        "event_type": "filing_alert",
        "event_payload": {
            "accession": "0000950123-24-000002",
            "cik": CIK,
            "form": "8-K",
            "categories": ["results"],
        },
    }
    assert "Acme Bio" in msg["text"] and "8-K" in msg["text"]
    links = str(msg["blocks"])
    assert "0000950123-24-000002-index.htm" in links and "dex991.htm" in links
    assert p.run_cycle().new_filings == 0
    assert len(slack.messages()) == 1


def test_restart_does_not_alert_twice(tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002"))
    p.run_cycle()
    again = poller(tmp_path, edgar, slack)  # a new process on the same state
    report = again.run_cycle()
    assert report.new_filings == 0 and report.alerts_queued == 0
    assert len(slack.messages()) == 1


def test_backfill_alerts_newest_on_first_poll(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    for n, day in enumerate(["2024-01-02", "2024-02-02", "2024-03-02"], start=1):
        edgar.add(make_filing(CIK, f"0000950123-24-00000{n}", filed=day))
    poller(tmp_path, edgar, slack, extra_edgar="backfill = 2").run_cycle()
    accessions = [m["metadata"]["event_payload"]["accession"] for m in slack.messages()]
    assert accessions == ["0000950123-24-000002", "0000950123-24-000003"]


def test_failed_fetch_is_retried_next_cycle_not_marked_seen(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002"))
    edgar.fail("/000095012324000002/index.json", 503, count=10)
    report = p.run_cycle()
    assert report.errors and slack.messages() == []
    assert "0000950123-24-000002" not in p.state.seen_accessions(CIK)
    assert p.state.company(CIK).failures["0000950123-24-000002"].attempts == 1
    edgar.fail("/000095012324000002/index.json", 503, count=0)
    edgar._faults.clear()
    assert p.run_cycle().delivery.delivered == 1
    assert "0000950123-24-000002" in p.state.seen_accessions(CIK)
    assert p.state.company(CIK).failures == {}


def test_missing_index_json_falls_back_to_full_submission(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002"))
    edgar.fail("/000095012324000002/index.json", 404, count=5)
    assert p.run_cycle().delivery.delivered == 1
    assert edgar.requests_to("/0000950123-24-000002.txt")


def test_slack_outage_delays_but_loses_nothing(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002"))
    slack.set_down(True)
    report = p.run_cycle()
    assert report.alerts_queued == 1 and report.delivery.pending == 1
    assert [a.status for a in p.state.alerts()] == ["pending"]
    slack.set_down(False)
    assert p.run_cycle().delivery.delivered == 1  # the first cycle after Slack is back
    assert len(slack.messages()) == 1


def test_kill_between_post_and_record_does_not_post_again(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002"))
    p.run_cycle()
    assert [a.status for a in p.state.alerts()] == ["delivered"]
    # As if the process died right after Slack said ok, before the record was written:
    # the alert is back among the open ones, as "sending".
    as_if_killed_after_post(p.state)
    again = poller(tmp_path, edgar, slack)
    assert again.run_cycle().delivery.delivered == 1
    assert len(slack.messages()) == 1
    assert again.state.alerts()[0].status == "delivered"


def test_rate_limited_post_honours_retry_after(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002"))
    slack.fail_next("chat.postMessage", 1, status=429, retry_after=1)
    assert p.run_cycle().delivery.delivered == 1
    assert len(slack.requests_for("chat.postMessage")) == 2


@pytest.mark.parametrize("error", ["channel_not_found", "invalid_auth", "not_in_channel"])
def test_permanent_slack_errors_are_kept_and_reported(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, error: str
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002"))
    slack.fail_next("chat.postMessage", 1, status=200, error=error)
    report = p.run_cycle()
    assert report.delivery.failed == 1
    [row] = p.state.alerts()
    assert row.status == "failed" and error in row.last_error
    assert p.state.status().last_poll_ok is False


def test_hostile_filing_text_cannot_ping_or_disguise_links(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    hostile = (
        "The company reported financial results for the fourth quarter <!channel> "
        "<@U123ABC> <http://evil.example|sec.gov> &amp; \x07\x1b[31m. " + "x" * 100_000
    )
    edgar.add(make_filing(CIK, "0000950123-24-000002", release=html.escape(hostile)))
    assert p.run_cycle().delivery.delivered == 1
    [msg] = slack.messages()
    payload = str(msg["text"]) + str(msg["blocks"])
    for bad in ("<!channel>", "<@U123ABC>", "<http://evil.example", "\x07", "\x1b"):
        assert bad not in payload
    assert "&lt;!channel&gt;" in payload
    for block in msg["blocks"]:
        text = block.get("text", {}).get("text", "")
        assert len(text) <= 3000


def test_categories_filter_posts_nothing_but_marks_seen(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    companies = ACME + 'categories = ["fda"]\n'
    p = poller(tmp_path, edgar, slack, companies=companies)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002"))  # results only
    p.run_cycle()
    assert slack.messages() == []
    assert "0000950123-24-000002" in p.state.seen_accessions(CIK)


def test_routing_by_category_channel_and_mentions(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    companies = '\n[[companies]]\ncik = 1111111\nname = "Acme Bio"\n'
    extra = 'category_channels = { fda = "#fda" }\nmentions = { fda = "@here" }'
    p = poller(tmp_path, edgar, slack, companies=companies, extra=extra)
    p.run_cycle()
    edgar.add(
        make_filing(
            CIK,
            "0000950123-24-000002",
            release=(
                "Acme Bio announced that the FDA approved its new drug application for Zelvora."
            ),
        )
    )
    edgar.add(make_filing(CIK, "0000950123-24-000003", filed="2024-03-02"))
    p.run_cycle()
    by_channel = {m["channel"]: m for m in slack.messages()}
    assert set(by_channel) == {"#fda", "#filings"}
    assert by_channel["#fda"]["text"].endswith(" <!here>")  # after the news, not before
    assert "<!here>" not in by_channel["#filings"]["text"]


def test_amendment_is_posted_in_the_thread_of_the_original(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002"))
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000003", form="8-K/A", filed="2024-03-05"))
    p.run_cycle()
    original, amendment = slack.messages()
    assert amendment["thread_ts"] == original["ts"]


def test_latest_filings_mode_costs_one_request_when_idle(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    companies = "".join(f"\n[[companies]]\ncik = {1000 + n}\n" for n in range(30))
    companies += ACME
    p = poller(
        tmp_path,
        edgar,
        slack,
        companies=companies,
        extra_edgar='mode = "latest"\nsweep_minutes = 600',
    )
    edgar.add(make_filing(9999, "0000950123-24-000009"))  # someone else's filing
    p.run_cycle()  # baselines every company through its own feed
    p.run_cycle()
    idle = p.run_cycle()
    assert idle.requests == 1
    edgar.add(make_filing(CIK, "0000950123-24-000002"))
    found = p.run_cycle()
    assert found.new_filings == 1 and len(slack.messages()) == 1


def test_filing_listed_under_two_watched_ciks_is_one_filing_each(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    companies = ACME + '\n[[companies]]\ncik = 2222222\nname = "Target Co"\nchannel = "#target"\n'
    p = poller(tmp_path, edgar, slack, companies=companies, extra_edgar='mode = "latest"')
    p.run_cycle()
    filing = make_filing(CIK, "0000950123-24-000002")
    filing.other_ciks = ((2222222, "TARGET CO", "Subject"),)
    edgar.add(filing)
    p.run_cycle()
    channels = sorted(m["channel"] for m in slack.messages())
    assert channels == ["#acme", "#target"]
    assert (
        len(edgar.requests_to("/000095012324000002/index.json")) == 2
        or len(edgar.requests_to("/000095012324000002/index.json")) == 1
    )


def test_same_day_filing_about_the_same_matter_joins_the_thread(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(
        make_filing(
            CIK,
            "0000950123-24-000002",
            release=(
                "Acme Bio announced a registered direct offering with gross proceeds of "
                "$5.0 million."
            ),
        )
    )
    edgar.add(
        make_filing(
            CIK,
            "0000950123-24-000003",
            form="424B5",
            release=(
                "Acme Bio is offering shares in a registered direct offering with gross "
                "proceeds of $5.0 million."
            ),
        )
    )
    edgar.add(make_filing(CIK, "0000950123-24-000004", filed="2024-03-09"))
    p.run_cycle()
    first, second, other = slack.messages()
    assert second["thread_ts"] == first["ts"]
    assert other.get("thread_ts") is None


def test_restart_after_downtime_pages_back_through_the_latest_feed(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    # Acme last: its slow sweep of its own feed is not due for a while.
    companies = "".join(f"\n[[companies]]\ncik = {2000 + n}\n" for n in range(25)) + ACME
    for n in range(5):
        edgar.add(make_filing(9999, f"0000950888-24-{n:06d}", filed="2024-02-01"))
    p = poller(tmp_path, edgar, slack, companies=companies, extra_edgar='mode = "latest"')
    p.run_cycle()
    p.run_cycle()
    # While the tracker is down, our filing is pushed to the feed's third page.
    edgar.add(make_filing(CIK, "0000950123-24-000002", filed="2024-03-01"))
    for n in range(250):
        edgar.add(make_filing(9999, f"0000950999-24-{n:06d}", filed="2024-03-02"))
    again = poller(tmp_path, edgar, slack, companies=companies, extra_edgar='mode = "latest"')
    report = again.run_cycle()
    assert report.new_filings == 1
    assert [m["metadata"]["event_payload"]["accession"] for m in slack.messages()] == [
        "0000950123-24-000002"
    ]
    assert len(edgar.requests_to("action=getcurrent")) >= 3 + 2


def test_sec_block_pauses_and_recovers_without_marking_anything(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack, extra_edgar="cooldown_seconds = 0.2")
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002"))
    edgar.blocked = True
    edgar.block_status = 200  # SEC's block page sometimes comes with status 200
    report = p.run_cycle()
    assert report.errors and "blocked" in report.errors[0]
    assert "0000950123-24-000002" not in p.state.seen_accessions(CIK)
    edgar.blocked = False
    import time

    time.sleep(0.25)  # the configured cool-down
    assert p.run_cycle().delivery.delivered == 1


def test_a_filing_that_crashes_analysis_does_not_stop_the_others(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.pipeline as pipeline

    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002", release="POISON results announced."))
    edgar.add(make_filing(CIK, "0000950123-24-000003", filed="2024-03-02"))
    real = pipeline.classify_documents

    def fragile(documents, **kwargs):  # type: ignore[no-untyped-def]
        if any("POISON" in d.text for d in documents):
            raise RuntimeError("a document nobody foresaw")
        return real(documents, **kwargs)

    monkeypatch.setattr(pipeline, "classify_documents", fragile)
    report = p.run_cycle()
    assert [m["metadata"]["event_payload"]["accession"] for m in slack.messages()] == [
        "0000950123-24-000003"
    ]
    assert "analysis failed" in report.errors[0]
    assert "0000950123-24-000002" not in p.state.seen_accessions(CIK)
    for _ in range(pipeline.MAX_FETCH_ATTEMPTS):
        p.run_cycle()
    # In the end it is alerted from its feed entry rather than never.
    assert len(slack.messages()) == 2


def test_a_restart_retries_failed_alerts_at_once(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002"))
    slack.fail_next("chat.postMessage", 1, status=200, error="invalid_auth")
    p.run_cycle()
    assert p.run_cycle().delivery.failed == 1  # failed alerts wait an hour in a running daemon
    restarted = poller(tmp_path, edgar, slack)  # e.g. after fixing SLACK_BOT_TOKEN
    assert restarted.run_cycle().delivery.delivered == 1


def test_one_shot_polls_sweep_every_company_in_turn(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    """Latest mode run from cron: each `tracker poll` is a new process, yet over one sweep
    period every company's own feed is read once (not the first company every time)."""
    ciks = [3000 + n for n in range(4)]
    companies = "".join(f"\n[[companies]]\ncik = {cik}\n" for cik in ciks)
    now = [1_000_000_000.0]

    def one_shot() -> None:  # a fresh Poller each time, as a new process would build
        poller(
            tmp_path,
            edgar,
            slack,
            companies=companies,
            extra_edgar='mode = "latest"\nsweep_minutes = 10',
            clock=lambda: now[0],
        ).run_cycle()

    one_shot()  # baselines every company through its own feed
    before = {cik: len(edgar.requests_to(f"CIK={cik}&")) for cik in ciks}
    for _ in range(4):  # four polls 2.5 minutes apart: one 10-minute sweep period
        now[0] += 150
        one_shot()
    swept = {cik: len(edgar.requests_to(f"CIK={cik}&")) - before[cik] for cik in ciks}
    assert swept == {cik: 1 for cik in ciks}


def test_sweeps_fall_once_per_period_however_the_checks_fall() -> None:
    from tracker.discovery import sweeps_due

    assert sweeps_due(5, 600, None, 1000.0) == set()  # a first check sweeps nobody
    assert sweeps_due(5, 600, 1000.0, 1600.0) == set(range(5))  # a long gap: everybody once
    counts = [0] * 7
    t = 5_000_000.0
    for step in [13, 170, 2, 250, 99, 60, 6, 0.5, 300, 200] * 3:
        counts = [c + (i in sweeps_due(7, 600, t, t + step)) for i, c in enumerate(counts)]
        t += step
    # 3,301.5 s of checks: five and a half periods of 600 s, so each company 5 or 6 times.
    assert all(c in (5, 6) for c in counts), counts
