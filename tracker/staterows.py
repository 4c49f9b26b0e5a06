"""The rows the state keeps, as plain dataclasses, and their checked JSON forms.

Every row read from disk goes through `from_json`, which raises ValueError when the
data does not have the shape this version writes: a state file holding valid JSON of
the wrong shape is damage, found where it is read and named, never a KeyError three
calls later.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


def _str(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValueError(f"{key} is {type(value).__name__}, not text")
    return value


def _int(data: dict[str, Any], key: str, default: int = 0) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} is {type(value).__name__}, not a whole number")
    return value


def _float(data: dict[str, Any], key: str, default: float = 0.0) -> float:
    value = data.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} is {type(value).__name__}, not a number")
    return float(value)


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is {type(value).__name__}, not an object")
    return value


@dataclass
class SeenFiling:
    """A filing the tracker has dealt with: alerted, filtered, skipped or baseline."""

    accession: str
    form: str = ""
    filed: str = ""  # ISO date, "" when the feed gave none
    status: str = ""  # baseline, alerted, filtered, skipped
    seen_at: str = ""
    accepted: str = ""  # acceptance time as EDGAR printed it ("" in older rows)
    reason: str = ""  # why it was not alerted (skipped, filtered), for `tracker status`

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> SeenFiling:
        data = _dict(data, "seen filing")
        accession = _str(data, "accession")
        if not accession:
            raise ValueError("seen filing without an accession number")
        return cls(
            accession=accession,
            form=_str(data, "form"),
            filed=_str(data, "filed"),
            status=_str(data, "status"),
            seen_at=_str(data, "seen_at"),
            accepted=_str(data, "accepted"),
            reason=_str(data, "reason"),
        )


@dataclass
class FetchFailure:
    """Failed attempts at reading one filing; after enough, it is alerted from its feed entry."""

    accession: str
    attempts: int = 0
    error: str = ""
    last: str = ""
    filed: str = ""  # kept so discovery pages back far enough to find it again
    accepted: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> FetchFailure:
        data = _dict(data, "fetch failure")
        return cls(
            accession=_str(data, "accession"),
            attempts=_int(data, "attempts"),
            error=_str(data, "error"),
            last=_str(data, "last"),
            filed=_str(data, "filed"),
            accepted=_str(data, "accepted"),
        )


@dataclass
class CompanyDoc:
    """One company's file: its baseline, the filings seen, fetch failures.

    `recover_from` is set when the company's file was found damaged and set aside: it is
    the newest filing date the tracker knew it had seen (kept outside the damaged file,
    with `recover_known`, the accessions seen on that date). The next poll takes a
    baseline of what is not newer and treats every newer filing that has no alert yet as
    new, so a filing that arrived meanwhile is still alerted.
    """

    cik: int
    name: str = ""
    baselined: str = ""  # when the baseline was taken; "" = not yet
    seen: dict[str, SeenFiling] = field(default_factory=dict)
    failures: dict[str, FetchFailure] = field(default_factory=dict)
    # Discovery's watermark (tracker.discovery): a filing at or below it in EDGAR's order
    # (filed, accepted, accession) is never new, whatever the retention of `seen`.
    watermark: tuple[str, str, str] | None = None
    recover_from: str = ""
    recover_known: list[str] = field(default_factory=list)  # seen on the recover_from date

    @property
    def newest(self) -> SeenFiling | None:
        if not self.seen:
            return None
        return max(self.seen.values(), key=lambda r: (r.filed, r.seen_at, r.accession))


OPEN_STATUSES = ("pending", "sending", "failed")


@dataclass
class OutboxRow:
    """One alert in the outbox. `alert` is the alert's JSON (tracker.notify.codec)."""

    alert_id: str  # accession + channel: the idempotency key
    accession: str
    cik: int
    channel: str
    alert: dict[str, Any]
    status: str = "pending"  # pending, sending, failed, delivered
    attempts: int = 0
    next_attempt: float = 0.0  # epoch seconds
    created: str = ""
    last_try: str = ""
    last_try_epoch: float = 0.0
    last_error: str = ""
    uncertain: bool = False  # an earlier post got no answer: it may have landed
    ts: str | None = None  # Slack's message ts once delivered
    delivered_at: str = ""
    seq: int = 0  # creation order


@dataclass
class Status:
    """What the last cycle did, and what discovery must remember between processes.

    `extra` keeps fields other parts of the tracker record (the daemon's next poll is a
    named field; anything else is carried through untouched).
    """

    last_poll: str | None = None
    last_poll_ok: bool | None = None
    last_errors: list[str] = field(default_factory=list)
    last_new_filings: int = 0
    last_alerts: int = 0
    last_requests: int = 0
    mode: str | None = None
    latest_watermark: list[str] = field(default_factory=list)
    next_poll: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {**extra, **data}

    @classmethod
    def from_json(cls, data: Any) -> Status:
        data = dict(_dict(data, "status"))
        errors = data.pop("last_errors", [])
        watermark = data.pop("latest_watermark", [])
        if not isinstance(errors, list) or not isinstance(watermark, list):
            raise ValueError("last_errors and latest_watermark must be lists")
        if not all(isinstance(a, str) for a in watermark):
            raise ValueError("latest_watermark must list accession numbers")
        ok = data.pop("last_poll_ok", None)
        if ok is not None and not isinstance(ok, bool):
            raise ValueError("last_poll_ok must be true or false")
        status = cls(
            last_poll=_str(data, "last_poll") or None,
            last_poll_ok=ok,
            last_errors=[str(e) for e in errors],
            last_new_filings=_int(data, "last_new_filings"),
            last_alerts=_int(data, "last_alerts"),
            last_requests=_int(data, "last_requests"),
            mode=_str(data, "mode") or None,
            latest_watermark=list(watermark),
            next_poll=_str(data, "next_poll") or None,
        )
        known = {
            "last_poll",
            "last_new_filings",
            "last_alerts",
            "last_requests",
            "mode",
            "next_poll",
        }
        status.extra = {k: v for k, v in data.items() if k not in known}
        return status

    def get(self, key: str, default: Any = None) -> Any:
        """Read a field by name, named or extra (for fields other modules record)."""
        if key in self.__dataclass_fields__ and key != "extra":
            return getattr(self, key)
        return self.extra.get(key, default)
