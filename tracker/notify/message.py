"""Build what people read: Slack Block Kit payloads and console text, as pure functions.

The blocks are slack_sdk's Block Kit models, whose `to_dict()` validates them against
Slack's limits (header 150 characters, section 3000...), so a message Slack would refuse
fails here, in a test, not in the channel. Layout, top to bottom, one thing per line so
it reads on a phone:

    header      Company (TICKER) · form · filing date
    section     the headline: one sentence, the news first (tracker.notify.headline)
    section     one line per ledger change ("Slipped: ...")
    context     the categories and 8-K items (and the config's mentions)
    section     one line per key fact ("Gross proceeds: $5.0 million")
    section     the deciding sentences, each a real quote line ("> ...")
    context     links to the filing index and the press release

The notification `text` is "TICKER form · headline", within 150 characters.

Every string taken from a filing goes through `escape` so that no filing can
ping a channel (<!channel>), mention a user or disguise a link.
See https://api.slack.com/reference/surfaces/formatting#escaping.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from tracker.invisible import strip_invisible
from tracker.models import Alert, Fact
from tracker.notify import headline as news
from tracker.notify.render import render_blocks

HEADER_MAX = HeaderBlock.text_max_length
SECTION_MAX = SectionBlock.text_max_length
NOTIFICATION_MAX = 150  # what a phone's lock screen shows, about
QUOTE_MAX = 300
CHANGE_MAX = 400
FACT_MAX = 200
MAX_CHANGES = 6
MAX_FACT_LINES = 10
MAX_QUOTES = 2
# Section budgets well under Slack's 3000, so the whole message stays under the ~13,000
# characters past which Slack answers msg_blocks_too_long (see ../shared/LIBRARIES.md).
CHANGES_BUDGET = 2000
FACTS_BUDGET = 1500
QUOTES_BUDGET = 1500

CATEGORY_LABELS = {
    "fda": "FDA",
    "financing": "Financing",
    "workforce": "Workforce",
    "results": "Results",
    "leadership": "Leadership",
    "legal": "Legal",
}
# The facts an alert shows, in the order a reader wants them: the offering's terms,
# the workforce cut, the cash position, deadlines, results.
FACT_LABELS = {
    "offering_amount": "Offering size",
    "gross_proceeds": "Gross proceeds",
    "net_proceeds": "Net proceeds",
    "shares_offered": "Shares offered",
    "share_price": "Price per share",
    "warrant_shares": "Warrant shares",
    "warrant_exercise_price": "Warrant exercise price",
    "workforce_reduction_percent": "Workforce cut",
    "workforce_reduction_headcount": "Jobs cut",
    "cash_runway": "Cash runway",
    "cash_on_hand": "Cash on hand",
    "financing_needed": "Financing needed",
    "deadline": "Deadline",
    "net_loss": "Net loss",
    "revenue": "Revenue",
}
KEY_FACTS = tuple(FACT_LABELS)
_COUNT_FACTS = {"shares_offered", "warrant_shares", "workforce_reduction_headcount"}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CHANGE_WORDS = {
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
    text = _CONTROL_RE.sub(" ", strip_invisible(text, " "))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def trim(text: str, limit: int) -> str:
    """One line, cut at a word boundary with an ellipsis, so quotes end cleanly.

    Whitespace runs (a filing's hard line wraps included) become one space: use it on
    one line's text, never on a message whose line breaks matter.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def link(url: str, label: str) -> str:
    safe_url = re.sub(r"[<>|\s]", "", url)
    return f"<{safe_url}|{escape(label)}>"


def title(alert: Alert) -> str:
    """The header: who filed what, when."""
    who = alert.company + (f" ({alert.ticker})" if alert.ticker else "")
    return f"{who} · {alert.form} · {alert.filed}"


def headline(alert: Alert, room: int = NOTIFICATION_MAX) -> str:
    """The news in one sentence (raw text: escape it for Slack)."""
    return news.headline(alert, room)


def category_words(alert: Alert) -> str:
    if not alert.categories:
        return "no milestone category"
    return ", ".join(CATEGORY_LABELS.get(c, c) for c in alert.categories)


def _fact_text(fact: Fact) -> str:
    if fact.kind in _COUNT_FACTS and isinstance(fact.value, int):
        up_to = "up to " if "up to" in fact.text.lower() else ""
        return f"{up_to}{fact.value:,}"
    return fact.text


def key_facts(facts: tuple[Fact, ...], limit: int = MAX_FACT_LINES) -> list[tuple[str, str]]:
    """Label and text of the facts people act on, one per kind, in a fixed order.

    An offering size equal to the stated gross proceeds is the same number twice: only
    the gross proceeds are shown.
    """
    by_kind: dict[str, Fact] = {}
    for fact in facts:
        by_kind.setdefault(fact.kind, fact)
    gross = by_kind.get("gross_proceeds")
    size = by_kind.get("offering_amount")
    if gross and size and gross.value == size.value:
        del by_kind["offering_amount"]
    rows = [(FACT_LABELS[k], _fact_text(by_kind[k])) for k in KEY_FACTS if k in by_kind]
    return rows[:limit]


def change_lines(alert: Alert) -> list[tuple[str, str]]:
    """(word, summary) per ledger change, in the ledger's order: most important first."""
    return [(CHANGE_WORDS.get(c.change, c.change), c.summary) for c in alert.changes]


def _prefix(alert: Alert) -> str:
    return "[TEST] " if alert.test else ""


def fallback_text(alert: Alert) -> str:
    """The notification: "BPUR 424B5 · Biopure prices $5.0M registered offering: ...".

    The company (ticker, else its short name), the form and the headline, within 150
    characters; the config's mentions, if any, follow (they never come from a filing).
    """
    who = alert.ticker or news.short_name(alert.company)
    lead = f"{_prefix(alert)}{who} {alert.form} · "
    text = escape(lead + headline(alert, max(40, NOTIFICATION_MAX - len(lead))))
    mentions = " ".join(_mention(m) for m in alert.mentions)
    return f"{text} {mentions}".strip()


def _mention(value: str) -> str:
    """Config mentions to Slack syntax; these come from the config, never from a filing."""
    special = {"@here": "<!here>", "@channel": "<!channel>", "@everyone": "<!everyone>"}
    return special.get(value, value)


def _fit(lines: list[str], budget: int) -> str:
    """Whole lines, in order, while they fit the budget (a line is never cut in two)."""
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > budget:
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def block_models(alert: Alert) -> list[Block]:
    """The alert's blocks as slack_sdk models (validated by `to_dict()`)."""
    # Escaped although plain_text: company names come from EDGAR, and Slack decodes
    # &amp; &lt; &gt; in text objects, so the escaping never shows.
    header = escape(_prefix(alert) + trim(title(alert), HEADER_MAX))
    out: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=trim(header, HEADER_MAX), emoji=False)),
        _section(f"*{escape(headline(alert))}*"),
    ]
    changes = [
        f"*{word}:* {escape(trim(summary, CHANGE_MAX))}"
        for word, summary in change_lines(alert)[:MAX_CHANGES]
    ]
    if changes:
        out.append(_section(_fit(changes, CHANGES_BUDGET)))
    labels = (
        "  ".join(f"`{CATEGORY_LABELS.get(c, c)}`" for c in alert.categories)
        or "_no milestone category_"
    )
    items = f"  ·  8-K items {escape(trim(', '.join(alert.items), 200))}" if alert.items else ""
    mentions = " ".join(_mention(m) for m in alert.mentions)
    out.append(_context(f"{mentions} {labels}{items}".strip()))
    facts = [f"*{label}:* {escape(trim(text, FACT_MAX))}" for label, text in key_facts(alert.facts)]
    if facts:
        out.append(_section(_fit(facts, FACTS_BUDGET)))
    quotes = quote_lines(alert)
    if quotes:
        out.append(_section(_fit(quotes, QUOTES_BUDGET)))
    links = [link(alert.index_url, "Filing index on EDGAR")]
    if alert.document_url and alert.document_url != alert.index_url:
        links.append(link(alert.document_url, "Press release / document"))
    out.append(_context("  ·  ".join(links)))
    return out


def blocks(alert: Alert) -> list[dict[str, Any]]:
    """Block Kit for one alert, as the JSON Slack takes; raises if past Slack's limits."""
    return [b.to_dict() for b in block_models(alert)]


def quote_lines(alert: Alert, limit: int = MAX_QUOTES) -> list[str]:
    """The deciding sentences: a bold category line, then the sentence as a quote line.

    Each quote is one line starting with ">" (Slack's quote), so a filing's line breaks
    never split it and no marker lands mid-line.
    """
    seen: list[str] = []
    lines: list[str] = []
    # The sentence behind the lead change (the slip) says more than the FDA category's
    # first evidence sentence, so it stands for the FDA category when there is one.
    lead = next((c.sentence for c in alert.changes if c.sentence), "")
    for cat in alert.categories:
        chosen = (lead,) if cat == "fda" and lead else alert.evidence.get(cat, ())[:1]
        for sentence in chosen:
            if sentence in seen:
                continue
            seen.append(sentence)
            label = CATEGORY_LABELS.get(cat, cat)
            lines.append(f"*{label}*\n>{escape(trim(sentence, QUOTE_MAX))}")
            if len(seen) == limit:
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


def render(alert: Alert) -> str:
    """The message as a Slack reader sees it, as plain text: notification, then blocks."""
    return f"{render_text(fallback_text(alert))}\n\n{render_blocks(blocks(alert))}"


def render_text(text: str) -> str:
    return render_blocks([{"type": "section", "text": {"type": "mrkdwn", "text": text}}])


def console_text(alert: Alert) -> str:
    """The terminal's rendering (the console sink and the demo): what Slack would show."""
    lines = [f"── to {alert.channel or '(default channel)'} " + "─" * 40]
    lines.append(f"notification: {render_text(fallback_text(alert))}")
    if alert.thread_of:
        lines.append(f"(posted in the thread of the {alert.thread_of} alert)")
    lines.append("")
    lines.append(render_blocks(blocks(alert)))
    # Terminal escapes and invisible or bidi characters from a filing never reach a console.
    return "\n".join(_CONTROL_RE.sub(" ", strip_invisible(line, " ")) for line in lines)
