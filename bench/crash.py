"""Kill the tracker at random moments while filings keep arriving; count what Slack got.

    python bench/crash.py --kills 200        (make crash)

A local EDGAR publishes new filings for three companies every fraction of a second;
`tracker run` is started, killed with SIGKILL after a random time, and started again,
`--kills` times. After each kill every state file must still parse (writes are atomic).
At the end the tracker runs until the outbox is empty, and every filing must have
exactly one Slack message per channel: none lost, none doubled.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from tracker.fakes.edgar import FakeDocument, FakeEdgar, FakeFiling
from tracker.fakes.slack import FakeSlack

TOKEN = "xoxb-crash-test-token"
COMPANIES = {1000001: "#alpha", 1000002: "#beta", 1000003: "#gamma"}
RELEASES = [
    "The company announced its financial results for the third quarter. Net loss was $3.1 million.",
    "The company announced that the FDA accepted its new drug application for review.",
    "The company is reducing its workforce by 20 percent to extend its cash runway.",
    "The company closed a registered direct offering with gross proceeds of $12.0 million.",
]


@dataclass
class CrashReport:
    kills: int
    filings: int
    messages: int
    lost: int
    doubled: int
    corrupt_state_files: int
    seconds: float

    def line(self) -> str:
        return (
            f"crash run: {self.kills} kills survived, {self.filings} filings, "
            f"{self.messages} messages, {self.doubled} duplicates, {self.lost} losses, "
            f"{self.corrupt_state_files} corrupt state files, {self.seconds:.0f}s"
        )


def _config(path: Path, edgar: FakeEdgar, slack: FakeSlack) -> None:
    companies = "".join(
        f'\n[[companies]]\ncik = {cik}\nchannel = "{channel}"\n'
        for cik, channel in COMPANIES.items()
    )
    path.write_text(f"""[edgar]
user_agent = "Crash Test crash@example.com"
base_url = "{edgar.base_url}"
poll_interval_seconds = 1

[slack]
base_url = "{slack.base_url}"
default_channel = "#filings"
{companies}""")


def _publisher(
    edgar: FakeEdgar, stop: threading.Event, rng: random.Random, every: float
) -> list[str]:
    published: list[str] = []

    def run() -> None:
        n = 0
        day = date(2024, 1, 2)
        while not stop.wait(every * (0.5 + rng.random())):
            n += 1
            cik = rng.choice(list(COMPANIES))
            accession = f"0000990000-24-{n:06d}"
            text = rng.choice(RELEASES)
            edgar.add(
                FakeFiling(
                    cik=cik,
                    company=f"COMPANY {cik}",
                    accession=accession,
                    form="8-K",
                    filed=day + timedelta(days=n // 50),
                    items=("8.01",),
                    accepted=f"{day + timedelta(days=n // 50)}T09:{(n // 60) % 60:02d}:{n % 60:02d}"
                    "-05:00",
                    documents=[
                        FakeDocument(
                            f"d{n}.htm",
                            "8-K",
                            b"<html><body><p>Item 8.01 Other Events</p></body></html>",
                        ),
                        FakeDocument(
                            f"d{n}ex991.htm",
                            "EX-99.1",
                            f"<html><body><p>{text}</p></body></html>".encode(),
                        ),
                    ],
                )
            )
            published.append(accession)

    threading.Thread(target=run, daemon=True).start()
    return published


def _start(cfg: Path, state: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "--config", str(cfg), "--state", str(state), "-q", "run"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
        env=env,
    )


def _corrupt_files(state: Path) -> int:
    """JSON state files that do not parse, files the tracker set aside as damaged, and an
    outbox database that fails SQLite's integrity check."""
    bad = len(list(state.rglob("*.damaged-*")))
    for path in state.rglob("*.json"):
        try:
            json.loads(path.read_bytes())
        except ValueError:
            bad += 1
    outbox = state / "outbox.sqlite"
    if outbox.exists():
        db = sqlite3.connect(f"{outbox.resolve().as_uri()}?mode=ro", uri=True)
        try:
            bad += db.execute("PRAGMA quick_check").fetchone()[0] != "ok"
        except sqlite3.DatabaseError:
            bad += 1
        finally:
            db.close()
    return bad


def run_crash(
    kills: int,
    seed: int = 1,
    every: float = 0.25,
    min_life: float = 0.2,
    max_life: float = 2.5,
    quiet: bool = False,
) -> CrashReport:
    rng = random.Random(seed)
    started = time.monotonic()
    with (
        FakeEdgar() as edgar,
        FakeSlack(token=TOKEN) as slack,
        tempfile.TemporaryDirectory(prefix="tracker-crash-") as tmp,
    ):
        cfg, state, log = Path(tmp) / "watch.toml", Path(tmp) / "state", Path(tmp) / "log"
        _config(cfg, edgar, slack)
        # The baseline first, unharmed: filings that exist before it are not news.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tracker",
                "--config",
                str(cfg),
                "--state",
                str(state),
                "-q",
                "poll",
            ],
            check=True,
            env={**os.environ, "SLACK_BOT_TOKEN": TOKEN},
        )
        stop = threading.Event()
        published = _publisher(edgar, stop, rng, every)
        corrupt = 0
        for i in range(kills):
            proc = _start(cfg, state, log)
            time.sleep(rng.uniform(min_life, max_life))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            corrupt += _corrupt_files(state)
            if not quiet and (i + 1) % 20 == 0:
                print(
                    f"  {i + 1} kills, {len(published)} filings, {len(slack.messages())} messages",
                    flush=True,
                )
        stop.set()
        time.sleep(every)
        expected = {(acc, COMPANIES[int_cik(edgar, acc)]) for acc in list(published)}
        proc = _start(cfg, state, log)
        # Each filing costs about 4 EDGAR requests at 10 per second: give the backlog time.
        deadline = time.monotonic() + 60 + len(expected) * 0.5
        while time.monotonic() < deadline:
            got = {
                (m["metadata"]["event_payload"]["accession"], m["channel"])
                for m in slack.messages()
            }
            if expected <= got:
                break
            time.sleep(0.2)
        time.sleep(1.5)  # one more cycle: anything doubled late would show now
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        counts = Counter(
            (m["metadata"]["event_payload"]["accession"], m["channel"]) for m in slack.messages()
        )
        return CrashReport(
            kills=kills,
            filings=len(expected),
            messages=sum(counts.values()),
            lost=len(expected - set(counts)),
            doubled=sum(c - 1 for c in counts.values() if c > 1),
            corrupt_state_files=corrupt,
            seconds=time.monotonic() - started,
        )


def int_cik(edgar: FakeEdgar, accession: str) -> int:
    return next(f.cik for f in edgar.visible() if f.accession == accession)


RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
CRASH_HEADING = "## Crash run (`make crash`)"


def record(report: CrashReport) -> None:
    """Keep the latest crash figures in bench/RESULTS.md, beside the benchmarks."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    section = (
        f"{CRASH_HEADING}\n\n- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n"
        f"- {report.line()}\n"
    )
    if CRASH_HEADING not in text:
        RESULTS.write_text(text.rstrip() + "\n\n" + section)
        return
    # Replace only this section: other scripts (bench/state_bench.py) write sections after it.
    start = text.index(CRASH_HEADING)
    end = text.find("\n## ", start + 1)
    rest = "" if end == -1 else text[end:]
    RESULTS.write_text(text[:start] + section + rest)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--every",
        type=float,
        default=0.5,
        help="mean seconds between new filings (SEC allows ~2.5 filings/s)",
    )
    args = parser.parse_args()
    report = run_crash(args.kills, args.seed, every=args.every)
    print(report.line())
    record(report)
    ok = report.lost == 0 and report.doubled == 0 and report.corrupt_state_files == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
