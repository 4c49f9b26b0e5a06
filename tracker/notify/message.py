"""Build what people read: Slack Block Kit payloads and console text, as pure functions.

Every string taken from a filing goes through `escape` so that no filing can
ping a channel (<!channel>), mention a user or disguise a link.
See https://api.slack.com/reference/surfaces/formatting#escaping.
"""

from __future__ import annotations

import re
from typing import Any

from tracker.models import Alert, Fact

HEADER_MAX = 150  # Slack header block limit
SECTION_MAX = 3000  # Slack section text limit
QUOTE_MAX = 300
CATEGORY_LABELS = {
    "fda": "FDA",
    "financing": "Financing",
    "workforce": "Workforce",
    "results": "Results",
    "leadership": "Leadership",
    "legal": "Legal",
}
FACT_LABELS = {
    "workforce_reduction_percent": "Workforce cut",
    "workforce_reduction_headcount": "Jobs cut",
    "cash_on_hand": "Cash on hand",
    "financing_needed": "Financing needed",
    "cash_runway": "Cash runway",
    "offering_amount": "Offering size",
    "shares_offered": "Shares offered",
    "share_price": "Price per share",
    "warrant_shares": "Warrant shares",
    "warrant_exercise_price": "Warrant exercise price",
    "deadline": "Deadline",
    "net_loss": "Net loss",
    "revenue": "Revenue",
}
KEY_FACTS = tuple(FACT_LABELS)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_CHANGE_WORDS = {
    "new": "New",
    "achieved": "Achieved",
    "moved": "Moved",
    "delayed": "Slipped",
    "at_risk": "At risk",
    "abandoned": "Abandoned",
    "runway_changed": "Cash runway changed",
    "runway": "Cash runway",
    "financing_need": "Financing need",
    "financing_need_changed": "Financing need changed",
}


def escape(text: str) -> str:
    """Escape Slack's control characters (& first) and drop invisible controls."""
    text = _CONTROL_RE.sub(" ", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def trim(text: str, limit: int) -> str:
    """Cut at a word boundary with an ellipsis, so quotes end cleanly."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def link(url: str, label: str) -> str:
    safe_url = re.sub(r"[<>|\s]", "", url)
    return f"<{safe_url}|{escape(label)}>"


def headline(alert: Alert) -> str:
    who = alert.company + (f" ({alert.ticker})" if alert.ticker else "")
    return f"{who} · {alert.form} · {alert.filed}"


def category_words(alert: Alert) -> str:
    if not alert.categories:
        return "no milestone category"
    return ", ".join(CATEGORY_LABELS.get(c, c) for c in alert.categories)


def key_facts(facts: tuple[Fact, ...], limit: int = 8) -> list[tuple[str, str]]:
    """Label and text of the facts people act on, one per kind, in a fixed order."""
    by_kind: dict[str, Fact] = {}
    for fact in facts:
        by_kind.setdefault(fact.kind, fact)
    rows = [(FACT_LABELS[k], by_kind[k].text) for k in KEY_FACTS if k in by_kind]
    return rows[:limit]


def change_lines(alert: Alert) -> list[str]:
    """Headlines from the ledger diff, in its order: most important first."""
    return [f"{_CHANGE_WORDS.get(c.change, c.change)}: {c.summary}" for c in alert.changes]


def fallback_text(alert: Alert) -> str:
    """The notification line: readable on a lock screen, no markup from the filing."""
    prefix = "[TEST] " if alert.test else ""
    first = change_lines(alert)[:1]
    parts = [f"{prefix}{headline(alert)}: {category_words(alert)}", *first]
    mentions = " ".join(_mention(m) for m in alert.mentions)
    text = escape(" — ".join(parts))
    return f"{mentions} {text}".strip()


def _mention(value: str) -> str:
    """Config mentions to Slack syntax; these come from the config, never from a filing."""
    special = {"@here": "<!here>", "@channel": "<!channel>", "@everyone": "<!everyone>"}
    return special.get(value, value)


def blocks(alert: Alert) -> list[dict[str, Any]]:
    """Block Kit for one alert, within Slack's limits (well under 50 blocks)."""
    # Escaped although plain_text: company names come from EDGAR, and Slack decodes
    # &amp; &lt; &gt; in text objects, so the escaping never shows.
    title = ("[TEST] " if alert.test else "") + escape(headline(alert))
    out: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": trim(title, HEADER_MAX), "emoji": False},
        },
    ]
    changes = change_lines(alert)
    if changes:
        text = "\n".join(f"*{escape(line)}*" for line in changes[:5])
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": trim(text, SECTION_MAX)}})
    labels = (
        "  ".join(f"`{CATEGORY_LABELS.get(c, c)}`" for c in alert.categories)
        or "_no milestone category_"
    )
    items = f"  ·  8-K items {escape(', '.join(alert.items))}" if alert.items else ""
    mentions = " ".join(_mention(m) for m in alert.mentions)
    out.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": trim(f"{mentions} {labels}{items}".strip(), SECTION_MAX)}
            ],
        }
    )
    facts = key_facts(alert.facts)
    if facts:
        out.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": trim(f"*{label}*\n{escape(text)}", 2000)}
                    for label, text in facts[:10]
                ],
            }
        )
    quotes = _quotes(alert)
    if quotes:
        out.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": trim("\n".join(quotes), SECTION_MAX)},
            }
        )
    links = [link(alert.index_url, "Filing index on EDGAR")]
    if alert.document_url and alert.document_url != alert.index_url:
        links.append(link(alert.document_url, "Press release / document"))
    out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "  ·  ".join(links)}]})
    return out


def _quotes(alert: Alert, limit: int = 2) -> list[str]:
    seen: list[str] = []
    lines = []
    for cat in alert.categories:
        for sentence in alert.evidence.get(cat, ())[:1]:
            if sentence in seen:
                continue
            seen.append(sentence)
            label = CATEGORY_LABELS.get(cat, cat)
            lines.append(f"*{label}:* > _{escape(trim(sentence, QUOTE_MAX))}_")
            if len(lines) == limit:
                return lines
    return lines


def metadata(alert: Alert) -> dict[str, Any]:
    """The contract's message metadata, so other tools (and our dedupe) can find alerts."""
    return {
        "event_type": "filing_alert",
        "event_payload": {
            "accession": alert.accession,
            "cik": alert.cik,
            "form": alert.form,
            "categories": list(alert.categories),
        },
    }


def console_text(alert: Alert) -> str:
    """A plain-text rendering for the terminal (the console sink and the demo)."""
    lines = [("[TEST] " if alert.test else "") + headline(alert)]
    for change in change_lines(alert):
        lines.append(f"  >> {change}")
    lines.append(
        f"  Categories: {category_words(alert)}"
        + (f"   (8-K items {', '.join(alert.items)})" if alert.items else "")
    )
    for label, text in key_facts(alert.facts):
        lines.append(f"  {label}: {text}")
    for cat in alert.categories:
        for sentence in alert.evidence.get(cat, ())[:1]:
            lines.append(f'  [{CATEGORY_LABELS.get(cat, cat)}] "{trim(sentence, QUOTE_MAX)}"')
    if alert.thread_of:
        lines.append(f"  Follows up: {alert.thread_of} (posted in its thread)")
    lines.append(f"  Filing: {alert.index_url}")
    if alert.document_url and alert.document_url != alert.index_url:
        lines.append(f"  Document: {alert.document_url}")
    if alert.channel:
        lines.append(f"  Channel: {alert.channel}")
    return "\n".join(lines)
