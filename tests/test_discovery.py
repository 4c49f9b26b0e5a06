"""Discovery never skips a filing: paging back through the feeds, the watermark, gaps.

Each test is a finding of the red-team run (issue 12, items 1 and 5) replayed against the
local EDGAR, with the hostile feed behaviour added to the fake.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from tracker.config import load_config
from tracker.edgar.client import EdgarClient
from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack
from tracker.notify.sinks import ConsoleSink, SlackSink
from tracker.pipeline import Poller
from tracker.state import State

from conftest import ACME, TOKEN, make_filing, write_config

CIK = 1111111


def poller(
    tmp_path: Path,
    edgar: FakeEdgar,
    slack: FakeSlack | None = None,
    *,
    companies: str = ACME,
    extra_edgar: str = "",
    keep_seen: int | None = None,
) -> Poller:
    cfg = write_config(
        tmp_path / "watch.toml",
        edgar.base_url,
        slack_url=slack.base_url if slack else "http://127.0.0.1:9/api/",
        companies=companies,
        extra_edgar=extra_edgar,
    )
    config = load_config(str(cfg))
    if keep_seen is not None:
        # Below the config's minimum on purpose: the watermark alone must hold.
        config = dataclasses.replace(
            config, state=dataclasses.replace(config.state, keep_seen_per_company=keep_seen)
        )
    client = EdgarClient(edgar.base_url, config.edgar.user_agent, sleep=lambda s: None)
    sink = SlackSink(TOKEN, slack.base_url) if slack else ConsoleSink()
    return Poller(config, State(tmp_path / "state"), client, sink)


def accession(n: int, year: int = 24) -> str:
    return f"0000950123-{year}-{n:06d}"


def alerted(slack: FakeSlack) -> list[str]:
    return [m["metadata"]["event_payload"]["accession"] for m in slack.messages()]


def add(edgar: FakeEdgar, numbers: range, filed: str = "2024-03-01", cik: int = CIK) -> None:
    for n in numbers:
        filing = make_filing(cik, accession(n), filed=filed, release="")
        # Accepted in number order, as EDGAR's feeds list them.
        filing.accepted = f"{filed}T{9 + n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}-05:00"
        edgar.add(filing)


def test_300_new_filings_between_two_polls_are_all_alerted(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    add(edgar, range(1, 41), filed="2024-01-02")
    p = poller(tmp_path, edgar, slack)
    assert p.run_cycle().baselined == 1
    add(edgar, range(41, 341))
    report = p.run_cycle()
    assert report.new_filings == 300 and not report.errors
    assert sorted(alerted(slack)) == [accession(n) for n in range(41, 341)]
    # The feed was read back page by page (40 a page) to the last filing seen, no further.
    pages = [r["path"] for r in edgar.requests_to("action=getcompany")]
    assert len(pages) == 1 + 8 and "start=280" in pages[-1]
    assert p.run_cycle().new_filings == 0 and len(slack.messages()) == 300


def test_backlog_deeper_than_the_feed_is_reported_with_its_count_and_what_is_read_is_alerted(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    add(edgar, range(1, 11), filed="2024-01-02")
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.company_depth = 120  # EDGAR's feed no longer reaches back to what we saw
    add(edgar, range(11, 211))
    with caplog.at_level(logging.ERROR):
        report = p.run_cycle()
    assert sorted(alerted(slack)) == [accession(n) for n in range(91, 211)]
    assert any("120 new filings" in e for e in report.errors)
    assert any("120 new filings" in r.getMessage() for r in caplog.records)
    assert any(r.levelno >= logging.ERROR for r in caplog.records)
    # Once read, the gap is not reported again.
    assert p.run_cycle().errors == []


def test_a_page_that_fails_halfway_loses_nothing(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    add(edgar, range(1, 11), filed="2024-01-02")
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    add(edgar, range(11, 111))
    edgar.fail("start=80", 500, count=4)  # the third page, every retry
    report = p.run_cycle()
    assert report.errors and report.new_filings == 0 and slack.messages() == []
    p.run_cycle()
    assert sorted(alerted(slack)) == [accession(n) for n in range(11, 111)]


def test_a_failed_filing_off_the_first_page_is_still_retried(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    add(edgar, range(1, 6), filed="2024-01-02")
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    add(edgar, range(6, 7), filed="2024-02-01")
    edgar.fail(f"/{accession(6).replace('-', '')}/", 503, count=4)
    p.run_cycle()
    assert alerted(slack) == []
    add(edgar, range(7, 107), filed="2024-03-01")  # pushes it to the third page
    p.run_cycle()
    assert sorted(alerted(slack)) == [accession(n) for n in range(6, 107)]


def test_keep_seen_of_10_never_realerts(tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack) -> None:
    for n in range(1, 41):
        edgar.add(make_filing(CIK, accession(n), filed=f"2024-01-{1 + n % 28:02d}", release=""))
    p = poller(tmp_path, edgar, slack, keep_seen=10)
    p.run_cycle()
    assert slack.messages() == []
    add(edgar, range(41, 46), filed="2024-02-01")
    assert p.run_cycle().new_filings == 5
    for _ in range(3):
        assert p.run_cycle().new_filings == 0
    assert sorted(alerted(slack)) == [accession(n) for n in range(41, 46)]
    assert len(p.state.seen_accessions(CIK)) == 10
    # A filing newer than what was forgotten is still new, even on the same day.
    add(edgar, range(46, 47), filed="2024-02-01")
    assert p.run_cycle().new_filings == 1
    assert alerted(slack)[-1] == accession(46)


def test_a_huge_single_page_feed_baseline_does_not_make_old_filings_new(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    # A feed that ignores `count` and sends 2,500 entries at once, with 2,000 kept (the
    # default): the 500 forgotten ones are below the watermark, not new.
    edgar.company_single_page = True
    add(edgar, range(1, 2501), filed="2023-06-01")
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    assert len(p.state.seen_accessions(CIK)) == 2000
    add(edgar, range(2501, 2503), filed="2024-03-01")
    assert p.run_cycle().new_filings == 2
    assert p.run_cycle().new_filings == 0
    assert sorted(alerted(slack)) == [accession(2501), accession(2502)]


def test_latest_mode_pages_back_past_ten_pages(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    companies = "".join(f"\n[[companies]]\ncik = {2000 + n}\n" for n in range(25)) + ACME
    add(edgar, range(1, 6), filed="2024-02-01", cik=9999)
    p = poller(tmp_path, edgar, slack, companies=companies, extra_edgar='mode = "latest"')
    p.run_cycle()
    p.run_cycle()
    edgar.add(make_filing(CIK, accession(900), filed="2024-03-01", release=""))
    for n in range(1200):
        edgar.add(make_filing(9999, f"0000950999-24-{n:06d}", filed="2024-03-02", release=""))
    report = p.run_cycle()
    assert alerted(slack) == [accession(900)] and report.new_filings == 1
    assert len(edgar.requests_to("action=getcurrent")) >= 2 + 13
