"""A hard deadline per request, and a poll one slow company cannot hold (issue 12, item 3).

The red-team run sent response headers one byte a second: the read timeout never fired
(a byte always came in time), one poll took 246 s and every other company's alert
waited. The fake EDGAR now trickles answers on demand; timeouts here are fractions of
a second so the tests stay short. Nothing asserts a speed: each test asserts how many
requests were made and that the work finished at all (a generous bound on a thread).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tracker.config import load_config
from tracker.edgar.client import EdgarClient
from tracker.edgar.feeds import company_feed_path
from tracker.errors import FetchError
from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack
from tracker.notify.sinks import SlackSink
from tracker.pipeline import Poller
from tracker.state import State

from conftest import ACME, TOKEN, make_filing, write_config

UA = "Tracker Tests tests@example.com"
LIVENESS = 60.0  # seconds; without the deadline these calls never return
SLOW = 0.05  # seconds per byte: a 260-byte header takes 13 s, far past every deadline


def finishes(work: Callable[[], object]) -> object:
    """Run `work` on a thread; fail (instead of hanging the suite) if it never returns."""
    result: list[object] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # handed to the test
            result.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(LIVENESS)
    assert not thread.is_alive(), "the request was never cut off"
    return result[0]


@pytest.mark.parametrize("body_only", [False, True], ids=["headers", "body"])
def test_a_trickled_answer_is_cut_off_at_the_deadline(edgar: FakeEdgar, body_only: bool) -> None:
    edgar.add(make_filing(1111111, "0000950123-24-000001"))
    edgar.fail("getcompany", trickle=SLOW, trickle_body=body_only, count=10)
    client = EdgarClient(edgar.base_url, UA, timeout=0.3, retries=1, sleep=lambda s: None)
    outcome = finishes(lambda: client.get(company_feed_path(1111111)))
    assert isinstance(outcome, FetchError) and outcome.retryable
    assert len(edgar.requests_to("getcompany")) == 2  # the first try and one retry


def test_a_budget_bounds_the_retries_too(edgar: FakeEdgar) -> None:
    edgar.fail("getcompany", trickle=SLOW, count=10)
    client = EdgarClient(edgar.base_url, UA, timeout=0.3, retries=3, sleep=lambda s: None)

    def within_budget() -> object:
        with client.budget(0.5):
            return client.get(company_feed_path(1111111))

    outcome = finishes(within_budget)
    assert isinstance(outcome, FetchError)
    assert len(edgar.requests_to("getcompany")) == 1  # no retry past the budget
    with client.budget(5):  # the budget ends with its block: a later request is normal
        edgar._faults.clear()
        assert client.get(company_feed_path(1111111)).status == 200


def test_a_slow_document_delays_only_its_own_filing(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    slow_co = '\n[[companies]]\ncik = 2222222\nname = "Slow Co"\nchannel = "#slow"\n'
    config = load_config(
        str(
            write_config(
                tmp_path / "w.toml",
                edgar.base_url,
                slack_url=slack.base_url,
                companies=slow_co + ACME,  # the slow company is polled first
                extra_edgar="timeout_seconds = 0.3",
            )
        )
    )
    client = EdgarClient(
        edgar.base_url, UA, timeout=config.edgar.timeout_seconds, sleep=lambda s: None
    )
    p = Poller(config, State(tmp_path / "state"), client, SlackSink(TOKEN, slack.base_url))
    p.run_cycle()
    edgar.add(make_filing(2222222, "0000950123-24-000009", name="SLOW CO"))
    edgar.add(make_filing(1111111, "0000950123-24-000002"))
    edgar.fail("/000095012324000009/d000009dex991.htm", trickle=SLOW, count=100)
    report = finishes(p.run_cycle)
    assert [m["channel"] for m in slack.messages()] == ["#acme"]
    assert len(edgar.requests_to("d000009dex991.htm")) == 1  # cut off, not retried this cycle
    assert "0000950123-24-000009" not in p.state.seen_accessions(2222222)
    assert p.state.company(2222222).failures["0000950123-24-000009"].attempts == 1
    assert getattr(report, "errors", None)
    edgar._faults.clear()  # the server recovers: the slow filing is alerted next cycle
    p.run_cycle()
    assert sorted(m["channel"] for m in slack.messages()) == ["#acme", "#slow"]
