"""Figures for hostile servers and documents (issue 12): time, memory, delays.

    python bench/hostile.py          writes its section of bench/RESULTS.md
    python bench/hostile.py --quick  smaller runs, printed only

Everything runs against the local EDGAR (tracker.fakes) on 127.0.0.1; `tracker poll` and
`tracker classify` run as subprocesses so their peak memory is their own.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from tracker.config import load_config
from tracker.edgar.client import EdgarClient
from tracker.fakes.edgar import FakeDocument, FakeEdgar, FakeFiling
from tracker.notify.sinks import ConsoleSink
from tracker.pipeline import Poller
from tracker.state import State

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- hostile.py: start -->", "<!-- hostile.py: end -->"
DENSE = (
    "The company announced a public offering of 5,000,000 shares of common stock at $4.00 "
    "per share for gross proceeds of $20.0 million; the FDA issued a complete response "
    "letter and the company will reduce its workforce by 35%. "
)


def config(path: Path, base_url: str, companies: str, extra: str = "") -> Path:
    path.write_text(
        f'[edgar]\nuser_agent = "Tracker Bench bench@example.com"\nbase_url = "{base_url}"\n'
        f'{extra}\n[slack]\ndefault_channel = "#filings"\n{companies}'
    )
    return path


def company(cik: int, channel: str) -> str:
    return f'\n[[companies]]\ncik = {cik}\nname = "Co {cik}"\nchannel = "{channel}"\n'


def filing(cik: int, n: int, docs: list[FakeDocument], filed: str = "2024-03-01") -> FakeFiling:
    return FakeFiling(
        cik=cik,
        company=f"CO {cik}",
        accession=f"0000950123-24-{n:06d}",
        form="8-K",
        filed=date.fromisoformat(filed),
        items=("8.01",),
        accepted=f"{filed}T{9 + n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}-05:00",
        documents=docs,
    )


def doc(
    n: int, text: str = "The company announced its results. Net loss was $4.0 million."
) -> FakeDocument:
    return FakeDocument(
        f"d{n}ex991.htm", "EX-99.1", f"<html><body><p>{text}</p></body></html>".encode()
    )


def measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """child_peak_mb in a fresh helper process, so the figure is this command's alone."""
    helper = (
        "import json, os, resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "p = subprocess.run(json.loads(sys.argv[1]), capture_output=True, text=True)\n"
        "wall = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([wall, peak, p.stderr[-3000:], p.returncode]))\n"
    )
    import json

    out = subprocess.run(
        [sys.executable, "-c", helper, json.dumps(cmd)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    wall, peak, err, code = json.loads(out.stdout)
    if code not in (0,):
        print(err, file=sys.stderr)
    return wall, peak, err


def blank_lines(kb: int) -> dict[str, float]:
    """`tracker classify` on a file of blank lines (and CRLF, " \\n", U+3000 runs)."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, unit in (
            ("blank lines", "\n"),
            ("CRLF", "\r\n"),
            ("space-newline", " \n"),
            ("U+3000", "\u3000\n"),
        ):
            path = Path(tmp) / "blank.txt"
            # A sentence at the end, so nothing short-cuts an empty document.
            blank = unit * (kb * 1024 // len(unit.encode()))
            path.write_bytes((blank + "The FDA approved the new drug application.\n").encode())
            wall, _, _ = measured([sys.executable, "-m", "tracker", "classify", str(path)])
            out[name] = wall
    return out


def dense_classify(mb: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dense.txt"
        path.write_text(DENSE * (mb * 1_000_000 // len(DENSE)))
        wall, peak, _ = measured([sys.executable, "-m", "tracker", "classify", str(path)])
    return wall, peak


def huge_document(mb: int) -> tuple[float, float]:
    """`tracker poll` when a new filing's press release is `mb` MB (capped at 20 MB)."""
    unit = f"<p>{DENSE}</p>\n".encode()
    big = FakeDocument("d2ex991.htm", "EX-99.1", unit, repeat=mb * 1_000_000 // len(unit))
    with FakeEdgar() as edgar, tempfile.TemporaryDirectory() as tmp:
        cfg = config(Path(tmp) / "w.toml", edgar.base_url, company(1111111, "#a"))
        state = Path(tmp) / "state"
        edgar.add(filing(1111111, 1, [doc(1)], filed="2024-01-02"))
        cmd = [sys.executable, "-m", "tracker", "poll", "--config", str(cfg), "--state", str(state)]
        measured(cmd)  # the baseline
        edgar.add(filing(1111111, 2, [big]))
        wall, peak, err = measured(cmd)
        if "1 alerts queued" not in err:
            print(err[-2000:], file=sys.stderr)
    return wall, peak


def slow_headers(timeout: float | None) -> tuple[float, float, int]:
    """Delay of a fast company's alert while another's document sends headers at 1 byte/s."""
    extra = f"timeout_seconds = {timeout}" if timeout else ""
    with FakeEdgar() as edgar, tempfile.TemporaryDirectory() as tmp:
        cfg = load_config(
            str(
                config(
                    Path(tmp) / "w.toml",
                    edgar.base_url,
                    company(2222222, "#slow") + company(1111111, "#fast"),
                    extra,
                )
            )
        )
        client = EdgarClient(
            edgar.base_url, cfg.edgar.user_agent, timeout=cfg.edgar.timeout_seconds
        )
        sink = _Timed()
        poller = Poller(cfg, State(Path(tmp) / "state"), client, sink)
        poller.run_cycle()
        edgar.add(filing(2222222, 9, [doc(9)]))
        edgar.add(filing(1111111, 2, [doc(2)]))
        edgar.fail("d9ex991.htm", trickle=1.0, count=100)
        start = time.monotonic()
        poller.run_cycle()
        cycle = time.monotonic() - start
        fast = sink.times.get("#fast", float("nan")) - start
        return fast, cycle, len(edgar.requests_to("d9ex991.htm"))


class _Timed(ConsoleSink):
    def __init__(self) -> None:
        import io

        super().__init__(io.StringIO())
        self.times: dict[str, float] = {}

    def post(self, alert, thread_ts=None):  # type: ignore[no-untyped-def]
        self.times.setdefault(alert.channel, time.monotonic())
        return super().post(alert, thread_ts)


def backlog(n: int) -> tuple[int, float, int]:
    with FakeEdgar() as edgar, tempfile.TemporaryDirectory() as tmp:
        cfg = load_config(str(config(Path(tmp) / "w.toml", edgar.base_url, company(1111111, "#a"))))
        client = EdgarClient(edgar.base_url, cfg.edgar.user_agent)
        poller = Poller(cfg, State(Path(tmp) / "state"), client, ConsoleSink(_Null()))
        edgar.add(filing(1111111, 1, [doc(1)], filed="2024-01-02"))
        poller.run_cycle()
        for k in range(2, n + 2):
            edgar.add(filing(1111111, k, [doc(k)]))
        start = time.monotonic()
        alerted = 0
        cycles = 0
        while alerted < n and cycles < 10:
            report = poller.run_cycle()
            alerted += report.alerts_queued
            cycles += 1
        return alerted, time.monotonic() - start, cycles


class _Null:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    quick = args.quick
    lines = [START, "## Hostile inputs and servers (`bench/hostile.py`, issue 12)", ""]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines.append(
        f"- date: {stamp}; machine: {platform.platform()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; other work was running on the machine"
    )

    def add(text: str) -> None:
        lines.append(text)
        print(text, flush=True)

    kb = 50 if quick else 200
    for name, wall in blank_lines(kb).items():
        add(
            f"- `tracker classify` on {kb} KB of {name}: {wall:.2f} s "
            "(process start included; target < 5 s)"
        )
    mb = 2 if quick else 20
    wall, peak = dense_classify(mb)
    add(
        f"- `tracker classify` on {mb} MB of dense trigger text: {wall:.1f} s, "
        f"peak memory {peak:.0f} MB"
    )
    big = 50 if quick else 500
    wall, peak = huge_document(big)
    add(
        f"- `tracker poll` with a new filing whose press release is {big} MB (read up to the "
        f"20 MB cap): {wall:.1f} s, peak memory {peak:.0f} MB (target < 150 MB)"
    )
    fast, cycle, tries = slow_headers(2.0 if quick else None)
    which = "timeout_seconds 2" if quick else "the default timeout_seconds, 20"
    add(
        f"- headers at 1 byte/s on one company's document ({which}): "
        f"the other company's alert after {fast:.1f} s, the cycle {cycle:.1f} s, "
        f"{tries} request(s) to the slow document (target: under a minute)"
    )
    n = 60 if quick else 300
    alerted, wall, cycles = backlog(n)
    add(
        f"- {n} new filings between two polls: {alerted} alerted in {cycles} cycle(s), {wall:.1f} s"
    )
    lines.append(
        "- before these changes (the red-team run in issue 12): 200 KB of blank lines 88 s; "
        "a 500 MB document's poll 430-530 MB and 76-110 s; 20 MB of dense trigger text 24 s "
        "and 490 MB; headers at 1 byte/s held a poll 246 s; 300 new filings gave 39 alerts"
    )
    lines.append(
        "- the backlog: 300 filings need about 600 requests, a minute at SEC's 10 per second; "
        "one company gets 2 x timeout_seconds (40 s) of a cycle, the rest comes the next cycle"
    )
    lines.append(END)
    if quick:
        return
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    block = "\n".join(lines) + "\n"
    if START in text:
        text = re.sub(
            re.escape(START) + ".*?" + re.escape(END) + "\n?", lambda m: block, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + block
    results.write_text(text)


if __name__ == "__main__":
    main()
