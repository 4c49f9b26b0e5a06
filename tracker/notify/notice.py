"""Messages about no single filing (overdue milestones, digests), and the dispatch sinks use.

A Notice arrives as plain text from its producer (tracker.calendar); everything in it
may quote a filing, so it is escaped here like any filing text. Filing alerts go on to
tracker.notify.message unchanged.
"""

from __future__ import annotations

from typing import Any

from tracker.models import Alert, Notice
from tracker.notify import message
from tracker.notify.message import HEADER_MAX, SECTION_MAX, escape, link, trim

MAX_LINKS = 8
MAX_SECTIONS = 40  # Slack allows 50 blocks
MAX_TEXT = 10_000  # characters of text over all sections


def slack_text(alert: Alert) -> str:
    if alert.notice is None:
        return message.fallback_text(alert)
    return escape(alert.notice.fallback or alert.notice.title)


def slack_blocks(alert: Alert) -> list[dict[str, Any]]:
    if alert.notice is None:
        return message.blocks(alert)
    return notice_blocks(alert.notice)


def slack_metadata(alert: Alert) -> dict[str, Any]:
    if alert.notice is None:
        return message.metadata(alert)
    return {"event_type": alert.notice.event_type, "event_payload": dict(alert.notice.payload)}


def console_text(alert: Alert) -> str:
    if alert.notice is None:
        return message.console_text(alert)
    n = alert.notice
    lines = [n.title, *(f"  {line}" for line in n.lines)]
    lines += [f"  {label}: {url}" for label, url in n.links]
    if alert.channel:
        lines.append(f"  Channel: {alert.channel}")
    return "\n".join(lines)


def is_same_post(alert: Alert, posted_metadata: dict[str, Any]) -> bool:
    """Whether a message found in a channel's history is this alert's earlier post."""
    payload = posted_metadata.get("event_payload") or {}
    if alert.notice is None:
        return bool(payload.get("accession") == alert.accession)
    return bool(
        posted_metadata.get("event_type") == alert.notice.event_type
        and payload == alert.notice.payload
    )


def notice_blocks(notice: Notice) -> list[dict[str, Any]]:
    """Header, one section per paragraph (a line starting "- " is a list item), links."""
    out: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": trim(escape(notice.title), HEADER_MAX),
                "emoji": False,
            },
        }
    ]
    paragraph: list[str] = []
    sections: list[str] = []
    for line in notice.lines:
        if not line.strip():
            if paragraph:
                sections.append("\n".join(paragraph))
            paragraph = []
            continue
        paragraph.append(_mrkdwn_line(line))
    if paragraph:
        sections.append("\n".join(paragraph))
    used = 0
    for i, text in enumerate(sections):
        text = text if len(text) <= SECTION_MAX else text[: SECTION_MAX - 1] + "…"
        if i == MAX_SECTIONS or used + len(text) > MAX_TEXT:
            # Slack refuses a message whose blocks hold too much text in all (about 13k
            # characters, msg_blocks_too_long), and a refused digest would never go out.
            rest = len(sections) - i
            note = f"_… and {rest} more part{'s' if rest > 1 else ''}: `tracker digest --print`_"
            out.append({"type": "section", "text": {"type": "mrkdwn", "text": note}})
            break
        used += len(text)
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if notice.links:
        links = "  ·  ".join(link(url, label) for label, url in notice.links[:MAX_LINKS])
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": links}]})
    return out


def _mrkdwn_line(line: str) -> str:
    """A heading line ("# Biopure Corp") becomes bold; everything else is escaped text."""
    if line.startswith("# "):
        return f"*{escape(line[2:])}*"
    if line.startswith("- "):
        return f"• {escape(line[2:])}"
    if line.startswith("> "):
        return f"> _{escape(trim(line[2:], 600))}_"
    return escape(line)
