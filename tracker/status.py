"""`tracker status`: what the tracker did last, what it will do next, what is stuck."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tracker.errors import ConfigError


def collect_status(state_dir: str, config_path: str) -> dict[str, Any]:
    from tracker.config import load_config
    from tracker.state import State

    if not Path(state_dir).exists():
        return {
            "state": state_dir,
            "last_poll": None,
            "next_poll": None,
            "companies": [],
            "pending": [],
            "failed": [],
            "note": f"no state yet in {state_dir}: run `tracker poll` first",
        }
    state = State(state_dir)
    status = state.status()
    names: dict[int, str] = {}
    ciks: list[int] = []
    config_error = None
    try:
        config = load_config(config_path)
        for c in config.companies:
            names[c.cik] = c.label
            ciks.append(c.cik)
    except ConfigError as exc:
        config_error = str(exc)
    for cik in state.known_companies():
        if cik not in ciks:
            ciks.append(cik)
    alerts = state.alerts()
    companies = []
    for cik in ciks:
        record = state.company(cik)
        seen = sorted(
            record["seen"].values(), key=lambda r: (r.get("filed", ""), r.get("seen_at", ""))
        )
        newest = seen[-1] if seen else {}
        mine = [a for a in alerts if a["cik"] == cik]
        last_alert = mine[-1] if mine else {}
        companies.append(
            {
                "cik": cik,
                "name": names.get(cik) or record["info"].get("name", ""),
                "watched": cik in names,
                "baselined": record["info"].get("baselined"),
                "filings_seen": len(seen),
                "newest_filing": newest.get("accession"),
                "newest_form": newest.get("form"),
                "newest_filed": newest.get("filed"),
                "last_alert": last_alert.get("accession"),
                "last_alert_status": last_alert.get("status"),
                "fetch_failures": len(record["failures"]),
            }
        )

    def brief(a: dict[str, Any]) -> dict[str, Any]:
        return {
            "accession": a["accession"],
            "cik": a["cik"],
            "channel": a["channel"],
            "status": a["status"],
            "attempts": a.get("attempts", 0),
            "error": a.get("last_error", ""),
            "created": a.get("created"),
        }

    return {
        "state": state_dir,
        "last_poll": status.get("last_poll"),
        "last_poll_ok": status.get("last_poll_ok"),
        "last_errors": status.get("last_errors", []),
        "next_poll": status.get("next_poll"),
        "mode": status.get("mode"),
        "config_error": config_error,
        "companies": companies,
        "pending": [brief(a) for a in alerts if a["status"] in ("pending", "sending")],
        "failed": [brief(a) for a in alerts if a["status"] == "failed"],
        "delivered": sum(1 for a in alerts if a["status"] == "delivered"),
    }


def render_status(data: dict[str, Any]) -> str:
    if data.get("note"):
        return data["note"]
    ok = {True: "ok", False: "with problems", None: "never"}[data.get("last_poll_ok")]
    lines = [
        f"last poll: {data['last_poll'] or 'never'} ({ok})",
        f"next poll: {_next_poll(data.get('next_poll'))}",
    ]
    if data.get("config_error"):
        lines.append(f"config problem: {data['config_error']}")
    for err in data.get("last_errors", []):
        lines.append(f"  problem: {err}")
    lines.append("")
    lines.append(f"{'COMPANY':<28} {'CIK':>10}  {'NEWEST FILING':<43} LAST ALERT")
    for c in data["companies"]:
        newest = f"{c['newest_form'] or ''} {c['newest_filed'] or ''} {c['newest_filing'] or '-'}"
        alert = f"{c['last_alert'] or '-'} {c['last_alert_status'] or ''}".strip()
        flag = "" if c["watched"] else " (no longer watched)"
        lines.append(
            f"{(c['name'] or '?')[:28]:<28} {c['cik']:>10}  {newest.strip()[:43]:<43} {alert}{flag}"
        )
    lines.append("")
    lines.append(
        f"alerts delivered: {data['delivered']}, pending: {len(data['pending'])}, "
        f"failed: {len(data['failed'])}"
    )
    for a in data["pending"] + data["failed"]:
        lines.append(
            f"  {a['status']:<8} {a['accession']} -> {a['channel']} "
            f"(attempts {a['attempts']}) {a['error']}"
        )
    return "\n".join(lines)


def _next_poll(value: str | None) -> str:
    if not value:
        return "not scheduled (no daemon running)"
    if value < time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()):
        return f"{value} (in the past: is the daemon running?)"
    return value
