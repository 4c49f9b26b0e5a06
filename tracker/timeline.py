"""The milestone history of a company, for people (terminal) and scripts (JSON).

Rows come from the ledger entries in filing order: milestone statements, stated cash
runway and financing needs, and renames ("ABX-101 renamed Zelvora"), each with the
change it made when it was filed, so the slip that triggered an alert can be traced
back to its sentence.
"""

from __future__ import annotations

from typing import Any

from tracker.milestones import label_of

STATUS_WORDS = {
    "planned": "planned",
    "achieved": "done",
    "at_risk": "at risk",
    "delayed": "delayed",
    "abandoned": "abandoned",
    "overdue": "OVERDUE",
}
FINANCE_LABELS = {
    "runway": "cash runway",
    "financing_need": "financing need",
    "cash": "cash on hand",
}


def _milestone_row(e: dict[str, Any]) -> dict[str, Any]:
    product = e.get("product", "")
    if product and e.get("formerly"):
        product = f"{product}, formerly {e['formerly']}"
    target = e.get("target", "")
    if target and e.get("conflict"):
        target = f"{target} (the filing also says {e['conflict']})"
    return {
        "date": e.get("filed", ""),
        "accession": e.get("accession", ""),
        "milestone": label_of(e["kind"]) + (f" ({product})" if product else ""),
        "status": e["status"],
        "target": target,
        "change": e.get("change", ""),
        "sentence": e.get("sentence", ""),
    }


def timeline_rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ledger entries in filing order, each with what it changed."""
    rows = []
    for e in entries:
        if e.get("type") == "milestone":
            rows.append(_milestone_row(e))
        elif e.get("type") == "finance":
            rows.append(
                {
                    "date": e.get("filed", ""),
                    "accession": e.get("accession", ""),
                    "milestone": FINANCE_LABELS.get(e["field"], e["field"]),
                    "status": "stated",
                    "target": e["value"],
                    "change": e.get("change", ""),
                    "sentence": "",
                }
            )
        elif e.get("type") == "overdue":
            rows.append(_overdue_row(e))
        elif e.get("type") == "alias":
            rows.append(
                {
                    "date": e.get("filed", ""),
                    "accession": e.get("accession", ""),
                    "milestone": f"{e['old']} renamed {e['new']}",
                    "status": "renamed",
                    "target": "",
                    "change": "",
                    "sentence": "",
                }
            )
    ordered = sorted(rows, key=lambda r: (r["date"], r["accession"]))  # stable: filing order
    return _close_overdue(_without_repeats(ordered))


def _overdue_row(e: dict[str, Any]) -> dict[str, Any]:
    """The calendar's mark: the milestone's date passed (plus grace) with no news."""
    product = e.get("product", "")
    return {
        "date": e.get("filed", ""),
        "accession": "",
        "milestone": label_of(e["kind"]) + (f" ({product})" if product else ""),
        "status": "overdue",
        "target": e.get("target", "") or e.get("due", ""),
        "change": "overdue",
        "sentence": "",
        "due": e.get("due", ""),
        "closed_by": None,
    }


def _close_overdue(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An overdue milestone is closed by the next filing that speaks of it."""
    for i, row in enumerate(rows):
        if row["status"] != "overdue":
            continue
        later = next(
            (r for r in rows[i + 1 :] if r["milestone"] == row["milestone"] and r["accession"]),
            None,
        )
        if later is not None:
            row["closed_by"] = {
                "date": later["date"],
                "accession": later["accession"],
                "status": later["status"],
                "target": later["target"],
            }
    return rows


def _without_repeats(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop a row that only restates the last one of its milestone (a prospectus filed
    the same day as the 8-K repeats it word for word): history, not echoes."""
    last: dict[str, tuple[str, str]] = {}
    kept = []
    for row in rows:
        state = (row["status"], row["target"])
        if not row["change"] and last.get(row["milestone"]) == state:
            continue
        last[row["milestone"]] = state
        kept.append(row)
    return kept


def render_timeline(entries: list[dict[str, Any]]) -> str:
    rows = timeline_rows(entries)
    if not rows:
        return "  (no milestones tracked yet)"
    lines = []
    for r in rows:
        status = STATUS_WORDS.get(r["status"], r["status"])
        target = f" — {r['target']}" if r["target"] else ""
        change = f"  [{r['change']}]" if r["change"] else ""
        if r["status"] == "renamed":
            lines.append(f"  {r['date']}  {r['milestone']}")
            continue
        if r["status"] == "overdue":
            closed = r.get("closed_by")
            note = (
                f"closed {closed['date']}: {STATUS_WORDS.get(closed['status'], closed['status'])}"
                if closed
                else "no filing since reported it done, moved or dropped"
            )
            lines.append(
                f"  {r['date']}  {r['milestone']}: OVERDUE — was due {r['target']} ({note})"
            )
            continue
        lines.append(f"  {r['date']}  {r['milestone']}: {status}{target}{change}")
        if r["sentence"]:
            lines.append(
                f'              "{r["sentence"][:160]}'
                f'{"…" if len(r["sentence"]) > 160 else ""}"  ({r["accession"]})'
            )
    return "\n".join(lines)
