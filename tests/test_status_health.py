"""`tracker status` as monitoring reads it: exit 1 and the reason when a person is needed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.fakes.edgar import FakeEdgar
from tracker.state import OutboxRow, State, iso_of

from conftest import ACME, write_config

BETA = """
[[companies]]
cik = 2222222
name = "Beta Therapeutics"
"""


def status(base: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    capsys.readouterr()
    code = main([*base, "status", "--json"])
    data = json.loads(capsys.readouterr().out)
    main([*base, "status"])
    return code, data, capsys.readouterr().out


@pytest.fixture
def polled(tmp_path: Path, edgar: FakeEdgar) -> tuple[list[str], Path, Path]:
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME + BETA, interval=60)
    state = tmp_path / "state"
    base = ["--config", str(cfg), "--state", str(state)]
    assert main([*base, "poll"]) == 0
    return base, cfg, state


def test_a_fresh_successful_poll_is_healthy(
    polled: tuple[list[str], Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, data, text = status(polled[0], capsys)
    assert code == 0 and data["health"] == {"ok": True, "problems": []}
    assert text.startswith("health: OK")


def test_a_stale_poll_needs_a_person(
    polled: tuple[list[str], Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _, state = polled
    State(state).update_status(last_successful_poll=iso_of(time.time() - 3 * 60 - 5))
    code, data, text = status(base, capsys)
    assert code == 1
    [problem] = data["health"]["problems"]
    assert "older than 3 intervals" in problem
    assert "NEEDS ATTENTION" in text and "older than 3 intervals" in text
    State(state).update_status(last_successful_poll=iso_of(time.time() - 3 * 60 + 30))
    assert status(base, capsys)[0] == 0


def test_a_permanently_failed_alert_needs_a_person(
    polled: tuple[list[str], Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _, state = polled
    State(state).enqueue([OutboxRow("a1", "0000950123-24-000009", 1111111, "#acme", {})])
    State(state).update_alert("a1", status="failed", last_error="channel #acme not found")
    code, data, text = status(base, capsys)
    assert code == 1
    assert "1 alert(s) failed permanently" in data["health"]["problems"][0]
    assert "channel #acme not found" in text


def test_a_rejected_edit_shows_the_running_companies_and_the_error(
    polled: tuple[list[str], Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base, cfg, _ = polled
    cfg.write_text(cfg.read_text().replace('name = "Beta Therapeutics"', "name = 42"))
    code, data, text = status(base, capsys)
    assert code == 1
    assert {(c["cik"], c["name"], c["watched"]) for c in data["companies"]} == {
        (1111111, "Acme Bio", True),
        (2222222, "Beta Therapeutics", True),
    }
    [problem] = data["health"]["problems"]
    assert "config on disk is rejected" in problem and "last good config" in problem
    assert "must be a string" in problem and "w.toml:" in problem
    assert "no longer watched" not in text


def test_no_state_at_all_needs_a_person(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=ACME)
    code = main(["--config", str(cfg), "--state", str(tmp_path / "none"), "status"])
    assert code == 1
    assert str(tmp_path / "none") in capsys.readouterr().out
