"""State faults, secrets, webhooks and the test alert: nothing lost, nothing leaked."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.errors import StateError
from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack
from tracker.state import OutboxRow, State, atomic_write

from conftest import ACME, TOKEN, make_filing, write_config

CIK = 1111111


def _poll(cfg: Path, state: Path) -> int:
    return main(["--config", str(cfg), "--state", str(state), "poll"])


def test_corrupt_company_state_is_set_aside_and_the_new_filing_still_alerted(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    cfg = write_config(
        tmp_path / "w.toml", edgar.base_url, slack_url=slack.base_url, companies=ACME
    )
    state = tmp_path / "state"
    edgar.add(make_filing(CIK, "0000950123-24-000001", filed="2024-01-01"))
    assert _poll(cfg, state) == 0
    company_file = state / "companies" / f"{CIK}.json"
    company_file.write_bytes(company_file.read_bytes()[:10])  # a half-written file
    edgar.add(make_filing(CIK, "0000950123-24-000002", filed="2024-01-02"))
    assert _poll(cfg, state) == 0
    aside = list(company_file.parent.glob(f"{CIK}.json.damaged-*"))
    assert len(aside) == 1
    # A fresh baseline, not a flood of old filings, but the filing that arrived while the
    # file was damaged is alerted: it is past the watermark kept outside the file.
    assert [m["metadata"]["event_payload"]["accession"] for m in slack.messages()] == [
        "0000950123-24-000002"
    ]
    assert State(state).is_baselined(CIK)
    edgar.add(make_filing(CIK, "0000950123-24-000003", filed="2024-01-03"))
    assert _poll(cfg, state) == 0
    assert len(slack.messages()) == 2


def test_unwritable_state_is_a_clear_error(
    tmp_path: Path, edgar: FakeEdgar, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME)
    state = tmp_path / "state"
    state.mkdir()
    (state / "companies").write_text("not a directory")
    assert _poll(cfg, state) == 1
    err = capsys.readouterr().err
    assert "state" in err and "Traceback" not in err


def test_disk_full_leaves_the_last_good_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "outbox.json"
    atomic_write(target, b'{"good": 1}')

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(StateError, match="No space left"):
        atomic_write(target, b'{"new": 2}')
    assert target.read_bytes() == b'{"good": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["outbox.json"]  # no temporary left


def test_stale_temporary_files_are_removed_at_start(tmp_path: Path) -> None:
    (tmp_path / "companies").mkdir(parents=True)
    (tmp_path / "companies" / ".1.json.abc.tmp").write_text("{")
    State(tmp_path)
    assert list((tmp_path / "companies").iterdir()) == []


def test_token_never_leaks(
    tmp_path: Path,
    edgar: FakeEdgar,
    slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    cfg = write_config(
        tmp_path / "w.toml", edgar.base_url, slack_url=slack.base_url, companies=ACME
    )
    state = tmp_path / "state"
    base = ["--config", str(cfg), "--state", str(state), "-v"]
    main([*base, "poll"])
    for n, failure in enumerate(["invalid_auth", "channel_not_found"], start=2):
        edgar.add(make_filing(CIK, f"0000950123-24-00000{n}", filed=f"2024-02-0{n}"))
        slack.fail_next("chat.postMessage", 1, status=200, error=failure)
        main([*base, "poll"])
    slack.set_down(True)
    edgar.add(make_filing(CIK, "0000950123-24-000009"))
    main([*base, "--log-format", "json", "poll"])
    main([*base, "status", "--json"])
    main([*base, "test-alert"])
    out, err = capfd.readouterr()
    assert TOKEN not in out and TOKEN not in err
    assert "invalid" in err  # the errors were reported, only without the secret
    for path in state.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    # And a token that did reach a log record is scrubbed by the logging filter.
    import logging

    from tracker.logs import setup_logging

    setup_logging()
    logging.getLogger("x").error("token is %s", TOKEN)
    assert TOKEN not in capfd.readouterr().err


def test_webhook_sink_posts_and_keeps_failures(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME)
    state = tmp_path / "state"
    _poll(cfg, state)
    edgar.add(make_filing(CIK, "0000950123-24-000002"))
    slack.fail_next("webhook", 1, status=500)
    _poll(cfg, state)
    assert [a.status for a in State(state).alerts()] == ["pending"]
    _poll(cfg, state)
    [msg] = slack.messages()
    assert msg["channel"] == "#filings" and "Acme Bio" in msg["text"]


def test_test_alert_is_clearly_marked(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    cfg = write_config(
        tmp_path / "w.toml", edgar.base_url, slack_url=slack.base_url, companies=ACME
    )
    assert main(["--config", str(cfg), "test-alert", "--channel", "#acme"]) == 0
    [msg] = slack.messages("#acme")
    assert msg["text"].startswith("[TEST]")
    assert msg["blocks"][0]["text"]["text"].startswith("[TEST]")
    assert json.dumps(msg["metadata"])


def test_test_alert_to_a_missing_channel_says_so(
    tmp_path: Path,
    edgar: FakeEdgar,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    with FakeSlack(token=TOKEN, channels={"#filings"}) as slack:
        cfg = write_config(
            tmp_path / "w.toml", edgar.base_url, slack_url=slack.base_url, companies=ACME
        )
        assert main(["--config", str(cfg), "test-alert", "--channel", "#nowhere"]) == 1
    assert "#nowhere not found" in capsys.readouterr().err


def test_delivered_alerts_are_pruned_after_keep_days_pending_stay(tmp_path: Path) -> None:
    state = State(tmp_path)
    state.enqueue([OutboxRow(f"a{n}", f"acc{n}", 1, "#x", {}) for n in range(3)])
    state.outbox.mark_delivered("a0", "1.1", "2020-01-01T00:00:00Z")
    state.outbox.mark_delivered("a1", "1.2", "2999-01-01T00:00:00Z")
    assert state.prune_outbox(keep_days=90) == 1
    assert sorted(a.alert_id for a in state.alerts()) == ["a1", "a2"]


def test_logs_under_systemd_carry_journal_levels(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    import logging

    from tracker.logs import setup_logging

    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    setup_logging()
    logging.getLogger("tracker.x").warning("config edit rejected")
    assert capfd.readouterr().err == "<4>config edit rejected\n"
