"""The outbox on SQLite: what is pending stays small, delivered history only grows by rows.

Why SQLite and not TinyDB here (figures in bench/RESULTS.md): the outbox is the one
state that grows with history (90 days of delivered alerts, 45,000 at 500 a day). A
JSON document is rewritten whole on every change; SQLite writes only the pages a
change touches, moves an alert from pending to delivered in one transaction, and finds
the Slack ts a thread needs through an index. WAL with synchronous=FULL: a commit is on
disk before the post it guards is sent, so neither a kill nor a power cut can make the
tracker post twice or forget a post.

Two tables: `open_alerts` (pending, sending, failed: small, read whole each cycle) and
`delivered` (appended, indexed by accession+channel for threads and by cik, pruned by
delivery date). `recovery_marks` keeps, per company, the newest filing date seen, outside
the company's own file, so that a damaged company file can be recovered without
losing the filings that arrive meanwhile.

Damage is refused, never papered over: an outbox that is empty, not a database, of the
wrong shape or a directory raises StateError naming the file, because a fresh outbox
would silently drop the pending alerts the damaged one held.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tracker.errors import StateError
from tracker.staterows import OPEN_STATUSES, OutboxRow

SCHEMA = """
CREATE TABLE open_alerts(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL UNIQUE,
    accession TEXT NOT NULL,
    cik INTEGER NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    last_try TEXT NOT NULL DEFAULT '',
    last_try_epoch REAL NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    uncertain INTEGER NOT NULL DEFAULT 0,
    alert TEXT NOT NULL
);
CREATE TABLE delivered(
    seq INTEGER PRIMARY KEY,
    alert_id TEXT NOT NULL UNIQUE,
    accession TEXT NOT NULL,
    cik INTEGER NOT NULL,
    channel TEXT NOT NULL,
    created TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at TEXT NOT NULL,
    ts TEXT,
    alert TEXT NOT NULL
);
CREATE INDEX delivered_thread ON delivered(accession, channel);
CREATE INDEX delivered_cik ON delivered(cik);
CREATE INDEX delivered_at ON delivered(delivered_at);
CREATE TABLE recovery_marks(
    cik INTEGER PRIMARY KEY,
    newest_filed TEXT NOT NULL,
    accessions TEXT NOT NULL
);
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('schema', '1');
"""

_TABLES = {
    "open_alerts": {"seq", "alert_id", "accession", "cik", "channel", "status", "alert"},
    "delivered": {"seq", "alert_id", "accession", "cik", "channel", "delivered_at", "ts"},
    "recovery_marks": {"cik", "newest_filed", "accessions"},
    "meta": {"key", "value"},
}
_OPEN_COLS = (
    "seq, alert_id, accession, cik, channel, status, attempts, next_attempt, created, "
    "last_try, last_try_epoch, last_error, uncertain, alert"
)
_UPDATABLE = {
    "status",
    "attempts",
    "next_attempt",
    "last_try",
    "last_try_epoch",
    "last_error",
    "uncertain",
}


def _refuse(path: Path, what: str) -> StateError:
    return StateError(
        f"state file {path} is damaged ({what}); it may hold alerts not yet delivered, "
        "so the tracker will not start on a fresh one by itself. Restore it from a backup, "
        f"or move it aside (e.g. `mv {path} {path}.damaged`) to start with an empty outbox "
        "(alerts still pending in it are then not sent)"
    )


class OutboxDB:
    """The SQLite file behind the outbox and the companies' recovery marks."""

    def __init__(self, path: Path, *, check: bool = True):
        self.path = path
        self._lock = threading.RLock()
        if path.is_dir():
            raise _refuse(path, "a directory is in its place")
        if path.exists() and path.stat().st_size == 0:
            raise _refuse(path, "the file is empty")
        if not path.exists():
            raise StateError(f"state file {path} is missing")  # State creates it first
        if check:
            self._check_read_only()
        try:
            self.db = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=10
            )
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self._check_shape(self.db, integrity=False)
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(Exception):
                self.db.close()
            raise self._error(exc) from None

    def _check_read_only(self) -> None:
        """Shape and integrity through a read-only connection, so that a damaged file is
        refused exactly as it was found (a read-write connection checkpoints on close)."""
        try:
            ro = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error:
            return  # cannot open read-only here: the read-write open checks the shape
        try:
            self._check_shape(ro, integrity=True)
        except sqlite3.OperationalError as exc:
            if "unable to open" in str(exc) or "readonly" in str(exc):
                return
            raise self._error(exc) from None
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        finally:
            ro.close()

    @staticmethod
    def create(path: Path, rows: Iterable[OutboxRow] = (), marks: Iterable[tuple] = ()) -> None:
        """Build a new outbox file (with rows migrated from an older outbox) under a
        temporary name and rename it into place: a kill midway leaves no half outbox."""
        tmp = path.with_name(f".{path.name}.build.tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        try:
            db = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                db.executescript(SCHEMA)
                db.execute("BEGIN")
                for row in rows:
                    _insert(db, row)
                db.executemany("INSERT OR REPLACE INTO recovery_marks VALUES (?, ?, ?)", marks)
                # New alerts come after every migrated one, delivered ones included.
                (top,) = db.execute(
                    "SELECT max(coalesce((SELECT max(seq) FROM open_alerts), 0), "
                    "coalesce((SELECT max(seq) FROM delivered), 0))"
                ).fetchone()
                db.execute("DELETE FROM sqlite_sequence WHERE name='open_alerts'")
                db.execute("INSERT INTO sqlite_sequence VALUES ('open_alerts', ?)", (top,))
                db.execute("COMMIT")
            finally:
                db.close()
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except (OSError, sqlite3.Error) as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise StateError(f"cannot create state file {path}: {exc}") from None

    def _check_shape(self, db: sqlite3.Connection, integrity: bool) -> None:
        found: dict[str, set[str]] = {}
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            found[name] = {r[1] for r in db.execute(f"PRAGMA table_info('{name}')")}
        for table, columns in _TABLES.items():
            if not columns <= found.get(table, set()):
                raise _refuse(self.path, f"not a tracker outbox: table {table} is missing")
        if integrity:
            # Reads every page once (about 0.1 s at 45,000 delivered alerts), at start only:
            # a truncated file is found here, not halfway through a delivery.
            result = db.execute("PRAGMA quick_check").fetchone()
            if not result or result[0] != "ok":
                raise _refuse(self.path, f"integrity check: {result[0] if result else '?'}")

    def _error(self, exc: sqlite3.Error) -> StateError:
        text = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and "readonly" in text:
            return StateError(f"cannot write state file {self.path}: read-only")
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            return _refuse(self.path, text)
        return StateError(f"state file {self.path}: {text}")

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    yield self.db
                except BaseException:
                    self.db.execute("ROLLBACK")
                    raise
                self.db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._error(exc) from None

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self.db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise self._error(exc) from None

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self.db.close()

    # -- alerts ------------------------------------------------------------------------------

    def enqueue(self, rows: list[OutboxRow]) -> int:
        added = 0
        with self._tx() as db:
            for row in rows:
                known = db.execute(
                    "SELECT 1 FROM open_alerts WHERE alert_id=? "
                    "UNION ALL SELECT 1 FROM delivered WHERE alert_id=?",
                    (row.alert_id, row.alert_id),
                ).fetchone()
                if known:
                    continue
                _insert(db, row)
                added += 1
        return added

    def open_alerts(self) -> list[OutboxRow]:
        rows = self._query(f"SELECT {_OPEN_COLS} FROM open_alerts ORDER BY seq")
        return [_open_row(r) for r in rows]

    def update(self, alert_id: str, **fields: Any) -> None:
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not an outbox field: {', '.join(sorted(unknown))}")
        if not fields:
            return
        sets = ", ".join(f"{k}=?" for k in fields)
        with self._tx() as db:
            db.execute(
                f"UPDATE open_alerts SET {sets} WHERE alert_id=?",
                (*[int(v) if isinstance(v, bool) else v for v in fields.values()], alert_id),
            )

    def mark_delivered(self, alert_id: str, ts: str | None, delivered_at: str) -> None:
        """Move the alert to the delivered history, in one transaction."""
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO delivered(seq, alert_id, accession, cik, channel, created, "
                "attempts, delivered_at, ts, alert) SELECT seq, alert_id, accession, cik, "
                "channel, created, attempts, ?, ?, alert FROM open_alerts WHERE alert_id=?",
                (delivered_at, ts, alert_id),
            )
            db.execute("DELETE FROM open_alerts WHERE alert_id=?", (alert_id,))

    def delivered_ts(self, accession: str, channel: str) -> str | None:
        rows = self._query(
            "SELECT ts FROM delivered WHERE accession=? AND channel=? ORDER BY seq DESC LIMIT 1",
            (accession, channel),
        )
        return rows[0][0] if rows else None

    def alerted_accessions(self, cik: int | None = None) -> set[str]:
        if cik is None:
            sql = "SELECT accession FROM open_alerts UNION SELECT accession FROM delivered"
            return {r[0] for r in self._query(sql)}
        sql = (
            "SELECT accession FROM open_alerts WHERE cik=? "
            "UNION SELECT accession FROM delivered WHERE cik=?"
        )
        return {r[0] for r in self._query(sql, (cik, cik))}

    def company_alerts(self, cik: int) -> list[OutboxRow]:
        """Every alert of one company, open and delivered, in creation order."""
        opened = [
            _open_row(r)
            for r in self._query(f"SELECT {_OPEN_COLS} FROM open_alerts WHERE cik=?", (cik,))
        ]
        done = [
            _delivered_row(r)
            for r in self._query(f"SELECT {_DELIVERED_COLS} FROM delivered WHERE cik=?", (cik,))
        ]
        return sorted(opened + done, key=lambda r: r.seq)

    def delivered(self, limit: int | None = None) -> list[OutboxRow]:
        sql = f"SELECT {_DELIVERED_COLS} FROM delivered ORDER BY seq"
        if limit is not None:
            sql = f"SELECT * FROM ({sql} DESC LIMIT {int(limit)}) ORDER BY seq"
        return [_delivered_row(r) for r in self._query(sql)]

    def delivered_count(self) -> int:
        return int(self._query("SELECT count(*) FROM delivered")[0][0])

    def last_alerts(self) -> dict[int, tuple[str, str]]:
        """Per company, its newest alert: accession and status."""
        out: dict[int, tuple[int, str, str]] = {}
        for seq, cik, accession in self._query(
            "SELECT max(seq), cik, accession FROM delivered GROUP BY cik"
        ):
            out[cik] = (seq, accession, "delivered")
        for seq, cik, accession, status in self._query(
            "SELECT seq, cik, accession, status FROM open_alerts ORDER BY seq"
        ):
            if cik not in out or out[cik][0] < seq:
                out[cik] = (seq, accession, status)
        return {cik: (a, s) for cik, (_, a, s) in out.items()}

    def prune(self, cutoff_iso: str) -> int:
        with self._tx() as db:
            cur = db.execute("DELETE FROM delivered WHERE delivered_at < ?", (cutoff_iso,))
            return int(cur.rowcount)

    # -- recovery marks ----------------------------------------------------------------------

    def recovery_mark(self, cik: int) -> tuple[str, set[str]]:
        """The newest filing date seen for a company, and the accessions seen on that date."""
        rows = self._query(
            "SELECT newest_filed, accessions FROM recovery_marks WHERE cik=?", (cik,)
        )
        if not rows:
            return "", set()
        try:
            known = {str(a) for a in json.loads(rows[0][1])}
        except (ValueError, TypeError):
            known = set()
        return str(rows[0][0]), known

    def set_recovery_mark(self, cik: int, filed: str, accessions: set[str]) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO recovery_marks VALUES (?, ?, ?)",
                (cik, filed, json.dumps(sorted(accessions))),
            )


_DELIVERED_COLS = (
    "seq, alert_id, accession, cik, channel, created, attempts, delivered_at, ts, alert"
)


def _insert(db: sqlite3.Connection, row: OutboxRow) -> None:
    alert = json.dumps(row.alert, ensure_ascii=False, separators=(",", ":"))
    if row.status == "delivered":
        db.execute(
            f"INSERT OR IGNORE INTO delivered({_DELIVERED_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                row.seq or None,
                row.alert_id,
                row.accession,
                row.cik,
                row.channel,
                row.created,
                row.attempts,
                row.delivered_at,
                row.ts,
                alert,
            ),
        )
        return
    status = row.status if row.status in OPEN_STATUSES else "pending"
    db.execute(
        f"INSERT OR IGNORE INTO open_alerts({_OPEN_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            row.seq or None,
            row.alert_id,
            row.accession,
            row.cik,
            row.channel,
            status,
            row.attempts,
            row.next_attempt,
            row.created,
            row.last_try,
            row.last_try_epoch,
            row.last_error,
            int(row.uncertain),
            alert,
        ),
    )


def _open_row(r: tuple[Any, ...]) -> OutboxRow:
    return OutboxRow(
        seq=r[0],
        alert_id=r[1],
        accession=r[2],
        cik=r[3],
        channel=r[4],
        status=r[5],
        attempts=r[6],
        next_attempt=r[7],
        created=r[8],
        last_try=r[9],
        last_try_epoch=r[10],
        last_error=r[11],
        uncertain=bool(r[12]),
        alert=json.loads(r[13]),
    )


def _delivered_row(r: tuple[Any, ...]) -> OutboxRow:
    return OutboxRow(
        seq=r[0],
        alert_id=r[1],
        accession=r[2],
        cik=r[3],
        channel=r[4],
        created=r[5],
        attempts=r[6],
        delivered_at=r[7],
        ts=r[8],
        alert=json.loads(r[9]),
        status="delivered",
    )
