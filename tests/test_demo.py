"""`tracker demo`: offline, the four Biopure filings, the ledger's headline."""

from __future__ import annotations

import io
from pathlib import Path

from tracker.demo import run_demo
from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack

from conftest import TOKEN, write_config


def test_demo_prints_the_four_biopure_alerts_offline() -> None:
    out = io.StringIO()
    assert run_demo(out=out, step=0.3, env={}) == 4
    text = out.getvalue()
    assert "baseline taken" in text
    for form, day in [
        ("8-K", "2003-10-30"),
        ("8-K", "2003-12-11"),
        ("8-K", "2004-02-19"),
        ("424B5", "2004-02-19"),
    ]:
        assert f"Biopure Corp (BPUR) · {form} · {day}" in text
    assert (
        "Slipped: reply to FDA complete response letter, was June 2004, now may not be by "
        "June 30, 2004"
    ) in text
    assert "notification: BPUR 8-K · Biopure: Hemopure FDA reply slips past June 2004" in text
    assert "notification: BPUR 424B5 · Biopure prices $5.0M registered offering" in text
    assert "Cash runway: operations funded through June 2004" in text
    assert "$8.5 million" in text and "35 percent" in text
    assert "FDA  Financing  Workforce  Results" in text
    assert "FDA  Workforce" in text  # the 30 October 2003 plan update
    assert "Milestone timeline" in text
    # Past the last filing: the calendar on the replay clock.
    assert "2004-02-20, `tracker upcoming --days 365`" in text
    assert "2004-06-30  Biopure Corp: reply to FDA complete response letter (Hemopure)" in text
    assert "Weekly digest for #biopure" in text and "June 30, 2004 (128 days)" in text
    assert text.count("Overdue: Biopure Corp (BPUR) · reply to FDA complete response letter") == 1
    assert "Due by June 30, 2004 (2004-06-30)" in text
    assert "2004-07-16, the next poll cycle: 0 alerts posted (1 the day before" in text
    assert "OVERDUE — was due by June 30, 2004" in text


def test_demo_posts_to_the_configured_slack(tmp_path: Path) -> None:
    with FakeSlack(token=TOKEN) as slack, FakeEdgar() as unused:
        config = write_config(tmp_path / "w.toml", unused.base_url, slack_url=slack.base_url)
        run_demo(
            out=io.StringIO(), step=0.3, env={"SLACK_BOT_TOKEN": TOKEN}, config_path=str(config)
        )
        posted = slack.messages()
    kinds = [m["metadata"]["event_type"] for m in posted]
    assert kinds == ["filing_alert"] * 4 + ["weekly_digest", "milestone_overdue"]
    assert posted[5]["metadata"]["event_payload"]["due"] == "2004-06-30"
    messages = posted[:4]
    assert [m["metadata"]["event_payload"]["form"] for m in messages] == [
        "8-K",
        "8-K",
        "8-K",
        "424B5",
    ]
    assert {m["channel"] for m in posted} == {"#filings"}
    assert messages[3]["thread_ts"] == messages[2]["ts"]  # the 424B5 follows the 8-K
