"""Filing documents to plain text: modern HTML, iXBRL, 2003-era text and SGML submissions.

Paragraph breaks are kept as blank lines because the classifier reads sentence by
sentence and uses headings to skip boilerplate sections.
"""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from tracker.invisible import strip_invisible

log = logging.getLogger(__name__)

BINARY_TYPES = ("GRAPHIC", "ZIP", "EXCEL", "PDF", "XML", "JSON", "EX-101", "XBRL", "JPG", "GIF")
_HTML_RE = re.compile(rb"<(html|body|div|p|table|font|span|br)\b", re.I)
_BLOCK_END_RE = re.compile(
    r"(</(?:p|div|tr|li|h[1-6]|table|center|blockquote|pre|dt|dd|title)\s*>|<br\s*/?>|<hr\b[^<>]*>)",
    re.I,
)
_CELL_END_RE = re.compile(r"</t[dh]\s*>", re.I)
_DOC_RE = re.compile(r"<DOCUMENT>(.*?)(?:</DOCUMENT>|\Z)", re.S | re.I)
_TAG_LINE_RE = re.compile(r"^<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>([^\n<]*)", re.M | re.I)
_TEXT_RE = re.compile(r"<TEXT>(.*?)(?:</TEXT>|\Z)", re.S | re.I)
_UUENCODE_RE = re.compile(r"^begin [0-7]{3} \S+", re.M)
# Runs of blanks that need changing into one space: two spaces or more, or any other
# blank. A lone space is left alone: re.sub keeps a piece per match, and matching every
# space of a 20 MB document held hundreds of megabytes of pieces at once.
_SPACES_RE = re.compile(
    r"(?: |[\t\f\v\xa0\u1680\u2000-\u200a\u202f\u205f\u3000])"
    r"[ \t\f\v\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]+"
    r"|[\t\f\v\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]"
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_TAG_SCAN_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_.-]*)")
# Void elements, and elements that close an open one of their kind: they never nest deep.
_VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr")
_FLAT = ("p", "li", "tr", "td", "th", "dt", "dd", "option")
_VOID_OR_FLAT = frozenset((*_VOID, *_FLAT))
# Work the HTML parser may do on nesting, in units of (open element x tag): lexbor walks the
# stack of open elements for many tags: 50,000 nested <div>s cost seconds, 20 MB of them hours.
_NESTING_BUDGET = 100_000_000
# A marker line of 2003-era text. Only blanks within the line ([^\S\n]), never \s: \s
# also matches newlines, and from every line start of a run of blank lines the engine
# would scan the whole run again (200 KB of blank lines took 88 s).
_PAGE_MARK_RE = re.compile(r"^[^\S\n]*</?(?:PAGE|S|C|FN|F\d+|TABLE|CAPTION)>[^\S\n]*$", re.M | re.I)
# After _SPACES_RE a run of blanks is one character, so these look at most one ahead.
_LINE_EDGE_RE = re.compile(r" \n ?|\n ")
_BLANK_RUN_RE = re.compile(r"\n{3,}")
HTML_PIECE = 1_000_000  # characters of HTML parsed at once
TEXT_BUDGET = 5_000_000  # characters of text read from one document
_DROP_RE = re.compile(r"<(script|style|noscript|title|ix:header)\b|<!--", re.I)
_ANY_TAG_RE = re.compile(r"<[^<>]*>")


class NotText(ValueError):
    """The bytes are a binary file (image, archive), not a document to read."""


@dataclass(frozen=True)
class SubDocument:
    """One <DOCUMENT> of a full EDGAR submission."""

    doc_type: str
    filename: str
    description: str
    text: str


def decode(raw: bytes) -> str:
    """Decode filing bytes; EDGAR text is ASCII/Latin-1, modern HTML mostly UTF-8."""
    if b"\x00" in raw[:8192]:
        raise NotText("binary content (NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return _CONTROL_RE.sub(" ", text)


def is_submission(text: str) -> bool:
    head = text[:5000]
    return (
        "<SEC-DOCUMENT>" in head
        or "<SEC-HEADER>" in head
        or ("<DOCUMENT>" in head and "<TYPE>" in head)
    )


def split_submission(text: str) -> list[SubDocument]:
    """The documents of a full submission, binary ones (uuencoded) left out."""
    docs = []
    for m in _DOC_RE.finditer(text):
        block = m.group(1)
        tags = {k.upper(): v.strip() for k, v in _TAG_LINE_RE.findall(block[:2000])}
        doc_type = tags.get("TYPE", "").upper()
        body_m = _TEXT_RE.search(block)
        body = body_m.group(1) if body_m else ""
        if doc_type.startswith(BINARY_TYPES) or _UUENCODE_RE.search(body[:2000]):
            continue
        docs.append(
            SubDocument(
                doc_type, tags.get("FILENAME", ""), tags.get("DESCRIPTION", ""), to_text(body)
            )
        )
    return docs


def to_text(body: str, budget: int = TEXT_BUDGET) -> str:
    """Text of one document body, HTML or plain: its first `budget` characters of text.

    News stands at the top of a filing; the budget bounds the memory and time one huge
    document can take (a 20 MB document of dense trigger words took 490 MB and 24 s).
    """
    if _HTML_RE.search(body[:20000].encode("utf-8", "ignore")):
        return html_to_text(body, budget)
    if len(body) > budget:
        log.info("a %d-character document: reading its first %d characters", len(body), budget)
    return plain_to_text(body[:budget])


def extract(raw: bytes) -> str:
    """Text of a fetched document; a full submission gives all its text documents."""
    text = decode(raw)
    if is_submission(text):
        return "\n\n".join(d.text for d in split_submission(text))
    return to_text(text)


def html_to_text(markup: str, budget: int = TEXT_BUDGET) -> str:
    """HTML (and iXBRL) to text with a blank line after every block element.

    A large document is parsed in pieces of about HTML_PIECE characters, cut where a
    block ends and never inside a script, style, comment or iXBRL header: the parser's
    tree of a 20 MB document took hundreds of megabytes, a piece's takes a few. Reading
    stops after `budget` characters of text.
    """
    texts: list[str] = []
    size = 0
    for piece in _html_pieces(markup):
        marked = _BLOCK_END_RE.sub(lambda m: "\n\n" + m.group(1), piece)
        marked = _CELL_END_RE.sub(lambda m: " " + m.group(0), marked)
        text = _normalise(
            _html_piece_text(marked if len(markup) <= HTML_PIECE else _drop_hidden(marked))
        )
        texts.append(text)
        size += len(text)
        if size >= budget:
            log.info(
                "a %d-character document: reading its first %d characters of text",
                len(markup),
                budget,
            )
            break
    return _normalise("\n\n".join(texts))[:budget]


def _html_pieces(markup: str) -> Iterator[str]:
    """Pieces of about HTML_PIECE characters, each ending where a block ends."""
    start = 0
    while len(markup) - start > HTML_PIECE:
        target = _outside_hidden(markup, start, start + HTML_PIECE)
        m = _BLOCK_END_RE.search(markup, target, target + HTML_PIECE)
        cut = m.end() if m else markup.find("<", target, target + HTML_PIECE)
        if cut <= start:
            cut = target
        yield markup[start:cut]
        start = cut
    yield markup[start:]


def _outside_hidden(markup: str, start: int, target: int) -> int:
    """`target`, or the end of the script, style, comment or iXBRL header around it."""
    pos = start
    while (m := _DROP_RE.search(markup, pos, target)) is not None:
        if m.group(1) is None:
            end = markup.find("-->", m.end())
            end = end + 3 if end >= 0 else -1
        else:
            close = _end_tag(m.group(1)).search(markup, m.end())
            end = close.end() if close else -1
        if end < 0:
            return target  # never closed: the parser drops the rest of that piece anyway
        if end > target:
            return end
        pos = end
    return target


@functools.cache
def _end_tag(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{re.escape(name)}\s*>", re.I)


def _html_piece_text(marked: str) -> str:
    from selectolax.lexbor import LexborHTMLParser

    if _too_deep(marked):
        return html.unescape(_ANY_TAG_RE.sub("", _drop_hidden(marked)))
    tree = LexborHTMLParser(marked)
    for selector in ("script", "style", "head", "ix\\:header", "noscript"):
        for node in tree.css(selector):
            node.decompose()
    for node in tree.css("[style*='display:none' i], [style*='display: none' i]"):
        node.decompose()
    root = tree.body or tree.root
    # The parser has already decoded entities; unescaping again would turn "&amp;lt;" into "<".
    return root.text(separator="", deep=True) if root is not None else ""


def _too_deep(markup: str) -> bool:
    """Whether the nesting would make the HTML parser take quadratic time."""
    if markup.count("<") ** 2 // 2 <= _NESTING_BUDGET:
        return False
    depth = 0
    work = 0
    for close, name in _TAG_SCAN_RE.findall(markup):
        if name.lower() in _VOID_OR_FLAT:
            continue
        depth = max(0, depth - 1) if close else depth + 1
        work += depth
        if work > _NESTING_BUDGET:
            return True
    return False


def _drop_hidden(markup: str) -> str:
    """Markup without scripts, styles, comments and the iXBRL header, in linear time."""
    lower = markup.lower()
    parts = []
    pos = 0
    while m := _DROP_RE.search(markup, pos):
        parts.append(markup[pos : m.start()])
        end_tag = "-->" if m.group(1) is None else f"</{m.group(1).lower()}"
        end = lower.find(end_tag, m.end())
        if end < 0:  # unclosed: keep the rest, its tags are stripped anyway
            pos = m.end()
            continue
        close = markup.find(">", end)
        pos = len(markup) if close < 0 else close + 1
    parts.append(markup[pos:])
    return "".join(parts)


def plain_to_text(text: str) -> str:
    """2003-era text: drop page markers and SGML tags, keep the paragraph layout."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _normalise(_PAGE_MARK_RE.sub("", text))


def _normalise(text: str) -> str:
    # After the HTML parser: "&#x2060;" becomes an invisible character only there. The
    # line and paragraph separators become spaces: filings do not lay out paragraphs with
    # them, and a break there could turn half a sentence into a "heading".
    text = strip_invisible(text.replace("\r\n", "\n").replace("\r", "\n"), " ")
    text = _CONTROL_RE.sub(" ", text)
    text = _SPACES_RE.sub(" ", text)
    text = _LINE_EDGE_RE.sub("\n", text)
    return _BLANK_RUN_RE.sub("\n\n", text).strip()
