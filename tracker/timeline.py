"""The milestone history of a company, for people (terminal) and scripts (JSON)."""

from __future__ import annotations

from typing import Any

from tracker.milestones import label_of

STATUS_WORDS = {
    "planned": "planned",
    "achieved": "done",
    "at_risk": "at risk",
    "delayed": "delayed",
    "abandoned": "abandoned",
}


def timeline_rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ledger entries in filing order, each with what it changed."""
    rows = []
    for e in entries:
        if e.get("type") == "milestone":
            what = label_of(e["kind"]) + (f" ({e['product']})" if e.get("product") else "")
            rows.append(
                {
                    "date": e.get("filed", ""),
                    "accession": e.get("accession", ""),
                    "milestone": what,
                    "status": e["status"],
                    "target": e.get("target", ""),
                    "change": e.get("change", ""),
                    "sentence": e.get("sentence", ""),
                }
            )
        elif e.get("type") == "finance":
            label = {
                "runway": "cash runway",
                "financing_need": "financing need",
                "cash": "cash on hand",
            }.get(e["field"], e["field"])
            rows.append(
                {
                    "date": e.get("filed", ""),
                    "accession": e.get("accession", ""),
                    "milestone": label,
                    "status": "stated",
                    "target": e["value"],
                    "change": "",
                    "sentence": "",
                }
            )
    return sorted(rows, key=lambda r: (r["date"], r["accession"]))


def render_timeline(entries: list[dict[str, Any]]) -> str:
    rows = timeline_rows(entries)
    if not rows:
        return "  (no milestones tracked yet)"
    lines = []
    for r in rows:
        status = STATUS_WORDS.get(r["status"], r["status"])
        target = f" — {r['target']}" if r["target"] else ""
        change = f"  [{r['change']}]" if r["change"] else ""
        lines.append(f"  {r['date']}  {r['milestone']}: {status}{target}{change}")
        if r["sentence"]:
            lines.append(
                f'              "{r["sentence"][:160]}'
                f'{"…" if len(r["sentence"]) > 160 else ""}"  ({r["accession"]})'
            )
    return "\n".join(lines)
