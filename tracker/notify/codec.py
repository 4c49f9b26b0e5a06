"""Alerts to and from the JSON kept in the outbox."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from tracker.models import Alert, Fact, MilestoneChange, Notice


def alert_to_dict(alert: Alert) -> dict[str, Any]:
    data = asdict(alert)
    data["evidence"] = {k: list(v) for k, v in alert.evidence.items()}
    return data


def alert_from_dict(data: dict[str, Any]) -> Alert:
    return Alert(
        alert_id=data["alert_id"],
        accession=data["accession"],
        cik=int(data["cik"]),
        company=data["company"],
        ticker=data.get("ticker"),
        form=data["form"],
        filed=data.get("filed", ""),
        categories=tuple(data.get("categories", ())),
        evidence={k: tuple(v) for k, v in data.get("evidence", {}).items()},
        facts=tuple(Fact(f["kind"], f["value"], f["text"]) for f in data.get("facts", ())),
        index_url=data.get("index_url", ""),
        document_url=data.get("document_url", ""),
        channel=data.get("channel", ""),
        mentions=tuple(data.get("mentions", ())),
        changes=tuple(MilestoneChange(**c) for c in data.get("changes", ())),
        thread_of=data.get("thread_of"),
        items=tuple(data.get("items", ())),
        test=bool(data.get("test", False)),
        notice=_notice_from_dict(data["notice"]) if data.get("notice") else None,
    )


def _notice_from_dict(data: dict[str, Any]) -> Notice:
    return Notice(
        event_type=data["event_type"],
        payload=dict(data.get("payload", {})),
        title=data.get("title", ""),
        lines=tuple(data.get("lines", ())),
        links=tuple((str(label), str(url)) for label, url in data.get("links", ())),
        fallback=data.get("fallback", ""),
    )
