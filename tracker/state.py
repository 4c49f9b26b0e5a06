"""The tracker's memory on disk: seen filings, the alert outbox, the ledger, status.

The only module that imports tinydb. The state is split into small files (one
per company, one outbox, one status file) because TinyDB rewrites a whole file
on every write: one big file would make every write cost as much as the whole
history. Every write is atomic (temporary file, fsync, rename), so a kill at
any moment leaves either the old or the new file, never half of one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage

from tracker.atomicfile import replace_file
from tracker.errors import StateError
from tracker.models import order_key

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1


class AtomicJSONStorage(Storage):
    """TinyDB storage that holds no file handle and replaces the file atomically.

    TinyDB's JSONStorage rewrites in place (a kill mid-write corrupts it) and keeps
    a handle open per database, which does not scale to thousands of company files.
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
        except OSError as exc:
            raise StateError(f"cannot read state file {self.path}: {exc.strerror}") from None
        data = json.loads(raw) if raw.strip() else None
        if data is not None and not isinstance(data, dict):
            raise ValueError("state file does not hold a JSON object")
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
    return _epoch(value)


class State:
    """Seen filings per company, the outbox, milestone ledgers and daemon status."""

    def __init__(self, directory: str | Path):
        self.dir = Path(directory)
        self.companies_dir = self.dir / "companies"
        try:
            self.companies_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"cannot create state directory {self.dir}: {exc.strerror}") from None
        self._clean_temporaries()
        self._check_version()

    # -- files -----------------------------------------------------------------------------

    def _clean_temporaries(self) -> None:
        """Remove temporary files a killed process left behind; they are never the truth."""
        for folder in (self.dir, self.companies_dir):
            for tmp in folder.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    tmp.unlink()

    def _check_version(self) -> None:
        version_file = self.dir / "VERSION"
        if version_file.exists():
            found = version_file.read_text().strip()
            if found != str(SCHEMA_VERSION):
                raise StateError(
                    f"{self.dir} holds state of schema version {found}; this "
                    f"tracker reads version {SCHEMA_VERSION}"
                )
        else:
            atomic_write(version_file, f"{SCHEMA_VERSION}\n".encode())

    @contextlib.contextmanager
    def _db(self, path: Path) -> Iterator[TinyDB]:
        db = TinyDB(path, storage=_RecoveringStorage)
        try:
            yield db
        finally:
            db.close()

    def company_file(self, cik: int) -> Path:
        return self.companies_dir / f"{cik}.json"

    # -- seen filings ----------------------------------------------------------------------

    def company(self, cik: int) -> dict[str, Any]:
        """The company's record: baseline flag, seen accessions, fetch failures."""
        with self._db(self.company_file(cik)) as db:
            info = db.table("info").get(doc_id=1)
            seen = {d["accession"]: d for d in db.table("seen").all()}
            failures = {d["accession"]: d for d in db.table("failures").all()}
        return {"info": dict(info) if info else {}, "seen": seen, "failures": failures}

    def is_baselined(self, cik: int) -> bool:
        return bool(self.company(cik)["info"].get("baselined"))

    def seen_accessions(self, cik: int) -> set[str]:
        return set(self.company(cik)["seen"])

    def record_filings(
        self,
        cik: int,
        rows: list[dict[str, Any]],
        *,
        baseline: bool = False,
        keep: int = 2000,
        name: str = "",
    ) -> None:
        """Mark filings seen (and clear their fetch failures) in one write."""
        with self._db(self.company_file(cik)) as db:
            data = db.storage.read() or {}
            seen = data.setdefault("seen", {})
            failures = data.get("failures", {})
            accessions = {r["accession"] for r in rows}
            next_id = max((int(k) for k in seen), default=0) + 1
            existing = {d["accession"] for d in seen.values()}
            for row in rows:
                if row["accession"] in existing:
                    continue
                seen[str(next_id)] = {**row, "seen_at": row.get("seen_at") or now_iso()}
                next_id += 1
            info = data.setdefault("info", {}).setdefault("1", {})
            if baseline and rows:
                # Nothing older than what existed at the baseline is ever new.
                _raise_watermark(info, min(rows, key=row_key))
            if len(seen) > keep:
                # Keep the newest `keep` accessions, in EDGAR's order; the newest one let go
                # becomes the watermark, below which nothing counts as new, so forgetting
                # can never make an old filing new again.
                ordered = sorted(seen.items(), key=lambda kv: row_key(kv[1]))
                _raise_watermark(info, ordered[-keep - 1][1])
                seen = dict(ordered[-keep:])
                data["seen"] = seen
            data["failures"] = {
                k: v for k, v in failures.items() if v.get("accession") not in accessions
            }
            if baseline:
                info["baselined"] = now_iso()
            if name:
                info["name"] = name
            db.storage.write(data)

    def record_failure(
        self, cik: int, accession: str, error: str, *, filed: str = "", accepted: str = ""
    ) -> int:
        """Count a failed attempt at a filing; returns how many attempts failed so far.

        The filing's date is kept so discovery pages back far enough to find it again.
        """
        with self._db(self.company_file(cik)) as db:
            table = db.table("failures")
            q = Query()
            found = table.get(q.accession == accession)
            attempts = (found["attempts"] if found else 0) + 1
            table.upsert(
                {
                    "accession": accession,
                    "attempts": attempts,
                    "error": error[:300],
                    "last": now_iso(),
                    "filed": filed,
                    "accepted": accepted,
                },
                q.accession == accession,
            )
        return int(attempts)

    def known_companies(self) -> list[int]:
        return sorted(int(p.stem) for p in self.companies_dir.glob("*.json") if p.stem.isdigit())

    # -- ledger ----------------------------------------------------------------------------

    def ledger(self, cik: int) -> list[dict[str, Any]]:
        with self._db(self.company_file(cik)) as db:
            return [dict(d) for d in db.table("ledger").all()]

    def save_ledger(self, cik: int, entries: list[dict[str, Any]]) -> None:
        with self._db(self.company_file(cik)) as db:
            data = db.storage.read() or {}
            data["ledger"] = {str(i + 1): e for i, e in enumerate(entries)}
            db.storage.write(data)

    # -- outbox ----------------------------------------------------------------------------

    @property
    def outbox_file(self) -> Path:
        return self.dir / "outbox.json"

    def enqueue(self, alerts: list[dict[str, Any]]) -> int:
        """Store alerts as pending unless already stored (alert_id is the key)."""
        added = 0
        with self._db(self.outbox_file) as db:
            data = db.storage.read() or {}
            table = data.setdefault("alerts", {})
            ids = {a["alert_id"] for a in table.values()}
            next_id = max((int(k) for k in table), default=0) + 1
            for alert in alerts:
                if alert["alert_id"] in ids:
                    continue
                table[str(next_id)] = {
                    **alert,
                    "status": "pending",
                    "attempts": 0,
                    "created": now_iso(),
                }
                next_id += 1
                added += 1
            if added:
                db.storage.write(data)
        return added

    def alerts(self, *statuses: str) -> list[dict[str, Any]]:
        with self._db(self.outbox_file) as db:
            rows = [dict(d) for d in db.table("alerts").all()]
        return [r for r in rows if not statuses or r["status"] in statuses]

    def alerted_accessions(self, cik: int | None = None) -> set[str]:
        return {a["accession"] for a in self.alerts() if cik is None or a["cik"] == cik}

    def update_alert(self, alert_id: str, **fields: Any) -> None:
        with self._db(self.outbox_file) as db:
            db.table("alerts").update(fields, Query().alert_id == alert_id)

    def prune_outbox(self, keep_days: int) -> int:
        """Forget delivered alerts older than `keep_days`; pending and failed stay."""
        cutoff = time.time() - keep_days * 86400
        with self._db(self.outbox_file) as db:
            removed = db.table("alerts").remove(
                (Query().status == "delivered")
                & Query().delivered_at.test(lambda v: _epoch(v) < cutoff)
            )
        return len(removed)

    # -- status ----------------------------------------------------------------------------

    @property
    def status_file(self) -> Path:
        return self.dir / "status.json"

    def status(self) -> dict[str, Any]:
        with self._db(self.status_file) as db:
            doc = db.table("status").get(doc_id=1)
        return dict(doc) if doc else {}

    def update_status(self, **fields: Any) -> None:
        with self._db(self.status_file) as db:
            data = db.storage.read() or {}
            row = data.setdefault("status", {}).setdefault("1", {})
            row.update(fields)
            db.storage.write(data)


class _RecoveringStorage(AtomicJSONStorage):
    """Sets a corrupt file aside (timestamped) and starts it afresh, logging loudly.

    A fresh company file means a fresh baseline, so the channel is not flooded
    with old filings after a corruption.
    """

    def read(self) -> dict[str, Any] | None:
        try:
            return super().read()
        except (ValueError, UnicodeDecodeError):
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            with contextlib.suppress(OSError):
                os.replace(self.path, aside)
            log.error(
                "state file %s was corrupt; kept it as %s and started it afresh "
                "(a new baseline is taken, nothing old is re-alerted)",
                self.path,
                aside.name,
            )
            self._cache = None
            return None


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


def _epoch(value: Any) -> float:
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0.0
