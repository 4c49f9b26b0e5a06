"""`tracker status`: what the tracker did last, what it will do next, what is stuck."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.errors import ConfigError, StateError

if TYPE_CHECKING:
    from tracker.state import State
    from tracker.staterows import OutboxRow, SeenFiling


def collect_status(state_dir: str, config_path: str, *, now: float | None = None) -> dict[str, Any]:
    """Everything `status` shows, plus `health`: the problems that need a person."""
    from tracker.state import State

    now = time.time() if now is None else now
    if not Path(state_dir).exists():
        note = (
            f"no state yet in {state_dir}: the tracker has not polled with this state "
            "directory (run `tracker poll`, or check --state and the config's [state] dir)"
        )
        return _unreadable(state_dir, note, note=note)
    try:
        state = State(state_dir, migrate=False)
    except StateError as exc:
        # Refused state (a damaged outbox): named, and `tracker status` exits non-zero.
        return _unreadable(state_dir, f"state refused: {exc}", state_error=str(exc))
    try:
        return _collect(state, state_dir, config_path, now)
    finally:
        state.close()


def _collect(state: State, state_dir: str, config_path: str, now: float) -> dict[str, Any]:
    from tracker.config import load_config

    status = state.status().to_json()
    running = status.get("running_config") or {}
    names: dict[int, str] = {}
    ciks: list[int] = []
    config_error = None
    interval = running.get("poll_interval_seconds")
    try:
        config = load_config(config_path, state_dir)
        for c in config.companies:
            names[c.cik] = c.label
            ciks.append(c.cik)
        interval = interval or config.edgar.poll_interval_seconds
    except ConfigError as exc:
        config_error = str(exc)
        # The daemon keeps running the last good config: show its companies, not the
        # broken edit's (which would make every company look unwatched).
        for c in running.get("companies", []):
            names[int(c["cik"])] = str(c.get("name") or "")
            ciks.append(int(c["cik"]))
    for cik in state.known_companies():
        if cik not in ciks:
            ciks.append(cik)
    open_alerts = state.open_alerts()
    last_alerts = state.outbox.last_alerts()
    companies = []
    for cik in ciks:
        record = state.company(cik)
        newest = record.newest
        last_alert = last_alerts.get(cik)
        skipped = sorted(
            (r for r in record.seen.values() if r.status in ("skipped", "filtered")),
            key=lambda r: (r.filed, r.seen_at),
        )
        companies.append(
            {
                "cik": cik,
                "name": names.get(cik) or record.name,
                "watched": cik in names,
                "baselined": record.baselined or None,
                "filings_seen": len(record.seen),
                "newest_filing": newest.accession if newest else None,
                "newest_form": newest.form if newest else None,
                "newest_filed": newest.filed if newest else None,
                "last_alert": last_alert[0] if last_alert else None,
                "last_alert_status": last_alert[1] if last_alert else None,
                "fetch_failures": len(record.failures),
                "last_skipped": _skipped(skipped[-1]) if skipped else None,
            }
        )

    def brief(a: OutboxRow) -> dict[str, Any]:
        return {
            "accession": a.accession,
            "cik": a.cik,
            "channel": a.channel,
            "status": a.status,
            "attempts": a.attempts,
            "error": a.last_error,
            "created": a.created,
        }

    pending = [brief(a) for a in open_alerts if a.status in ("pending", "sending")]
    failed = [brief(a) for a in open_alerts if a.status == "failed"]
    problems = health_problems(
        status,
        failed=failed,
        config_error=config_error,
        interval=float(interval or 60),
        now=now,
        running_companies=bool(running.get("companies")),
    )
    return {
        "state": state_dir,
        "health": {"ok": not problems, "problems": problems},
        "last_successful_poll": status.get("last_successful_poll"),
        "edgar_cooldown_until": status.get("edgar_cooldown_until"),
        "last_poll": status.get("last_poll"),
        "last_poll_ok": status.get("last_poll_ok"),
        "last_errors": status.get("last_errors", []),
        "next_poll": status.get("next_poll"),
        "mode": status.get("mode"),
        "config_error": config_error,
        "companies": companies,
        "pending": pending,
        "failed": failed,
        "delivered": state.outbox.delivered_count(),
        "damaged_files_set_aside": [str(p) for p in state.damaged_files()],
    }


STALE_INTERVALS = 3  # a poll this many intervals old means the daemon is not doing its job


def health_problems(
    status: dict[str, Any],
    *,
    failed: list[dict[str, Any]],
    config_error: str | None,
    interval: float,
    now: float,
    running_companies: bool = False,
) -> list[str]:
    """Why a person is needed, one sentence each; empty when all is well.

    Transient trouble (a pending alert, one failed feed) is not listed: the tracker retries
    it by itself. These are the things it cannot fix alone.
    """
    from tracker.state import epoch_of

    problems: list[str] = []
    if failed:
        first = failed[0]
        problems.append(
            f"{len(failed)} alert(s) failed permanently and wait for a fix "
            f"(first: {first['accession']} to {first['channel']}: {first['error'] or '?'})"
        )
    auth = status.get("slack_token_rejected")
    if auth:
        problems.append(f"Slack rejected the bot token at the last start: {auth}")
    cooldown = status.get("edgar_cooldown_until")
    if isinstance(cooldown, str) and epoch_of(cooldown) > now:
        problems.append(
            f"EDGAR cool-down until {cooldown}: SEC refused our requests, so no EDGAR "
            "request is made until then (check the User-Agent and the request rate)"
        )
    last_ok = status.get("last_successful_poll")
    if not last_ok:
        if status.get("last_poll"):
            problems.append("no poll has succeeded yet (see the last errors below)")
    elif now - epoch_of(last_ok) > STALE_INTERVALS * interval:
        problems.append(
            f"last successful poll {last_ok} is older than {STALE_INTERVALS} intervals "
            f"({STALE_INTERVALS} x {interval:g}s): is the daemon running, can it reach EDGAR?"
        )
    if config_error:
        kept = " (the daemon keeps running the last good config)" if running_companies else ""
        problems.append(f"the config on disk is rejected{kept}: {config_error}")
    return problems


def _skipped(row: SeenFiling) -> dict[str, Any]:
    """The last filing a company's config kept from Slack, and why (rows recorded before
    reasons were kept have none)."""
    return {
        "accession": row.accession,
        "form": row.form,
        "filed": row.filed,
        "reason": row.reason or "(reason not recorded)",
    }


def render_status(data: dict[str, Any]) -> str:
    health = data.get("health") or {"ok": True, "problems": []}
    verdict = (
        ["health: OK"]
        if health["ok"]
        else ["health: NEEDS ATTENTION"] + [f"  - {p}" for p in health["problems"]]
    )
    if data.get("note"):
        return data["note"] if health["ok"] else "\n".join(verdict)
    if data.get("state_error"):
        return "\n".join(verdict)
    ok = {True: "ok", False: "with problems", None: "never"}[data.get("last_poll_ok")]
    lines = [
        *verdict,
        f"last poll: {data['last_poll'] or 'never'} ({ok}); last successful: "
        f"{data.get('last_successful_poll') or 'never'}",
        f"next poll: {_next_poll(data.get('next_poll'))}",
    ]
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
        skip = c.get("last_skipped")
        if skip:
            lines.append(
                f"  last not alerted: {skip['form']} {skip['filed']} {skip['accession']}: "
                f"{skip['reason']}"
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
    for path in data.get("damaged_files_set_aside", []):
        lines.append(f"  recovered: a damaged state file was set aside as {path}")
    return "\n".join(lines)


def _next_poll(value: str | None) -> str:
    if not value:
        return "not scheduled (no daemon running)"
    if value < time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()):
        return f"{value} (in the past: is the daemon running?)"
    return value


def _unreadable(state_dir: str, problem: str, **why: str) -> dict[str, Any]:
    """The status of a state that cannot be read: nothing to show, and unhealthy."""
    return {
        "state": state_dir,
        "last_poll": None,
        "next_poll": None,
        "companies": [],
        "pending": [],
        "failed": [],
        **why,
        "health": {"ok": False, "problems": [problem]},
    }
