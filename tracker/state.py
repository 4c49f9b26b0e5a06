"""The tracker's memory on disk: seen filings, the alert outbox, the ledger, status.

Layout of the state directory (passed in, never taken from the environment):

- `companies/<cik>.json`: one small TinyDB document per company (baseline, seen
  filings, fetch failures, milestone ledger). TinyDB rewrites a whole file per write,
  which is why each company has its own: a write costs one company's history, not all.
- `outbox.sqlite`: the alerts (pending and delivered) and per-company recovery marks, in
  SQLite (tracker/outboxdb.py says why): the one state that grows with history.
- `status.json`: what the last cycle did and the latest-feed watermark.
- `VERSION`: the layout's version; an older layout is migrated on first start.

Every JSON write is atomic (temporary file, fsync, rename). Damage is never silent:
a damaged company or status file is set aside under a `.damaged-<time>` name and
recovered without losing filings (see CompanyDoc.recover_from); a damaged outbox is
refused with the file named, because starting a fresh one would drop pending alerts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from tracker.atomicfile import replace_file
from tracker.errors import StateError
from tracker.models import order_key
from tracker.outboxdb import OutboxDB
from tracker.staterows import (
    OPEN_STATUSES,
    CompanyDoc,
    FetchFailure,
    OutboxRow,
    SeenFiling,
    Status,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
OUTBOX_NAME = "outbox.sqlite"
LEGACY_OUTBOX_NAME = "outbox.json"  # version 1: one TinyDB file, rewritten per change
# A latest-feed watermark no feed holds: after the status file was lost, discovery does
# not know where it stopped, finds a gap, and reads every company's own feed once.
UNKNOWN_WATERMARK = "0000000000-00-000000"

__all__ = [
    "CompanyDoc",
    "FetchFailure",
    "OutboxRow",
    "SeenFiling",
    "State",
    "Status",
    "atomic_write",
    "now_iso",
]


class Damaged(ValueError):
    """A state file that cannot be what this version wrote (empty, not JSON, wrong shape)."""


class AtomicJSONStorage(Storage):
    """TinyDB storage that holds no file handle and replaces the file atomically.

    TinyDB's JSONStorage rewrites in place (a kill mid-write corrupts it) and keeps
    a handle open per database, which does not scale to thousands of company files.
    An empty file is damage, not an empty database: this storage never writes one.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._cache: dict[str, Any] | None = None

    def read(self) -> dict[str, Any] | None:
        if self._cache is not None:
            return self._cache
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise Damaged("a directory is in its place") from None
        except OSError as exc:
            raise StateError(f"cannot read state file {self.path}: {exc.strerror}") from None
        if not raw.strip():
            raise Damaged("the file is empty")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Damaged(f"not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise Damaged(f"holds a JSON {type(data).__name__}, not an object")
        for name, table in data.items():
            if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
                raise Damaged(f"table {name!r} is not a table of documents")
        self._cache = data
        return data

    def write(self, data: dict[str, Any]) -> None:
        atomic_write(self.path, json.dumps(data, separators=(",", ":")).encode("utf-8"))
        self._cache = data

    def close(self) -> None:
        self._cache = None


def atomic_write(path: Path, content: bytes) -> None:
    """Replace `path` with `content` so that readers see the old or new file, never half."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, content)
    except OSError as exc:
        raise StateError(
            f"cannot write state file {path}: {exc.strerror or exc} (the previous state is "
            "untouched)"
        ) from None


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_of(epoch: float) -> str:
    """Epoch seconds as the state's timestamps are written (UTC, whole seconds)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_of(value: str) -> float:
    """A state timestamp back to epoch seconds; 0 for anything unreadable."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0.0


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


class State:
    """Seen filings per company, the outbox, milestone ledgers and daemon status."""

    def __init__(self, directory: str | Path, *, migrate: bool = True):
        """`migrate=False` for readers that do not hold the state lock (status, timeline):
        an older layout is then reported, not migrated under a tracker still running."""
        self.dir = Path(directory)
        self._may_migrate = migrate
        self.companies_dir = self.dir / "companies"
        self._lock = threading.RLock()
        try:
            self.companies_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(
                f"cannot create state directory {self.companies_dir}: {exc.strerror or exc}"
            ) from None
        self._clean_temporaries()
        self._open_layout()
        self.outbox = OutboxDB(self.outbox_file)
        self._marks: dict[int, tuple[str, set[str]]] = {}

    def close(self) -> None:
        self.outbox.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- files -----------------------------------------------------------------------------

    @property
    def outbox_file(self) -> Path:
        return self.dir / OUTBOX_NAME

    @property
    def status_file(self) -> Path:
        return self.dir / "status.json"

    def company_file(self, cik: int) -> Path:
        return self.companies_dir / f"{cik}.json"

    def _clean_temporaries(self) -> None:
        """Remove temporary files a killed process left behind; they are never the truth."""
        for folder in (self.dir, self.companies_dir):
            for tmp in folder.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    tmp.unlink()

    def _open_layout(self) -> None:
        """Check VERSION; migrate the version 1 layout; create the outbox on a new state."""
        version_file = self.dir / "VERSION"
        legacy = self.dir / LEGACY_OUTBOX_NAME
        has_outbox = self.outbox_file.exists() or self.outbox_file.is_symlink()
        try:
            text: str | None = version_file.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            text = None
        except (IsADirectoryError, UnicodeDecodeError, ValueError):
            text = "?"
        except OSError as exc:
            raise StateError(f"cannot read state file {version_file}: {exc.strerror}") from None
        if text is not None and not text.isdigit():
            # VERSION only says which layout the files are in, and the files say it too.
            aside = version_file.with_name(f"VERSION.damaged-{_stamp()}")
            with contextlib.suppress(OSError):
                os.replace(version_file, aside)
            log.error("state file %s was damaged; kept it as %s", version_file, aside.name)
            text = None
        version = int(text) if text is not None else (2 if has_outbox or not legacy.exists() else 1)
        if version > SCHEMA_VERSION:
            raise StateError(
                f"{self.dir} holds state of version {version}; this tracker reads version "
                f"{SCHEMA_VERSION} (and migrates older ones): use a newer tracker"
            )
        if not has_outbox:
            if version < SCHEMA_VERSION or legacy.exists():
                if not self._may_migrate:
                    raise StateError(
                        f"{self.dir} holds state of version {version}; the next `tracker poll` "
                        "or `tracker run` of this version migrates it (stop a running older "
                        "tracker first)"
                    )
                self._migrate_v1(legacy)
            elif text is not None and any(self.companies_dir.glob("*.json")):
                raise StateError(
                    f"state file {self.outbox_file} is missing while {self.dir} holds "
                    "companies: the alerts it held are gone. Restore it from a backup, or "
                    f"remove {version_file} to start with an empty outbox"
                )
            else:
                OutboxDB.create(self.outbox_file)
        if text != str(SCHEMA_VERSION):
            atomic_write(version_file, f"{SCHEMA_VERSION}\n".encode())

    def _migrate_v1(self, legacy: Path) -> None:
        """Version 1 kept every alert in one outbox.json; move them into outbox.sqlite.

        A damaged outbox.json is refused (it may hold pending alerts); the migrated file
        is kept as outbox.json.migrated, never deleted.
        """
        rows: list[OutboxRow] = []
        if legacy.exists() or legacy.is_dir():
            try:
                data = AtomicJSONStorage(legacy).read() or {}
                for key, doc in data.get("alerts", {}).items():
                    rows.append(_legacy_row(int(key), doc))
            except (Damaged, ValueError, KeyError, TypeError) as exc:
                raise StateError(
                    f"state file {legacy} is damaged ({exc}) and cannot be migrated to "
                    f"{OUTBOX_NAME}; it may hold alerts not yet delivered. Restore it from a "
                    f"backup, or move it aside to start with an empty outbox"
                ) from None
        marks = []
        for path in self.companies_dir.glob("*.json"):
            if not path.stem.isdigit():
                continue
            try:
                doc = _parse_company(int(path.stem), AtomicJSONStorage(path).read() or {})
            except (Damaged, StateError):
                continue  # found and recovered when the company is next read
            newest = doc.newest
            if newest and newest.filed:
                known = sorted(r.accession for r in doc.seen.values() if r.filed == newest.filed)
                marks.append((doc.cik, newest.filed, json.dumps(known)))
        OutboxDB.create(self.outbox_file, rows, marks)
        if legacy.exists():
            with contextlib.suppress(OSError):
                os.replace(legacy, legacy.with_name(f"{legacy.name}.migrated"))
        pending = sum(1 for r in rows if r.status != "delivered")
        log.info(
            "state migrated to version %d: %d alerts (%d not yet delivered) moved from %s to %s",
            SCHEMA_VERSION,
            len(rows),
            pending,
            legacy.name,
            OUTBOX_NAME,
        )

    @contextlib.contextmanager
    def _db(self, path: Path) -> Iterator[TinyDB]:
        db = TinyDB(path, storage=AtomicJSONStorage)
        try:
            yield db
        finally:
            db.close()

    def _set_aside(self, path: Path, why: Exception) -> Path:
        aside = path.with_name(f"{path.name}.damaged-{_stamp()}")
        try:
            os.replace(path, aside)
        except OSError as exc:
            raise StateError(
                f"state file {path} is damaged ({why}) and cannot be set aside: {exc.strerror}"
            ) from None
        return aside

    # -- companies ---------------------------------------------------------------------------

    def _company_data(self, cik: int) -> dict[str, Any]:
        """The company's TinyDB document, checked; a damaged one is set aside and recovered."""
        path = self.company_file(cik)
        with self._lock:
            try:
                data = AtomicJSONStorage(path).read() or {}
                _parse_company(cik, data)
                return data
            except Damaged as exc:
                return self._recover_company(cik, path, exc)

    def _recover_company(self, cik: int, path: Path, why: Exception) -> dict[str, Any]:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            mtime = datetime.now(UTC).timestamp()
        aside = self._set_aside(path, why)
        since, known = self.outbox.recovery_mark(cik)
        if not since:
            # No recovery mark (no dated filing seen yet): the day
            # before the file was last written, so nothing that came after it is missed.
            since = (datetime.fromtimestamp(mtime, UTC).date() - timedelta(days=1)).isoformat()
        info = {"recover_from": since, "recover_known": sorted(known), "damaged_file": aside.name}
        data = {"info": {"1": info}}
        AtomicJSONStorage(path).write(data)
        log.error(
            "state file %s was damaged (%s); kept it as %s. This company gets a new baseline, "
            "and its filings after those it had seen up to %s without an alert yet are new",
            path,
            why,
            aside.name,
            since,
        )
        return data

    def company(self, cik: int) -> CompanyDoc:
        """The company's record: baseline, seen filings, fetch failures."""
        return _parse_company(cik, self._company_data(cik))

    def is_baselined(self, cik: int) -> bool:
        return bool(self.company(cik).baselined)

    def seen_accessions(self, cik: int) -> set[str]:
        return set(self.company(cik).seen)

    def record_filings(
        self,
        cik: int,
        rows: list[SeenFiling],
        *,
        baseline: bool = False,
        keep: int = 2000,
        name: str = "",
    ) -> None:
        """Mark filings seen (and clear their fetch failures) in one write."""
        with self._lock:
            data = self._company_data(cik)
            seen = data.setdefault("seen", {})
            failures = data.get("failures", {})
            accessions = {r.accession for r in rows}
            next_id = max((int(k) for k in seen), default=0) + 1
            existing = {d["accession"] for d in seen.values()}
            stamp = now_iso()
            for row in rows:
                if row.accession in existing:
                    continue
                seen[str(next_id)] = {**row.to_json(), "seen_at": row.seen_at or stamp}
                existing.add(row.accession)
                next_id += 1
            info = data.setdefault("info", {}).setdefault("1", {})
            if baseline and rows:
                # Nothing older than what existed at the baseline is ever new.
                _raise_watermark(info, min((r.to_json() for r in rows), key=row_key))
            if len(seen) > keep:
                # Keep the newest `keep` accessions, in EDGAR's order; the newest one let go
                # becomes the watermark, below which nothing counts as new, so forgetting
                # can never make an old filing new again.
                ordered = sorted(seen.items(), key=lambda kv: row_key(kv[1]))
                _raise_watermark(info, ordered[-keep - 1][1])
                data["seen"] = dict(ordered[-keep:])
            data["failures"] = {
                k: v for k, v in failures.items() if v.get("accession") not in accessions
            }
            if baseline:
                info["baselined"] = stamp
                info.pop("recover_from", None)
                info.pop("recover_known", None)
            if name:
                info["name"] = name
            AtomicJSONStorage(self.company_file(cik)).write(data)
            self._keep_recovery_mark(cik, rows)

    def _keep_recovery_mark(self, cik: int, rows: list[SeenFiling]) -> None:
        """Keep, outside the company's file, the newest filing date it has seen and the
        accessions seen on that date: what recovering a damaged company file needs."""
        dated = [r for r in rows if r.filed]
        if not dated:
            return
        newest = max(r.filed for r in dated)
        mark = self._marks.get(cik)
        if mark is None:
            mark = self._marks[cik] = self.outbox.recovery_mark(cik)
        since, known = mark
        if newest < since:
            return
        on_day = {r.accession for r in dated if r.filed == newest}
        if newest == since:
            if on_day <= known:
                return
            on_day |= known
        self.outbox.set_recovery_mark(cik, newest, on_day)
        self._marks[cik] = (newest, on_day)

    def record_failure(
        self, cik: int, accession: str, error: str, *, filed: str = "", accepted: str = ""
    ) -> int:
        """Count a failed attempt at a filing; returns how many attempts failed so far.

        The filing's date is kept so discovery pages back far enough to find it again.
        """
        with self._lock:
            data = self._company_data(cik)
            table = data.setdefault("failures", {})
            key = next((k for k, v in table.items() if v.get("accession") == accession), None)
            attempts = (int(table[key].get("attempts", 0)) if key else 0) + 1
            if key is None:
                key = str(max((int(k) for k in table), default=0) + 1)
            table[key] = FetchFailure(
                accession, attempts, error[:300], now_iso(), filed, accepted
            ).to_json()
            AtomicJSONStorage(self.company_file(cik)).write(data)
        return attempts

    def known_companies(self) -> list[int]:
        return sorted(int(p.stem) for p in self.companies_dir.glob("*.json") if p.stem.isdigit())

    def damaged_files(self) -> list[Path]:
        """State files set aside as damaged (kept for inspection; safe to delete)."""
        return sorted(
            [*self.dir.glob("*.damaged-*"), *self.companies_dir.glob("*.damaged-*")],
            key=lambda p: p.name,
        )

    # -- ledger ----------------------------------------------------------------------------

    def ledger(self, cik: int) -> list[dict[str, Any]]:
        return [dict(d) for d in self._company_data(cik).get("ledger", {}).values()]

    def save_ledger(self, cik: int, entries: list[dict[str, Any]]) -> None:
        with self._lock:
            data = self._company_data(cik)
            data["ledger"] = {str(i + 1): e for i, e in enumerate(entries)}
            AtomicJSONStorage(self.company_file(cik)).write(data)

    # -- outbox ----------------------------------------------------------------------------

    def enqueue(self, rows: list[OutboxRow]) -> int:
        """Store alerts as pending unless already stored (alert_id is the key)."""
        stamp = now_iso()
        for row in rows:
            row.created = row.created or stamp
        return self.outbox.enqueue(rows)

    def open_alerts(self) -> list[OutboxRow]:
        """Pending, sending and failed alerts, oldest first: small, read once per pass."""
        return self.outbox.open_alerts()

    def alerts(self, *statuses: str) -> list[OutboxRow]:
        """Alerts with these statuses (all when none given), oldest first.

        Delivered history is read only when asked for: at 90 days it is tens of thousands.
        """
        wanted = set(statuses)
        rows: list[OutboxRow] = []
        if not wanted or wanted & set(OPEN_STATUSES):
            rows += [r for r in self.outbox.open_alerts() if not wanted or r.status in wanted]
        if not wanted or "delivered" in wanted:
            rows += self.outbox.delivered()
        return sorted(rows, key=lambda r: r.seq)

    def company_alerts(self, cik: int) -> list[OutboxRow]:
        return self.outbox.company_alerts(cik)

    def alerted_accessions(self, cik: int | None = None) -> set[str]:
        return self.outbox.alerted_accessions(cik)

    def delivered_ts(self, accession: str, channel: str) -> str | None:
        """The Slack ts of an earlier delivered alert, for threading (an index lookup)."""
        return self.outbox.delivered_ts(accession, channel)

    def update_alert(self, alert_id: str, **fields: Any) -> None:
        """Change an open alert's delivery fields (status, attempts, next_attempt...)."""
        self.outbox.update(alert_id, **fields)

    def mark_delivered(self, alert_id: str, ts: str | None) -> None:
        self.outbox.mark_delivered(alert_id, ts, now_iso())

    def prune_outbox(self, keep_days: int) -> int:
        """Forget delivered alerts older than `keep_days`; pending and failed stay."""
        cutoff = (datetime.now(UTC) - timedelta(days=keep_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.outbox.prune(cutoff)

    # -- status ----------------------------------------------------------------------------

    def _status_data(self) -> dict[str, Any]:
        path = self.status_file
        with self._lock:
            try:
                data = AtomicJSONStorage(path).read() or {}
                Status.from_json(data.get("status", {}).get("1", {}))
                return data
            except (Damaged, ValueError) as exc:
                aside = self._set_aside(path, exc)
                data = {"status": {"1": {"latest_watermark": [UNKNOWN_WATERMARK]}}}
                AtomicJSONStorage(path).write(data)
                log.error(
                    "state file %s was damaged (%s); kept it as %s and started it afresh "
                    "(every company's own feed is read once, so nothing is missed)",
                    path,
                    exc,
                    aside.name,
                )
                return data

    def status(self) -> Status:
        return Status.from_json(self._status_data().get("status", {}).get("1", {}))

    def update_status(self, **fields: Any) -> None:
        with self._lock:
            data = self._status_data()
            row = data.setdefault("status", {}).setdefault("1", {})
            row.update(fields)
            Status.from_json(row)  # never write a status this version could not read
            AtomicJSONStorage(self.status_file).write(data)


def _parse_company(cik: int, data: dict[str, Any]) -> CompanyDoc:
    """Checks the shape (raises Damaged) and builds the CompanyDoc."""
    try:
        info = data.get("info", {}).get("1", {})
        seen = [SeenFiling.from_json(d) for d in data.get("seen", {}).values()]
        failures = [FetchFailure.from_json(d) for d in data.get("failures", {}).values()]
        baselined = info.get("baselined") or ""
        name = info.get("name") or ""
        recover_from = info.get("recover_from") or ""
        recover_known = info.get("recover_known") or []
        mark = info.get("watermark")
        if mark is not None and not isinstance(mark, dict):
            raise ValueError("watermark must be an object")
        if not all(isinstance(v, str) for v in (baselined, name, recover_from)):
            raise ValueError("info fields must be text")
        if not isinstance(recover_known, list):
            raise ValueError("recover_known must be a list")
    except (ValueError, AttributeError) as exc:
        raise Damaged(f"wrong shape: {exc}") from None
    return CompanyDoc(
        cik=cik,
        name=name,
        baselined=baselined,
        seen={r.accession: r for r in seen},
        failures={f.accession: f for f in failures},
        recover_from=recover_from,
        recover_known=[str(a) for a in recover_known],
        watermark=watermark_key(info),
    )


def row_key(row: dict[str, Any]) -> tuple[str, str, str]:
    """A seen or failed row's place in EDGAR's order."""
    return order_key(
        str(row.get("filed") or ""), str(row.get("accepted") or ""), str(row.get("accession", ""))
    )


def watermark_key(info: dict[str, Any]) -> tuple[str, str, str] | None:
    """The company's watermark: a filing at or below it is never new. None if not set."""
    mark = info.get("watermark")
    return row_key(mark) if isinstance(mark, dict) else None


def _raise_watermark(info: dict[str, Any], row: dict[str, Any]) -> None:
    current = watermark_key(info)
    if current is None or row_key(row) > current:
        info["watermark"] = {k: row.get(k, "") for k in ("accession", "filed", "accepted")}


def _legacy_row(seq: int, doc: dict[str, Any]) -> OutboxRow:
    alert = doc["alert"]
    if not isinstance(alert, dict):
        raise ValueError("an alert is not an object")
    status = str(doc.get("status", "pending"))
    return OutboxRow(
        seq=seq,
        alert_id=str(doc["alert_id"]),
        accession=str(doc["accession"]),
        cik=int(doc["cik"]),
        channel=str(doc.get("channel", "")),
        alert=alert,
        status=status if status in (*OPEN_STATUSES, "delivered") else "pending",
        attempts=int(doc.get("attempts", 0)),
        next_attempt=float(doc.get("next_attempt", 0) or 0),
        created=str(doc.get("created", "")),
        last_try=str(doc.get("last_try", "")),
        last_try_epoch=float(doc.get("last_try_epoch", 0) or 0),
        last_error=str(doc.get("last_error", "")),
        uncertain=bool(doc.get("uncertain")),
        ts=doc.get("ts"),
        delivered_at=str(doc.get("delivered_at") or now_iso()),
    )


def past_recovery_mark(filed: date | None, accession: str, since: str, known: list[str]) -> bool:
    """Whether a filing is newer than what a company was known to have seen: filed after
    the recovery mark's date, or on it but not among the accessions seen that day. Undated
    filings count as new (the outbox still keeps them from being alerted twice)."""
    if filed is None:
        return True
    day = filed.isoformat()
    return day > since or (day == since and accession not in known)
