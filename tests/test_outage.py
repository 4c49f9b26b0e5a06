"""Delivery after a Slack outage: one probe per cycle, everything flushed on recovery."""

from __future__ import annotations

from pathlib import Path

from test_pipeline import CIK, poller

from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack

from conftest import make_filing


def test_outage_probes_once_per_cycle_and_flushes_all_on_the_first_cycle_back(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()  # baseline
    slack.set_down(True)
    for n in range(2, 5):
        edgar.add(make_filing(CIK, f"0000950123-24-00000{n}", filed=f"2024-03-0{n}"))
    report = p.run_cycle()
    assert report.alerts_queued == 3 and report.delivery.pending == 3
    # Each later cycle of the outage makes one post attempt (the probe), however many
    # alerts wait: the SDK's own quick retries of a 503 are the only extra requests.
    per_cycle = []
    for _ in range(2):
        before = len(slack.requests_for("chat.postMessage"))
        assert p.run_cycle().delivery.pending == 3
        per_cycle.append(len(slack.requests_for("chat.postMessage")) - before)
    one_attempt = per_cycle[0]
    assert 1 <= one_attempt <= 3 and per_cycle == [one_attempt] * 2
    slack.set_down(False)
    # No alert waits out a private backoff: the first cycle after recovery sends all three.
    report = p.run_cycle()
    assert report.delivery.delivered == 3 and report.delivery.pending == 0
    assert [m["metadata"]["event_payload"]["accession"] for m in slack.messages()] == [
        "0000950123-24-000002",
        "0000950123-24-000003",
        "0000950123-24-000004",
    ]


def test_one_alert_slack_keeps_refusing_does_not_hold_the_others(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002", filed="2024-03-02"))
    slack.set_down(True)
    p.run_cycle()  # queued, Slack down
    slack.set_down(False)
    edgar.add(make_filing(CIK, "0000950123-24-000003", filed="2024-03-03"))
    # The first post of the next pass (the probe) fails once more; the new alert still
    # goes out in this cycle's second pass, and the refused one on a later cycle.
    slack.fail_next("chat.postMessage", 3, status=500)
    p.run_cycle()
    p.run_cycle()
    assert sorted(m["metadata"]["event_payload"]["accession"] for m in slack.messages()) == [
        "0000950123-24-000002",
        "0000950123-24-000003",
    ]


def test_tracker_poll_tries_what_is_due_at_once(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    p = poller(tmp_path, edgar, slack)
    p.run_cycle()
    edgar.add(make_filing(CIK, "0000950123-24-000002", filed="2024-03-02"))
    slack.set_down(True)
    p.run_cycle()
    slack.set_down(False)
    # A new process (what `tracker poll` is) delivers it on its first pass.
    again = poller(tmp_path, edgar, slack)
    assert again.run_cycle().delivery.delivered == 1
    assert len(slack.messages()) == 1
