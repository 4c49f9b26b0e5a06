"""Block Kit as plain text, line by line, the way Slack lays a message out.

Used by the console sink (so the terminal and the demo show what Slack shows), by the
golden-file tests (so a layout change shows in review) and for the README's example.
Slack's markup becomes what a reader sees: *bold* and _italic_ lose their marks, a
quote line (">") gets Slack's bar ("│ "), a link shows its label and address, a
mention shows as "@here", and &amp; &lt; &gt; read as & < >. Blocks are separated by
a blank line, as Slack leaves space between them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_LINK_RE = re.compile(r"<([^<>|]+)\|([^<>]*)>|<([^<>|]+)>")
_SPECIAL = {"!here": "@here", "!channel": "@channel", "!everyone": "@everyone"}


def _link(m: re.Match[str]) -> str:
    if m.group(3) is not None:
        target = m.group(3)
        return _SPECIAL.get(target, target)
    return f"{m.group(2)} <{m.group(1)}>"


def mrkdwn(text: str) -> str:
    """Slack mrkdwn as a reader sees it, line by line."""
    lines = []
    for line in text.split("\n"):
        quote = line.startswith(">")
        if quote:
            line = line[1:].lstrip(" ")
        line = _LINK_RE.sub(_link, line)
        line = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", line)
        line = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"\1", line)
        line = re.sub(r"`([^`\n]+)`", r"\1", line)
        line = line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        lines.append(("│ " if quote else "") + line)
    return "\n".join(lines)


def _text(obj: Mapping[str, Any] | None) -> str:
    if not obj:
        return ""
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn(text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render_block(block: Mapping[str, Any]) -> str:
    kind = block.get("type")
    if kind == "header":
        return _text(block.get("text"))
    if kind == "section":
        parts = [_text(block.get("text"))] if block.get("text") else []
        parts += [_text(f) for f in block.get("fields") or ()]
        return "\n".join(p for p in parts if p)
    if kind == "context":
        return "  ".join(_text(e) for e in block.get("elements") or () if e.get("text"))
    if kind == "divider":
        return "―" * 20
    return f"[{kind} block]"


def render_blocks(blocks: Sequence[Mapping[str, Any]]) -> str:
    """A message's blocks as plain text, blocks separated by a blank line."""
    return "\n\n".join(r for r in (render_block(b) for b in blocks) if r)
