"""`tracker run` as a real subprocess against local EDGAR and Slack servers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack
from tracker.state import State

from conftest import ACME, TOKEN, make_filing, write_config


def wait_until(check: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Daemon:
    def __init__(self, tmp_path: Path, config: Path, state: Path):
        self.log = tmp_path / f"daemon-{time.monotonic_ns()}.log"
        env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tracker",
                "--config",
                str(config),
                "--state",
                str(state),
                "run",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
            env=env,
        )

    def text(self) -> str:
        return self.log.read_text()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=15)


@pytest.fixture
def running(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> Iterator[tuple[Daemon, Path, Path]]:
    config = write_config(
        tmp_path / "watch.toml", edgar.base_url, slack_url=slack.base_url, companies=ACME
    )
    state = tmp_path / "state"
    daemon = Daemon(tmp_path, config, state)
    wait_until(lambda: (state / "companies" / "1111111.json").exists(), what="the baseline")
    yield daemon, config, state
    daemon.stop()


def test_new_filing_is_posted_within_an_interval(
    running: tuple[Daemon, Path, Path], edgar: FakeEdgar, slack: FakeSlack
) -> None:
    daemon, _, _ = running
    edgar.add(make_filing(1111111, "0000950123-24-000002"))
    started = time.monotonic()
    [msg] = slack.wait_for_messages(1, timeout=10)
    # One 1 s interval plus processing; the margin is for a loaded CI machine, not speed.
    assert time.monotonic() - started < 1.0 + 4.0
    assert msg["metadata"]["event_payload"]["accession"] == "0000950123-24-000002"
    assert daemon.proc.poll() is None


def test_sigterm_exits_cleanly(running: tuple[Daemon, Path, Path]) -> None:
    daemon, _, _ = running
    started = time.monotonic()
    assert daemon.stop() == 0
    assert time.monotonic() - started < 10
    assert "stopped" in daemon.text()


def test_second_daemon_on_same_state_is_refused(
    tmp_path: Path, running: tuple[Daemon, Path, Path]
) -> None:
    _, config, state = running
    second = subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config), "--state", str(state), "run"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert second.returncode == 1
    assert "already using the state" in second.stderr


def test_watch_add_while_running_is_picked_up(
    running: tuple[Daemon, Path, Path], edgar: FakeEdgar, slack: FakeSlack
) -> None:
    daemon, config, state = running
    edgar.add(
        make_filing(2222222, "0000950123-24-000010", name="BETA THERAPEUTICS", filed="2024-01-05")
    )
    added = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "--config",
            str(config),
            "watch",
            "add",
            "2222222",
            "--channel",
            "#beta",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert added.returncode == 0, added.stderr
    wait_until(lambda: State(state).is_baselined(2222222), what="a baseline for the new company")
    assert slack.messages() == []  # its old filing is baseline, not news
    edgar.add(make_filing(2222222, "0000950123-24-000011", name="BETA THERAPEUTICS"))
    [msg] = slack.wait_for_messages(1, timeout=10)
    assert msg["channel"] == "#beta"
    assert "config reloaded" in daemon.text()


def test_broken_config_edit_keeps_the_last_good_config(
    running: tuple[Daemon, Path, Path], edgar: FakeEdgar, slack: FakeSlack
) -> None:
    daemon, config, _ = running
    good = config.read_text()
    config.write_text(good + "\n[[companies]]\ncik = 'not a number'\n")
    wait_until(lambda: "config edit rejected" in daemon.text(), what="the rejection in the log")
    assert f"{config}:" in daemon.text() and "cik" in daemon.text()
    edgar.add(make_filing(1111111, "0000950123-24-000003"))
    slack.wait_for_messages(1, timeout=10)
    assert daemon.proc.poll() is None


def test_sighup_reloads_at_once(tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack) -> None:
    """With an hour between polls, only SIGHUP can explain a reload within seconds."""
    config = write_config(
        tmp_path / "watch.toml",
        edgar.base_url,
        slack_url=slack.base_url,
        companies=ACME,
        interval=3600,
    )
    daemon = Daemon(tmp_path, config, tmp_path / "state")
    try:
        wait_until(lambda: "poll done" in daemon.text(), what="the first poll")
        config.write_text(config.read_text() + "\n[[companies]]\ncik = 3333333\n")
        daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "1 added" in daemon.text(), timeout=5, what="the reload")
    finally:
        assert daemon.stop() == 0


def test_sigterm_during_a_stuck_post_still_exits_within_ten_seconds(
    running: tuple[Daemon, Path, Path], edgar: FakeEdgar, slack: FakeSlack
) -> None:
    daemon, _, state = running
    slack.fail_next("chat.postMessage", 1, delay=30)  # Slack hangs longer than we may wait
    edgar.add(make_filing(1111111, "0000950123-24-000002"))
    wait_until(lambda: bool(slack.requests_for("chat.postMessage")), what="the post")
    started = time.monotonic()
    assert daemon.stop() == 0
    assert time.monotonic() - started < 10.5
    # The alert is kept (as sending) and will be checked and delivered on the next start.
    assert [a.status for a in State(state).alerts()] == ["sending"]
