"""The daemon as an operator runs it: systemd's notify protocol, the token checked at start,
settings applied on reload, the metrics endpoint. Real `tracker run` subprocesses against
the local EDGAR and Slack."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack
from tracker.sdnotify import Notifier

from conftest import ACME, TOKEN, make_filing, write_config


def wait_until(check: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Run:
    """`tracker run` in a subprocess, its stderr in a file."""

    def __init__(self, tmp_path: Path, config: Path, env: dict[str, str] | None = None):
        self.log = tmp_path / f"run-{time.monotonic_ns()}.log"
        full = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"}
        for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
            full.pop(name, None)  # a test run under systemd must not notify it
        full.update(env or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tracker", "run", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
            env=full,
        )

    def text(self) -> str:
        return self.log.read_text()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=20)


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        if run.proc.poll() is None:
            run.proc.kill()
            run.proc.wait()


def project(tmp_path: Path, edgar: FakeEdgar, slack_url: str, **kwargs: object) -> Path:
    (tmp_path / "config").mkdir()
    return write_config(
        tmp_path / "config" / "watch.toml",
        edgar.base_url,
        slack_url=slack_url,
        companies=ACME,
        **kwargs,  # type: ignore[arg-type]
    )


# -- systemd -----------------------------------------------------------------------------


def test_ready_after_the_first_cycle_then_watchdog_pings_from_the_loop(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, runs: list[Run]
) -> None:
    """systemd's side of Type=notify: a datagram socket the daemon writes to."""
    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(20)
    # An hour between polls: only the watchdog can explain pings every second.
    config = project(tmp_path, edgar, slack.base_url, interval=3600)
    run = Run(tmp_path, config, {"NOTIFY_SOCKET": str(sock_path), "WATCHDOG_USEC": "2000000"})
    runs.append(run)
    messages: list[str] = []
    try:
        while sum(m == "WATCHDOG=1" for m in messages) < 3:
            messages.append(sock.recv(4096).decode())
    finally:
        sock.close()
    ready = next(i for i, m in enumerate(messages) if "READY=1" in m.splitlines())
    lines = messages[ready].splitlines()
    status = next(line for line in lines if line.startswith("STATUS="))
    assert "poll done: 1 companies" in status and "EDGAR requests" in status
    assert any(m == "WATCHDOG=1" for m in messages[ready + 1 :])
    assert len(edgar.requests_to("getcompany")) == 1  # the watchdog wakes do not poll
    assert run.stop() == 0


def test_a_hung_poll_loop_stops_the_watchdog_pings(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, runs: list[Run]
) -> None:
    """The pings come from the loop, not from a timer thread: while one EDGAR request hangs
    (the fake holds its answer 4 s), systemd hears nothing, then the pings resume."""
    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(20)
    config = project(tmp_path, edgar, slack.base_url, interval=1)
    run = Run(tmp_path, config, {"NOTIFY_SOCKET": str(sock_path), "WATCHDOG_USEC": "2000000"})
    runs.append(run)
    try:
        while b"READY=1" not in sock.recv(4096):
            pass
        edgar.fail("getcompany", 500, delay=4.0)
        # Count from the moment the hang is armed: whether a ping was already queued
        # then is a race, and without this start the silence could fall before the
        # first arrival recorded (seen once on a loaded machine).
        arrivals = [time.monotonic()]
        while len(arrivals) < 3 or arrivals[-1] - arrivals[0] < 6:
            sock.recv(4096)
            arrivals.append(time.monotonic())
    finally:
        sock.close()
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert max(gaps) >= 3.0  # silence while the request hangs
    assert gaps.index(max(gaps)) < len(gaps) - 1  # and pings again afterwards
    assert run.stop() == 0


def test_notifier_speaks_to_abstract_sockets_one_line_per_assignment() -> None:
    name = f"tracker-test-{os.getpid()}-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        notifier = Notifier("@" + name)
        notifier.send("STATUS=two\nlines", "WATCHDOG=1")
        assert sock.recv(4096) == b"STATUS=two lines\nWATCHDOG=1"
        notifier.close()
    assert not Notifier("").enabled
    Notifier("").send("READY=1")  # outside systemd: nothing, no error


def test_without_notify_socket_nothing_is_sent_and_the_daemon_runs(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, runs: list[Run]
) -> None:
    config = project(tmp_path, edgar, slack.base_url)
    run = Run(tmp_path, config)
    runs.append(run)
    wait_until(lambda: "poll done" in run.text(), what="the first poll")
    assert run.stop() == 0
    assert "cannot notify systemd" not in run.text()


# -- the Slack token at start --------------------------------------------------------------


@pytest.mark.parametrize("error", ["token_revoked", "invalid_auth", "account_inactive"])
def test_a_rejected_token_stops_run_with_exit_2_and_status_says_why(
    tmp_path: Path,
    edgar: FakeEdgar,
    slack: FakeSlack,
    runs: list[Run],
    error: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    slack.reject_token(error)
    config = project(tmp_path, edgar, slack.base_url)
    run = Run(tmp_path, config)
    runs.append(run)
    assert run.proc.wait(timeout=30) == 2
    text = run.text()
    assert f"Slack rejected the bot token ({error})" in text
    assert TOKEN not in text
    assert edgar.requests == []  # stopped before polling
    assert main(["status", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "Slack rejected the bot token" in out and TOKEN not in out
    # Fixed (the token accepted again): the next start clears the complaint.
    slack.reject_token(None)
    run = Run(tmp_path, config)
    runs.append(run)
    wait_until(lambda: "poll done" in run.text(), what="the first poll")
    assert run.stop() == 0
    assert main(["status", "--config", str(config)]) == 0


def test_test_alert_with_a_rejected_token_exits_2(
    tmp_path: Path,
    edgar: FakeEdgar,
    slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    slack.reject_token("token_revoked")
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    config = project(tmp_path, edgar, slack.base_url)
    assert main(["test-alert", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "token_revoked" in err and TOKEN not in err
    assert slack.requests_for("chat.postMessage") == []


def test_slack_unreachable_at_start_is_a_warning_and_the_daemon_goes_on(
    tmp_path: Path, edgar: FakeEdgar, runs: list[Run]
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = project(tmp_path, edgar, f"http://127.0.0.1:{port}/api/")
    run = Run(tmp_path, config)
    runs.append(run)
    wait_until(lambda: "poll done" in run.text(), what="the first poll")
    assert "could not check the Slack token" in run.text()
    assert run.stop() == 0


# -- reload applies every setting -------------------------------------------------------


def test_an_edited_user_agent_is_used_without_a_restart(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, runs: list[Run]
) -> None:
    config = project(tmp_path, edgar, slack.base_url, interval=1)
    run = Run(tmp_path, config)
    runs.append(run)
    wait_until(lambda: "poll done" in run.text(), what="the first poll")
    config.write_text(
        config.read_text().replace("Tracker Tests tests@example.com", "Edited Ops ops@example.org")
    )
    wait_until(
        lambda: any(
            r["headers"].get("User-Agent") == "Edited Ops ops@example.org" for r in edgar.requests
        ),
        what="a request with the edited User-Agent",
    )
    assert "rebuilt the EDGAR client" in run.text()
    assert run.proc.poll() is None  # the same process
    assert run.stop() == 0


def test_an_edited_slack_base_url_is_used_without_a_restart(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, runs: list[Run]
) -> None:
    """Pending alerts are kept across the rebuild: the one Slack never got arrives."""
    with FakeSlack(token=TOKEN) as other:
        config = project(tmp_path, edgar, slack.base_url, interval=1)
        run = Run(tmp_path, config)
        runs.append(run)
        wait_until(lambda: "poll done" in run.text(), what="the first poll")
        slack.set_down()
        edgar.add(make_filing(1111111, "0000950123-24-000002"))
        wait_until(lambda: "1 pending" in run.text(), what="an alert kept pending")
        config.write_text(config.read_text().replace(slack.base_url, other.base_url))
        other.wait_for_messages(1, timeout=20)
        assert "rebuilt the Slack sink" in run.text()
        assert run.stop() == 0


# -- metrics -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scrape(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        assert resp.headers["Content-Type"].startswith("text/plain")
        text = resp.read().decode()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


def test_metrics_endpoint_serves_what_the_daemon_did(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, runs: list[Run]
) -> None:
    port = free_port()
    config = project(tmp_path, edgar, slack.base_url, interval=1)
    config.write_text(config.read_text() + f'\n[metrics]\nlisten = "127.0.0.1:{port}"\n')
    run = Run(tmp_path, config)
    runs.append(run)
    wait_until(lambda: "poll done" in run.text(), what="the first poll")
    edgar.add(make_filing(1111111, "0000950123-24-000002"))
    slack.wait_for_messages(1, timeout=20)

    def delivered() -> bool:
        return scrape(port).get("tracker_alerts_delivered_total", 0) >= 1

    wait_until(delivered, what="the delivery in the metrics")
    m = scrape(port)
    assert m['tracker_polls_total{result="ok"}'] >= 2
    assert m["tracker_filings_total"] == 1
    assert m['tracker_edgar_requests_total{status="200"}'] >= 3  # feeds, index.json, docs
    assert m["tracker_alerts_failed"] == 0
    assert m["tracker_cycle_duration_seconds_count"] >= 2
    assert abs(m["tracker_last_successful_poll_timestamp_seconds"] - time.time()) < 60
    assert run.stop() == 0


def test_metrics_are_off_by_default(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, runs: list[Run]
) -> None:
    config = project(tmp_path, edgar, slack.base_url)
    run = Run(tmp_path, config)
    runs.append(run)
    wait_until(lambda: "poll done" in run.text(), what="the first poll")
    assert "metrics at" not in run.text()
    assert run.stop() == 0
