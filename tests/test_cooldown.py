"""SEC's cool-down is kept in the state and honoured by every later run until it ends."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.edgar.client import EdgarClient
from tracker.fakes.edgar import FakeEdgar
from tracker.state import State, epoch_of, iso_of

from conftest import ACME, write_config


def test_a_poll_right_after_a_block_page_makes_no_edgar_request(
    tmp_path: Path, edgar: FakeEdgar, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME)
    base = ["--config", str(cfg), "--state", str(tmp_path / "state")]
    edgar.blocked = True
    edgar.block_status = 200  # SEC's "Request Rate Threshold Exceeded" page, status 200
    assert main([*base, "poll"]) == 0
    assert len(edgar.requests) == 1
    until = State(tmp_path / "state").status().get("edgar_cooldown_until")
    assert 590 <= epoch_of(until) - time.time() <= 601
    edgar.blocked = False
    assert main([*base, "poll"]) == 0  # a new process: only the state remembers
    assert len(edgar.requests) == 1
    assert "EDGAR paused for another" in capsys.readouterr().err


def test_an_ended_cool_down_lets_the_next_poll_through(tmp_path: Path, edgar: FakeEdgar) -> None:
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME)
    state = tmp_path / "state"
    State(state).update_status(edgar_cooldown_until=iso_of(time.time() - 1))
    assert main(["--config", str(cfg), "--state", str(state), "poll"]) == 0
    assert len(edgar.requests) == 1


def test_status_names_the_cool_down(
    tmp_path: Path, edgar: FakeEdgar, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME)
    base = ["--config", str(cfg), "--state", str(tmp_path / "state")]
    edgar.blocked = True
    main([*base, "poll"])
    capsys.readouterr()
    assert main([*base, "status"]) == 1
    assert "EDGAR cool-down" in capsys.readouterr().out
    assert main([*base, "status", "--json"]) == 1
    health = json.loads(capsys.readouterr().out)["health"]
    assert any("cool-down" in reason for reason in health["problems"])


def test_a_rebuilt_client_keeps_the_cool_down_and_the_rate_history(edgar: FakeEdgar) -> None:
    old = EdgarClient(edgar.base_url, "Old UA old@example.com", max_rps=2)
    old.get("/cgi-bin/browse-edgar?action=getcurrent&output=atom")
    old.get("/cgi-bin/browse-edgar?action=getcurrent&output=atom")
    old.pause_until(time.time() + 60)
    new = EdgarClient(edgar.base_url, "New UA new@example.com", max_rps=2)
    new.take_over(old)
    assert 55 < new.cooldown_remaining() <= 60
    assert new.request_count == 2 and new.responses == {"200": 2}
    # Both of the last second's requests still count: a third must wait its turn.
    assert len(new.limiter._recent) == 2


def test_tickers_refresh_honours_the_cool_down(tmp_path: Path, edgar: FakeEdgar) -> None:
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME)
    state = tmp_path / "state"
    State(state).update_status(edgar_cooldown_until=iso_of(time.time() + 300))
    assert main(["--config", str(cfg), "--state", str(state), "tickers", "refresh"]) == 1
    assert edgar.requests == []
