"""`/tracker` over Socket Mode: real envelopes through the local Slack's WebSocket.

The listener under test is the one `tracker run` starts (slack_sdk's Socket Mode client
wrapped by tracker.slackapp.listener); the fake Slack serves apps.connections.open, the
WebSocket and response URLs, so every test crosses the same wire a real workspace would.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tracker.config import load_config
from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack
from tracker.fakes.socketmode import slash_command_envelope
from tracker.slackapp import listener as listener_module
from tracker.slackapp.commands import Workspace, answer
from tracker.slackapp.listener import CommandListener
from tracker.state import State

from conftest import TOKEN, make_filing, write_config

APP_TOKEN = "xapp-1-A0TRACKER-1234-5c0ffee5ecret"
EDITOR = "U0123ABCD"
READER = "U0READER1"
BIOPURE_CIK = 815508
WATCHED = """
# Acme: our oldest client; keep this comment
[[companies]]
cik = 1111111
name = "Acme Bio"
channel = "#acme"
"""


@pytest.fixture
def config(tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack) -> Path:
    edgar.add(make_filing(BIOPURE_CIK, "0000950123-04-000001", name="BIOPURE CORP"))
    return write_config(
        tmp_path / "watch.toml",
        edgar.base_url,
        slack_url=slack.base_url,
        companies=WATCHED,
        extra=f'editors = ["{EDITOR}", "S0EDITORS"]',
    )


@pytest.fixture
def listening(config: Path, tmp_path: Path, slack: FakeSlack) -> Iterator[CommandListener]:
    slack.app_token = APP_TOKEN
    where = Workspace(
        str(config),
        str(tmp_path / "state"),
        lambda: load_config(str(config)),
        today=lambda: date(2004, 2, 20),
    )
    listener = CommandListener(APP_TOKEN, slack.base_url, where, bot_token=TOKEN, ping_interval=0.5)
    listener.start()
    assert listener.connected.wait(20), "the listener never connected"
    yield listener
    listener.stop()


def command(slack: FakeSlack, text: str, **kwargs: object) -> dict[str, object]:
    envelope = slash_command_envelope(text, response_url=slack.response_url(), **kwargs)  # type: ignore[arg-type]
    ack = slack.socket_mode.wait_for_ack(slack.socket_mode.send(envelope))
    assert ack is not None, f"no acknowledgement for {text!r}"
    return ack.get("payload") or {}


def test_editor_adds_a_company_by_cik_and_it_is_announced(
    listening: CommandListener, slack: FakeSlack, config: Path
) -> None:
    answer = command(slack, "watch add 815508 #biopure", user_id=EDITOR)
    assert answer["response_type"] == "in_channel"
    assert answer["text"].startswith(f"<@{EDITOR}> added Biopure")  # type: ignore[union-attr]
    assert "→ #biopure" in answer["text"]  # type: ignore[operator]
    watched = {c.cik: c for c in load_config(str(config)).companies}
    assert watched[BIOPURE_CIK].channel == "#biopure"
    assert "# Acme: our oldest client; keep this comment" in config.read_text()
    assert slack.requests_for("apps.connections.open")[0].header("Authorization") == (
        f"Bearer {APP_TOKEN}"
    )


def test_channel_link_and_categories_are_understood(
    listening: CommandListener, slack: FakeSlack, config: Path
) -> None:
    answer = command(slack, "watch add 815508 <#C0BIOPURE|biopure> fda,financing", user_id=EDITOR)
    assert answer["response_type"] == "in_channel", answer
    company = load_config(str(config)).company(BIOPURE_CIK)
    assert company is not None
    assert company.channel == "#biopure"
    assert set(company.categories or ()) == {"fda", "financing"}


def test_non_editor_is_refused_and_nothing_changes(
    listening: CommandListener, slack: FakeSlack, config: Path
) -> None:
    before = config.read_text()
    answer = command(slack, "watch remove 1111111", user_id=READER)
    assert answer["response_type"] == "ephemeral"
    assert "Only the tracker's editors" in answer["text"]  # type: ignore[operator]
    assert f"<@{EDITOR}>" in answer["text"]  # type: ignore[operator]
    assert config.read_text() == before


def test_user_group_member_may_edit(
    listening: CommandListener, slack: FakeSlack, config: Path
) -> None:
    slack.user_groups["S0EDITORS"] = ["U0GROUPIE"]
    answer = command(slack, "watch remove 1111111", user_id="U0GROUPIE")
    assert answer["response_type"] == "in_channel", answer
    assert load_config(str(config)).companies == ()


def test_no_editors_configured_means_nobody_may_change(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    config = write_config(
        tmp_path / "watch.toml", edgar.base_url, slack_url=slack.base_url, companies=WATCHED
    )
    slack.app_token = APP_TOKEN
    where = Workspace(str(config), str(tmp_path / "state"), lambda: load_config(str(config)))
    listener = CommandListener(APP_TOKEN, slack.base_url, where, ping_interval=0.5)
    listener.start()
    try:
        assert listener.connected.wait(20)
        answer = command(slack, "watch add 815508", user_id=EDITOR)
        assert "names no editors" in answer["text"]  # type: ignore[operator]
        assert load_config(str(config)).company(BIOPURE_CIK) is None
    finally:
        listener.stop()


def test_watch_list_shows_every_company(listening: CommandListener, slack: FakeSlack) -> None:
    command(slack, "watch add 815508 #biopure", user_id=EDITOR)
    answer = command(slack, "watch list", user_id=READER)
    assert answer["response_type"] == "ephemeral"
    text = str(answer["text"])
    assert "1111111" in text and "Acme Bio" in text
    assert "815508" in text and "#biopure" in text


def test_unknown_subcommand_and_missing_arguments_are_explained(
    listening: CommandListener, slack: FakeSlack
) -> None:
    assert "Unknown subcommand 'frobnicate'" in str(command(slack, "frobnicate", user_id=READER))
    assert "Missing company" in str(command(slack, "watch add", user_id=EDITOR))
    assert "Unknown watch subcommand" in str(command(slack, "watch zap", user_id=EDITOR))
    assert "/tracker watch add" in str(command(slack, "help", user_id=READER))
    assert "/tracker watch add" in str(command(slack, "", user_id=READER))


def test_unknown_ticker_is_refused_with_close_matches(
    listening: CommandListener, slack: FakeSlack, config: Path
) -> None:
    before = config.read_text()
    text = str(command(slack, "watch add BPURX", user_id=EDITOR)["text"])
    assert text.startswith("Not added:") and "BPUR" in text
    assert config.read_text() == before


def test_hostile_input_is_answered_escaped_and_changes_nothing(
    listening: CommandListener, slack: FakeSlack, config: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = config.read_text()
    long = command(slack, "watch add " + "A" * 10_000, user_id=EDITOR)
    assert "10010 characters" in str(long["text"])
    mention = command(slack, "watch add <@U0VICTIM> <!channel>", user_id=EDITOR)
    assert "Mentions and links" in str(mention["text"])
    link = command(slack, "timeline <https://evil.example|BPUR>", user_id=READER)
    assert "Mentions and links" in str(link["text"])
    escaped = command(slack, "frob&lt;script&gt;", user_id=READER)
    assert "<script>" not in str(escaped["text"]) and "&lt;script&gt;" in str(escaped["text"])
    nobody = command(slack, "watch add 815508", user_id=None)
    assert "no Slack user" in str(nobody["text"])
    assert config.read_text() == before
    for secret in (APP_TOKEN, TOKEN):
        assert secret not in caplog.text
        assert all(secret not in frame for frame in slack.socket_mode.received)


def test_malformed_envelopes_are_survived(listening: CommandListener, slack: FakeSlack) -> None:
    slack.socket_mode.send("this is not json")
    slack.socket_mode.send('{"type": "slash_commands", "payload": {"text": "status"}}')
    broken = {"envelope_id": "e-no-payload", "type": "slash_commands", "payload": "oops"}
    slack.socket_mode.send(broken)
    ack = slack.socket_mode.wait_for_ack("e-no-payload")
    assert ack is not None and "no command" in str(ack.get("payload"))
    other = {"envelope_id": "e-event", "type": "events_api", "payload": {"event": {}}}
    slack.socket_mode.send(other)
    assert slack.socket_mode.wait_for_ack("e-event") == {"envelope_id": "e-event"}
    # still answering after all that
    assert "/tracker watch add" in str(command(slack, "help", user_id=READER))


def test_reconnects_after_the_server_drops_the_connection(
    listening: CommandListener, slack: FakeSlack
) -> None:
    slack.socket_mode.drop()
    assert slack.socket_mode.wait_connected(handshakes=2, timeout=30), "no reconnect"
    assert len(slack.requests_for("apps.connections.open")) >= 2  # a fresh URL each time
    assert "/tracker watch add" in str(command(slack, "help", user_id=READER))


def test_reconnects_when_slack_asks_with_a_disconnect_envelope(
    listening: CommandListener, slack: FakeSlack
) -> None:
    slack.socket_mode.send_disconnect()
    assert slack.socket_mode.wait_connected(handshakes=2, timeout=30), "no reconnect"
    assert "/tracker watch add" in str(command(slack, "help", user_id=READER))


def test_slow_answer_goes_to_the_response_url(
    listening: CommandListener, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(*args: Any) -> Any:
        time.sleep(0.3)  # longer than the acknowledgement window below, no more
        return answer(*args)

    monkeypatch.setattr(listener_module, "ACK_WITHIN", 0.05)
    monkeypatch.setattr(listener_module, "answer", slow)
    envelope = slash_command_envelope(
        "watch list", user_id=READER, response_url=slack.response_url()
    )
    ack = slack.socket_mode.wait_for_ack(slack.socket_mode.send(envelope))
    assert ack == {"envelope_id": envelope["envelope_id"]}  # acknowledged at once, empty
    [later] = slack.wait_for_responses(1)
    assert later["response_type"] == "ephemeral" and "Acme Bio" in later["text"]


def test_status_and_timeline_answer_before_any_poll(
    listening: CommandListener, slack: FakeSlack
) -> None:
    assert command(slack, "status", user_id=READER)["response_type"] == "ephemeral"
    timeline = str(command(slack, "timeline 1111111", user_id=READER)["text"])
    assert "Acme Bio" in timeline and "no milestones" in timeline


def _run(config: Path, state: Path, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "--config", str(config), "--state", str(state), "run"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
    )


def _wait(check: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_daemon_adds_from_slack_then_alerts_the_next_filing(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, config: Path
) -> None:
    """The issue's end-to-end case: /tracker watch add 815508 #biopure, then an alert."""
    slack.app_token = APP_TOKEN
    state = tmp_path / "state"
    log = tmp_path / "daemon.log"
    daemon = _run(config, state, log, {"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": APP_TOKEN})
    try:
        assert slack.socket_mode.wait_connected(timeout=20), log.read_text()
        answer = command(slack, "watch add 815508 #biopure", user_id=EDITOR)
        assert "Biopure" in str(answer["text"]) and answer["response_type"] == "in_channel"
        _wait(lambda: State(state).is_baselined(BIOPURE_CIK))
        assert slack.messages() == []  # the old filing is the baseline, not news
        edgar.add(
            make_filing(
                BIOPURE_CIK, "0000950123-04-000002", name="BIOPURE CORP", filed="2024-03-02"
            )
        )
        [alert] = slack.wait_for_messages(1, timeout=20)
        assert alert["channel"] == "#biopure"
        assert alert["metadata"]["event_payload"]["cik"] == BIOPURE_CIK
        text = log.read_text()
        assert f"slack: {EDITOR} added Biopure" in text
        assert APP_TOKEN not in text and TOKEN not in text
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=20) == 0


def test_without_the_app_token_no_socket_is_opened(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, config: Path
) -> None:
    log = tmp_path / "daemon.log"
    daemon = _run(config, tmp_path / "state", log, {"SLACK_BOT_TOKEN": TOKEN})
    try:
        _wait(lambda: "poll done" in log.read_text())
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=20) == 0
    assert slack.requests_for("apps.connections.open") == []


def test_a_bot_token_in_the_app_token_variable_is_refused(tmp_path: Path, config: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config), "run"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "SLACK_APP_TOKEN": "xoxb-not-an-app-token"},
    )
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN" in result.stderr and "xapp-" in result.stderr
    assert "xoxb-not-an-app-token" not in result.stderr


def test_upcoming_answers_from_the_calendar(listening: CommandListener, slack: FakeSlack) -> None:
    answer = command(slack, "upcoming 30", user_id=READER)
    assert answer["response_type"] == "ephemeral"
    assert "from 2004-02-20 to 2004-03-21" in str(answer["text"]), answer
    assert "Usage: /tracker upcoming" in str(command(slack, "upcoming soon", user_id=READER))
