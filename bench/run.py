"""Benchmarks for scale and speed (issue 6) and classification throughput (issue 3).

    python bench/run.py            (make bench)      writes bench/RESULTS.md
    python bench/run.py --quick    smaller runs, for a smoke check

Everything runs against the local EDGAR and Slack servers on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from tracker.config import Config, EdgarSettings, SlackSettings, StateSettings
from tracker.edgar.client import EdgarClient
from tracker.fakes.edgar import FakeDocument, FakeEdgar, FakeFiling
from tracker.fakes.slack import FakeSlack
from tracker.models import Company
from tracker.notify.sinks import ConsoleSink, SlackSink
from tracker.pipeline import Poller
from tracker.state import SeenFiling, State

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "xoxb-bench-token"
BASE_CIK = 20_000_000
RELEASE = (
    "The company announced that the FDA approved its new drug application for Zelvora. "
    "The company is reducing its workforce by 15 percent. Net loss was $4.2 million."
)


def filing(cik: int, n: int, appear_at: float = 0.0) -> FakeFiling:
    return FakeFiling(
        cik=cik,
        company=f"BENCH CO {cik}",
        accession=f"0000777000-24-{n:06d}",
        form="8-K",
        filed=date(2024, 5, 1),
        items=("8.01", "9.01"),
        appear_at=appear_at,
        accepted=f"2024-05-01T10:{(n // 60) % 60:02d}:{n % 60:02d}-04:00",
        documents=[
            FakeDocument(
                f"d{n}8k.htm", "8-K", b"<html><body><p>Item 8.01 Other Events</p></body></html>"
            ),
            FakeDocument(
                f"d{n}ex991.htm", "EX-99.1", f"<html><body><p>{RELEASE}</p></body></html>".encode()
            ),
        ],
    )


def config(
    edgar_url: str,
    n: int,
    mode: str,
    slack_url: str = "http://127.0.0.1:9/api/",
    interval: float = 60.0,
    sweep: float = 30.0,
) -> Config:
    companies = tuple(Company(cik=BASE_CIK + i, name=f"Bench {i}") for i in range(n))
    return Config(
        edgar=EdgarSettings(
            user_agent="Bench bench@example.com",
            base_url=edgar_url,
            mode=mode,
            poll_interval_seconds=interval,
            sweep_minutes=sweep,
        ),
        slack=SlackSettings(base_url=slack_url),
        state=StateSettings(),
        companies=companies,
    )


def poller(
    cfg: Config, state_dir: Path, sink: object | None = None, unthrottled: bool = False
) -> Poller:
    """`unthrottled` only for counting requests: the local EDGAR needs no politeness."""
    client = EdgarClient(
        cfg.edgar.base_url,
        cfg.edgar.user_agent,
        sleep=(lambda s: None) if unthrottled else time.sleep,
    )
    return Poller(cfg, State(state_dir), client, sink or ConsoleSink(io.StringIO()))  # type: ignore[arg-type]


def prebaseline(state_dir: Path, n: int, seen_each: int = 0) -> None:
    """Write baselined company files directly, as weeks of polling would leave them."""
    state = State(state_dir)
    for i in range(n):
        rows = [
            SeenFiling(f"{i:010d}-24-{j:06d}", form="8-K", filed="2024-01-01", status="baseline")
            for j in range(seen_each)
        ]
        state.record_filings(BASE_CIK + i, rows, baseline=True)


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def start_daemon(
    tmp: Path, edgar_url: str, companies: int, interval: float, extra: str, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """`tracker run` on a config of `companies` companies (their state under tmp/state)."""
    config_path = tmp / "watch.toml"
    listing = "".join(f"\n[[companies]]\ncik = {BASE_CIK + i}\n" for i in range(companies))
    config_path.write_text(
        f'[edgar]\nuser_agent = "Bench bench@example.com"\nbase_url = "{edgar_url}"\n'
        f"poll_interval_seconds = {interval}\n{extra}\n{listing}"
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tracker",
            "--config",
            str(config_path),
            "--state",
            str(tmp / "state"),
            "-q",
            "run",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )


# -- the measurements ----------------------------------------------------------------------


def idle_requests(sizes: list[int]) -> list[tuple[int, int, int, float, float]]:
    """(companies, latest-mode requests, company-mode requests, latest ms, company ms)."""
    rows = []
    for n in sizes:
        result = []
        for mode in ("latest", "company"):
            with (
                FakeEdgar([filing(999, k) for k in range(3)]) as edgar,
                tempfile.TemporaryDirectory() as tmp,
            ):
                prebaseline(Path(tmp), n)
                p = poller(
                    config(edgar.base_url, n, mode, sweep=10_000),
                    Path(tmp),
                    unthrottled=mode == "company",
                )
                p.run_cycle()  # warm: the first sweep slot and the latest-feed watermark
                times = []
                for _ in range(3 if mode == "latest" else 1):
                    before = len(edgar.requests)
                    times.append(timed(p.run_cycle))
                    requests = len(edgar.requests) - before
                # Per-company mode is bound by SEC's 10 requests/s, not by the machine.
                elapsed = statistics.median(times) if mode == "latest" else requests / 10
                result.append((requests, elapsed * 1000))
        rows.append((n, result[0][0], result[1][0], result[0][1], result[1][1]))
        print(
            f"  idle cycle, {n} companies: latest {result[0][0]} requests "
            f"({result[0][1]:.1f} ms), company {result[1][0]} requests ({result[1][1]:.0f} ms)",
            flush=True,
        )
    return rows


def new_filing_time(count: int) -> list[float]:
    """Feed to posted alert, in process, latest mode: one new filing per cycle."""
    with (
        FakeEdgar() as edgar,
        FakeSlack(token=TOKEN) as slack,
        tempfile.TemporaryDirectory() as tmp,
    ):
        prebaseline(Path(tmp), 100)
        cfg = config(edgar.base_url, 100, "latest", slack.base_url, sweep=10_000)
        p = poller(cfg, Path(tmp), SlackSink(TOKEN, slack.base_url))
        p.run_cycle()
        edgar.add(filing(BASE_CIK, 99))  # warm-up: the rules are compiled on first use
        p.run_cycle()
        times = []
        for k in range(count):
            # Cycles at least a second apart, as a daemon's are: back to back, SEC's
            # 10-per-second window (4 requests a filing) would be measured instead.
            time.sleep(1.05)
            edgar.add(filing(BASE_CIK + k % 100, 100 + k))
            times.append(timed(p.run_cycle))
        assert len(slack.messages()) == count + 1
        return times


def alert_latency(count: int, interval: float = 2.0) -> list[float]:
    """Seconds from a filing appearing on EDGAR to its message on Slack (the daemon)."""
    rng = random.Random(3)
    with (
        FakeEdgar() as edgar,
        FakeSlack(token=TOKEN) as slack,
        tempfile.TemporaryDirectory() as tmp,
    ):
        prebaseline(Path(tmp) / "state", 50)
        proc = start_daemon(
            Path(tmp),
            edgar.base_url,
            50,
            interval,
            f'mode = "latest"\n[slack]\nbase_url = "{slack.base_url}"',
            {**os.environ, "SLACK_BOT_TOKEN": TOKEN},
        )
        try:
            time.sleep(interval * 1.5)
            appeared: dict[str, float] = {}
            for k in range(count):
                time.sleep(rng.uniform(0.1, interval * 1.2))
                f = filing(BASE_CIK + k % 50, 5000 + k)
                edgar.add(f)
                appeared[f.accession] = time.time()
            slack.wait_for_messages(count, timeout=interval * 5 + 30)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        return [
            float(m["ts"]) - appeared[m["metadata"]["event_payload"]["accession"]]
            for m in slack.messages()
        ]


def daemon_memory(companies: int) -> float:
    """Peak resident memory (MB) of `tracker run` watching `companies` companies."""
    with (
        FakeEdgar([filing(999, k) for k in range(5)]) as edgar,
        tempfile.TemporaryDirectory() as tmp,
    ):
        prebaseline(Path(tmp) / "state", companies, 20)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK")}
        proc = start_daemon(Path(tmp), edgar.base_url, companies, 1, "", env)
        time.sleep(6)
        status = Path(f"/proc/{proc.pid}/status").read_text()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        hwm = next(line for line in status.splitlines() if line.startswith("VmHWM"))
        return int(hwm.split()[1]) / 1024


def help_time(runs: int = 10) -> float:
    exe = Path(sys.executable).parent / "tracker"
    times = [
        timed(lambda: subprocess.run([str(exe), "--help"], capture_output=True, check=True))
        for _ in range(runs)
    ]
    return statistics.median(times) * 1000


def classify_throughput() -> dict[str, float]:
    """Issue #17: the real corpus, each document classified as its own form.

    tests/corpus_real's documents (8-K bodies, EX-99 releases, 424Bs, 10-Qs, newswire
    releases) are read as the tracker meets them in a filing (labels_*.jsonl give the
    form and date) and classified; passes repeat until about 5 MB have been read. CPU
    time on one core: `end_to_end` counts decoding and HTML to text as well,
    `classification` only the classifier on the extracted text.
    """
    import json

    from tracker.classify import classify_documents
    from tracker.classify.files import read_as_filed

    corpus = ROOT / "tests" / "corpus_real"
    items = []
    for labels in sorted(corpus.glob("labels_*.jsonl")):
        for line in labels.read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                filed = raw.get("filed") or ""
                items.append(
                    (
                        corpus / raw["file"],
                        raw.get("form", ""),
                        date.fromisoformat(filed) if filed else None,
                    )
                )
    if not items:
        return {}  # written as unknown: there is nothing to measure on
    raws = [(path.read_bytes(), path.name, form, filed) for path, form, filed in items]
    total = sum(len(r[0]) for r in raws)
    passes = max(2, round(5_000_000 / total))
    # Start-up is not throughput: compiling the rules and importing the HTML parser
    # happen once per process (measured apart), not once per document.
    t0 = time.process_time()
    docs, filing_form = read_as_filed(raws[0][1], raws[0][0], raws[0][2])
    classify_documents(docs, form=filing_form, filed=raws[0][3])
    startup = time.process_time() - t0
    per_doc: list[float] = []
    end_to_end = 0.0
    classification = 0.0
    text_bytes = 0
    for n in range(passes):
        for raw, name, form, filed in raws:
            t0 = time.process_time()
            docs, filing_form = read_as_filed(name, raw, form)
            t1 = time.process_time()
            classify_documents(docs, form=filing_form, filed=filed)
            t2 = time.process_time()
            end_to_end += t2 - t0
            classification += t2 - t1
            if n == 0:
                per_doc.append(t2 - t0)
                text_bytes += sum(len(d.text.encode()) for d in docs)
    return {
        "docs": len(raws),
        "mb": total / 1e6,
        "passes": passes,
        "read_mb": total * passes / 1e6,
        "mb_per_s": total * passes / 1e6 / end_to_end,
        "text_mb": text_bytes / 1e6,
        "text_mb_per_s": text_bytes * passes / 1e6 / classification,
        "ms_per_doc_median": statistics.median(per_doc) * 1000,
        "ms_per_doc_max": max(per_doc) * 1000,
        "startup_ms": startup * 1000,
    }


def timed_cpu(fn: Callable[[], object]) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


# -- report --------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown cpu"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


KEPT_SECTIONS = (
    "## State at 90 days of history",
    "## Idle cycle on a real latest-filings page",
    "## Crash run",
    "## Hostile inputs and servers",
)


def _section(text: str, title: str) -> str:
    if title not in text:
        return ""
    start = text.index(title)
    end = text.find("\n## ", start + 1)
    return text[start:] if end == -1 else text[start : end + 1]


def classification_section(cls: dict[str, float]) -> list[str]:
    """The classification part of RESULTS.md (issue #17)."""

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    if not cls:
        return [
            "## Classification throughput (one core, CPU time)",
            "",
            "- unknown: tests/corpus_real has no labelled documents to measure on",
            "",
        ]
    return [
        "## Classification throughput (one core, CPU time)",
        "",
        f"- the real corpus (tests/corpus_real): {cls['docs']} documents, {cls['mb']:.2f} MB as "
        f"filed, each classified as its own form, {cls['passes']} passes "
        f"({cls['read_mb']:.1f} MB read): {cls['mb_per_s']:.1f} MB/s from the file's bytes "
        f"to categories, decoding and HTML to text included (target >= 5 MB/s: "
        f"{mark(cls['mb_per_s'] >= 5)})",
        f"- the classifier alone on the extracted text ({cls['text_mb']:.2f} MB per pass): "
        f"{cls['text_mb_per_s']:.1f} MB/s",
        f"- per document: median {cls['ms_per_doc_median']:.1f} ms, max "
        f"{cls['ms_per_doc_max']:.0f} ms",
        f"- once per process, not counted above: compiling the rules and importing the HTML "
        f"parser, {cls['startup_ms']:.0f} ms",
        "",
    ]


def replace_section(previous: str, heading: str, lines: list[str]) -> str:
    """`previous` with the section under `heading` replaced by `lines` (or appended)."""
    start = previous.find(heading)
    if start < 0:
        return previous.rstrip("\n") + "\n\n" + "\n".join(lines)
    end = previous.find("\n## ", start + len(heading))
    rest = previous[end + 1 :] if end >= 0 else ""
    return previous[:start] + "\n".join(lines) + ("\n" + rest if rest else "\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--classification",
        action="store_true",
        help="only the classification throughput; replaces that section of --out",
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    quick = args.quick
    if args.classification:
        out = Path(args.out)
        lines = [
            *classification_section(classify_throughput()),
            f"(measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}, "
            "`python bench/run.py --classification`)",
            "",
        ]
        previous = out.read_text() if out.exists() else ""
        out.write_text(replace_section(previous, lines[0], lines))
        print("\n".join(lines))
        return 0
    print("requests per idle cycle", flush=True)
    idle = idle_requests([1, 100] if quick else [1, 100, 1000, 5000])
    print("feed to posted alert, in process", flush=True)
    per_filing = new_filing_time(10 if quick else 50)
    print("alert latency through the daemon (2 s interval)", flush=True)
    latency = alert_latency(10 if quick else 60)
    print("daemon memory", flush=True)
    memory = daemon_memory(500 if quick else 5000)
    print("tracker --help", flush=True)
    helps = help_time()
    print("classification throughput", flush=True)
    cls = classify_throughput()

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    big = max(idle, key=lambda r: r[0])
    lines = [
        "# Benchmark results",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- machine: {machine()}",
        f"- command: `python bench/run.py{' --quick' if quick else ''}` (`make bench`)",
        "- servers: tracker.fakes EDGAR and Slack on 127.0.0.1",
        "",
        "## Requests per idle cycle",
        "",
        "| companies | latest-filings mode | per-company mode | latest ms (synthetic 3-entry feed) "
        "| per-company ms (at 10/s) |",
        "| ---: | ---: | ---: | ---: | ---: |",
        *[f"| {n:,} | {a} | {b:,} | {ta:.1f} | {tb:.0f} |" for n, a, b, ta, tb in idle],
        "",
        f"Target at most 2 in latest mode: {mark(all(r[1] <= 2 for r in idle))}. Idle cycle at "
        f"{big[0]:,} companies: {big[3]:.1f} ms (target < 100 ms: {mark(big[3] < 100)}). "
        "The slow completeness sweep of each company's own feed is extra and spread out: "
        "companies x interval / (sweep_minutes x 60) requests per cycle (at 5,000 companies, "
        "60 s and 30 min: 167 per cycle, 2.8 per second).",
        "",
        "## One new filing, feed to posted alert (in process)",
        "",
        f"- {len(per_filing)} filings: median {statistics.median(per_filing) * 1000:.1f} ms, "
        f"p95 {pct(per_filing, 0.95) * 1000:.1f} ms (target median < 50 ms: "
        f"{mark(statistics.median(per_filing) < 0.05)})",
        "",
        "## Alert latency through the daemon (latest mode, 2 s interval)",
        "",
        f"- {len(latency)} filings: median {statistics.median(latency):.2f} s, p95 "
        f"{pct(latency, 0.95):.2f} s, max {max(latency):.2f} s (target p95 <= 3.0 s: "
        f"{mark(pct(latency, 0.95) <= 3.0)})",
        "",
        "## Daemon and start-up",
        "",
        f"- peak memory of `tracker run` with {5000 if not quick else 500:,} companies: "
        f"{memory:.1f} MB (target < 80 MB: {mark(memory < 80)})",
        f"- `tracker --help`: median {helps:.0f} ms (target < 300 ms: {mark(helps < 300)})",
        "",
        *classification_section(cls),
    ]
    out = Path(args.out)
    # The crash run (bench/crash.py) and the state and real-page idle benchmarks
    # (bench/state_bench.py) record their own sections; keep them.
    previous = out.read_text() if out.exists() else ""
    kept = [_section(previous, title) for title in KEPT_SECTIONS]
    out.write_text("\n".join(lines) + "".join("\n" + s for s in kept if s))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
