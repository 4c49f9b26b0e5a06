# ruff: noqa: E501  (SQL and report lines are kept whole for reading)
"""Outbox stores compared at 45,000 realistic delivered alerts (about 3 KB each).

The measurement behind the choice of SQLite for the outbox (tracker/outboxdb.py):
B, JSON partitioned the best way (a small pending.json rewritten per change, delivered
history and a ts index appended to JSON Lines), against C/D, SQLite in WAL mode with
synchronous FULL/NORMAL. Layout A, the previous single TinyDB outbox.json, was measured
with the same alerts at commit fd2e552 (figures in bench/RESULTS.md).

    python bench/outbox_compare.py [N] [BCD]
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tracker.models import Alert, Fact, MilestoneChange
from tracker.notify.codec import alert_to_dict

N = int(sys.argv[1]) if len(sys.argv) > 1 else 45000
rng = random.Random(1)
WORDS = [
    "the",
    "company",
    "announced",
    "that",
    "its",
    "board",
    "approved",
    "a",
    "registered",
    "direct",
    "offering",
    "of",
    "shares",
    "and",
    "warrants",
    "to",
    "institutional",
    "investors",
    "priced",
    "at",
    "the",
    "market",
    "under",
    "nasdaq",
    "rules",
    "with",
    "gross",
    "proceeds",
    "expected",
]


def sentence(n=40):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def alert(k: int) -> dict:
    acc = f"0001{k:06d}-24-{k:06d}"
    a = Alert(
        alert_id=f"{acc}#C0{k % 50}",
        accession=acc,
        cik=1000000 + k % 5000,
        company=f"Company {k % 5000} Therapeutics, Inc.",
        ticker=f"T{k % 5000}",
        form="8-K",
        filed="2024-03-01",
        categories=("financing", "fda"),
        evidence={
            "financing": (sentence(), sentence(), sentence()),
            "fda": (sentence(), sentence()),
        },
        facts=(
            Fact("offering_gross_proceeds", 25000000, sentence(12)),
            Fact("offering_price", 4.25, sentence(10)),
            Fact("shares", 5882353, sentence(10)),
        ),
        index_url=f"https://www.sec.gov/Archives/edgar/data/{1000000 + k % 5000}/{acc.replace('-', '')}/{acc}-index.htm",
        document_url=f"https://www.sec.gov/Archives/edgar/data/{1000000 + k % 5000}/{acc.replace('-', '')}/ex99-1.htm",
        channel=f"#c{k % 50}",
        changes=(
            MilestoneChange(
                "moved",
                "PDUFA date (X-101)",
                "Moved: PDUFA date, was June 2024, now September 2024",
                "June 2024",
                "September 2024",
                sentence(30),
            ),
        ),
        items=("1.01", "3.02", "8.01", "9.01"),
    )
    return alert_to_dict(a)


sz = len(json.dumps(alert(1)))
print(f"alert JSON size {sz} bytes; N={N}")


def timed(fn, n=20):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1000


def row(k, status="delivered"):
    a = alert(k)
    return {
        "alert_id": a["alert_id"],
        "accession": a["accession"],
        "cik": a["cik"],
        "channel": a["channel"],
        "alert": a,
        "status": status,
        "attempts": 1,
        "created": "2024-03-01T00:00:00Z",
        "delivered_at": "2024-03-01T00:00:01Z",
        "ts": f"17000{k}.0001",
    }


rows = [row(k) for k in range(N)]


def json_partitioned(d: Path):
    # pending.json small (rewritten), delivered-YYYY-MM.jsonl appended, index jsonl appended.
    from tracker.atomicfile import replace_file

    pend = d / "pending.json"
    deliv = d / "delivered-2024-03.jsonl"
    idx = d / "ts-index.jsonl"
    with open(deliv, "w") as f:
        for r in rows:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    with open(idx, "w") as f:
        for r in rows:
            f.write(json.dumps([r["accession"], r["channel"], r["ts"]]) + "\n")
    replace_file(pend, json.dumps({"alerts": {}}).encode())
    t = time.perf_counter()
    index = {(a, c): ts for a, c, ts in map(json.loads, idx.read_text().splitlines())}
    load_idx = (time.perf_counter() - t) * 1000
    k = [N + 1]

    def write():
        # one cycle: queue one alert, mark it sending, deliver it (pending -> delivered file + index)
        r = row(k[0], "pending")
        k[0] += 1
        data = json.loads(pend.read_bytes())
        data["alerts"][r["alert_id"]] = r
        replace_file(pend, json.dumps(data).encode())
        data["alerts"][r["alert_id"]]["status"] = "sending"
        replace_file(pend, json.dumps(data).encode())
        done = data["alerts"].pop(r["alert_id"])
        done["status"] = "delivered"
        with open(deliv, "a") as f:
            f.write(json.dumps(done) + "\n")
            f.flush()
            os.fsync(f.fileno())
        with open(idx, "a") as f:
            f.write(json.dumps([done["accession"], done["channel"], done["ts"]]) + "\n")
            f.flush()
            os.fsync(f.fileno())
        index[(done["accession"], done["channel"])] = done["ts"]
        replace_file(pend, json.dumps(data).encode())

    def read():
        json.loads(pend.read_bytes())
        index.get(("x", "y"))

    w = timed(write)
    rd = timed(read)
    size = sum(p.stat().st_size for p in d.iterdir())
    print(
        f"B JSON partitioned ({size / 1e6:.0f} MB): cycle write (queue, sending, delivered) {w:.1f} ms, read pending+ts lookup {rd:.2f} ms; index load at start {load_idx:.0f} ms"
    )


def sqlite(d: Path, sync: str):
    p = d / "outbox.sqlite"
    db = sqlite3.connect(p, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={sync}")
    db.execute("""CREATE TABLE open_alerts(seq INTEGER PRIMARY KEY, alert_id TEXT UNIQUE NOT NULL, accession TEXT, cik INTEGER, channel TEXT,
        status TEXT, attempts INTEGER, next_attempt REAL, created TEXT, alert TEXT)""")
    db.execute("""CREATE TABLE delivered(seq INTEGER PRIMARY KEY, alert_id TEXT UNIQUE NOT NULL, accession TEXT, cik INTEGER, channel TEXT,
        created TEXT, delivered_at TEXT, ts TEXT, alert TEXT)""")
    db.execute("CREATE INDEX delivered_thread ON delivered(accession, channel)")
    db.execute("CREATE INDEX delivered_cik ON delivered(cik)")
    db.execute("CREATE INDEX delivered_at ON delivered(delivered_at)")
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO delivered(alert_id,accession,cik,channel,created,delivered_at,ts,alert) VALUES(?,?,?,?,?,?,?,?)",
        [
            (
                r["alert_id"],
                r["accession"],
                r["cik"],
                r["channel"],
                r["created"],
                r["delivered_at"],
                r["ts"],
                json.dumps(r["alert"]),
            )
            for r in rows
        ],
    )
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    k = [N + 1]

    def write():
        r = row(k[0], "pending")
        k[0] += 1
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO open_alerts(alert_id,accession,cik,channel,status,attempts,next_attempt,created,alert) VALUES(?,?,?,?,?,?,?,?,?)",
            (
                r["alert_id"],
                r["accession"],
                r["cik"],
                r["channel"],
                "pending",
                0,
                0,
                r["created"],
                json.dumps(r["alert"]),
            ),
        )
        db.execute("COMMIT")
        db.execute("BEGIN")
        db.execute(
            "UPDATE open_alerts SET status='sending', attempts=1 WHERE alert_id=?", (r["alert_id"],)
        )
        db.execute("COMMIT")
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO delivered(alert_id,accession,cik,channel,created,delivered_at,ts,alert) SELECT alert_id,accession,cik,channel,created,'x','1.2',alert FROM open_alerts WHERE alert_id=?",
            (r["alert_id"],),
        )
        db.execute("DELETE FROM open_alerts WHERE alert_id=?", (r["alert_id"],))
        db.execute("COMMIT")

    def read():
        list(db.execute("SELECT * FROM open_alerts ORDER BY seq"))
        db.execute(
            "SELECT ts FROM delivered WHERE accession=? AND channel=?",
            ("0001000005-24-000005", "#c5"),
        ).fetchone()

    def reopen():
        c = sqlite3.connect(p)
        c.execute("SELECT count(*) FROM open_alerts").fetchone()
        c.close()

    w = timed(write)
    rd = timed(read)
    ro = timed(reopen)
    size = p.stat().st_size
    t = time.perf_counter()
    db.execute("PRAGMA quick_check").fetchone()
    qc = (time.perf_counter() - t) * 1000
    print(
        f"C SQLite WAL synchronous={sync} ({size / 1e6:.0f} MB): cycle write (queue, sending, delivered: 3 transactions) {w:.1f} ms, read pending+ts lookup {rd:.2f} ms, open+count {ro:.1f} ms, quick_check {qc:.0f} ms"
    )


which = sys.argv[2] if len(sys.argv) > 2 else "BCD"
for name, fn in (
    ("B", json_partitioned),
    ("C", lambda d: sqlite(d, "FULL")),
    ("D", lambda d: sqlite(d, "NORMAL")),
):
    if name in which:
        with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
            fn(Path(tmp))
