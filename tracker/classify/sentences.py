"""Split document text into sentences, remembering the section each stands in.

Sections matter because the same words mean news in a press release and nothing
in a risk factor; the classifier skips boilerplate sections by their heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_SENTENCE = 2000  # a 100 KB "sentence" is cut into pieces of this size

_PARA_RE = re.compile(r"\n\s*\n")
_SPLIT_RE = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9$])")
_ABBREV_RE = re.compile(
    r"(\b(Inc|Corp|Co|Ltd|No|Nos|Mr|Mrs|Ms|Dr|Jr|Sr|St|vs|approx|e\.g|i\.e|etc|Mass|Calif|"
    r"Del|Pa|Nev|Fla|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Fig|Ph|U\.S|N\.V|S\.A|"
    r"L\.P|L\.L\.C|N\.W|Ave|Blvd|Rd)|\b[A-Z])\.$"
)
_BULLET_RE = re.compile(r"^\s*[\u2022\u00b7\u25aa\u25cf\u2023\u2043\u25e6*\-\u2013\u2014o]\s")
_AMOUNT_RE = re.compile(r"\$\s?\d|\d\s?(%|percent\b)")
_ITEM_HEADING_RE = re.compile(r"^\s*item\s+(\d{1,2}(?:\.\d{2})?)\b", re.I)
# An item heading inside a line (a page flattened to one line): the number followed by
# a capitalised title, "ITEM 6. RESIGNATION OF REGISTRANT'S DIRECTORS", "Item 5.02 Departure",
# not a reference in prose ("under Item 1.01 of this report").
_ITEM_INLINE_RE = re.compile(
    r"\b[Ii][Tt][Ee][Mm]\s+(\d{1,2}(?:\.\d{2})?)\.?\s*\|?\s*"
    r"(?=[A-Z][A-Za-z'’]+\b)"
)


@dataclass(frozen=True)
class Sentence:
    text: str
    heading: str  # the section heading above it ("" at the top)
    position: int  # order in the document
    # Every heading met since the previous sentence, in order: "Recent Developments"
    # straight followed by a sub-heading must not be lost behind it.
    passed: tuple[str, ...] = ()
    paragraph: int = 0  # which paragraph of the document: context can last a paragraph
    first: bool = False  # the paragraph's opening sentence


def is_heading(para: str) -> bool:
    """Short lines without a closing period, or in capitals, head a section."""
    if _ITEM_HEADING_RE.match(para) and len(para) < 300:
        return True
    if len(para) > 140 or "\n" in para.strip():
        return False
    if _BULLET_RE.match(para) or _AMOUNT_RE.search(para):
        return False  # a bullet or a figure ("Revenue of $12.3 million, up 15%") is content
    words = para.split()
    if not words or len(words) > 14:
        return False
    letters = [c for c in para if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        return True
    return not para.rstrip().endswith((".", ",", ";", ")", '"'))


def strip_leader(heading: str) -> str:
    r"""A table-of-contents heading without its dot leader: "Summary ........ S-1" -> "Summary".

    What the pattern r"\s*\.{4,}\s*\S*\s*$" removed from a single-spaced heading (a run
    of four or more dots, then at most one word, at the end), found without a regular
    expression: that pattern backtracked, cubic in the length of a long run of dots.
    """
    start = heading.find("....")
    while start >= 0:
        end = start
        while end < len(heading) and heading[end] == ".":
            end += 1
        rest = heading[end:]
        if " " not in rest.removeprefix(" ").rstrip(" "):
            return heading[:start].removesuffix(" ")
        start = heading.find("....", end)
    return heading


def split_sentences(paragraph: str) -> list[str]:
    flat = " ".join(paragraph.split())
    pieces = _SPLIT_RE.split(flat)
    out: list[str] = []
    for piece in pieces:
        # Only the end of the previous piece can hold an abbreviation ("Inc.", "U.S."); the
        # window's first character only serves as the left side of a word boundary.
        if out and _ends_in_abbreviation(out[-1]):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    result = []
    for sentence in out:
        while len(sentence) > MAX_SENTENCE:
            result.append(sentence[:MAX_SENTENCE])
            sentence = sentence[MAX_SENTENCE:]
        if sentence.strip():
            result.append(sentence.strip())
    return result


def _ends_in_abbreviation(piece: str) -> bool:
    if len(piece) <= 25:
        return _ABBREV_RE.search(piece) is not None
    return _ABBREV_RE.search(piece[-25:], 1) is not None


def sentences(text: str) -> Iterator[Sentence]:
    """Sentences of a document with the heading of the section they are in.

    An 8-K item heading inside a line starts a paragraph of its own, so the cover page
    of a filing flattened to one line ("...Rule 13e-4(c)) Item 8.01 Other Events On
    April 1, 2015, Hospira received a warning letter...") does not swallow the news.
    """
    if "Item " in text or "ITEM " in text or "item " in text:  # most releases have none
        text = _ITEM_INLINE_RE.sub("\n\n\\g<0>", text)
    heading = ""
    passed: list[str] = []
    position = 0
    for number, para in enumerate(_PARA_RE.split(text)):
        para = para.strip()
        if not para:
            continue
        titled = _ITEM_TITLED_RE.match(para)
        if titled and titled.end() < len(para):
            heading = " ".join(titled.group(0).split()).rstrip(" .:;|")
            passed.append(heading)
            para = para[titled.end() :]
        if is_heading(para):
            heading = strip_leader(" ".join(para.split())).strip()
            passed.append(heading)
            continue
        for i, sentence in enumerate(split_sentences(para)):
            yield Sentence(sentence, heading, position, tuple(passed), number, i == 0)
            passed = []
            position += 1


# The titles of 8-K items (both numbering schemes), so that a paragraph that runs from an
# item's heading straight into its text ("Item 8.01 Other Events On April 1, 2015, ...")
# is read as that heading and then the text, not as one long heading.
_ITEM_TITLES = (
    "entry into a material definitive agreement",
    "termination of a material definitive agreement",
    "bankruptcy or receivership",
    "completion of acquisition or disposition of assets",
    "acquisition or disposition of assets",
    "results of operations and financial condition",
    "creation of a direct financial obligation or an obligation under an off balance "
    "sheet arrangement of a registrant",
    "triggering events that accelerate or increase a direct financial obligation or an "
    "obligation under an off balance sheet arrangement",
    "costs associated with exit or disposal activities",
    "material impairments",
    "notice of delisting or failure to satisfy a continued listing rule or standard "
    "transfer of listing",
    "unregistered sales of equity securities",
    "material modification to rights of security holders",
    "changes? in registrant s certifying accountant",
    "non reliance on previously issued financial statements or a related audit report "
    "or completed interim review",
    "changes? in control of registrant",
    "departure of directors or (?:certain|principal) officers election of directors "
    "appointment of (?:certain|principal) officers(?: compensatory arrangements of "
    "certain officers)?",
    "resignations? of registrant s directors",
    "amendments? to articles of incorporation or bylaws change in fiscal year",
    "change in fiscal year",
    "submission of matters to a vote of security holders",
    "regulation fd disclosure",
    "other events(?: and regulation fd disclosure)?",
    "financial statements(?: pro forma financial information)? and exhibits",
)
_ITEM_TITLED_RE = re.compile(
    r"item\W+\d{1,2}(?:\.\d{2})?\W*(?:"
    + "|".join(t.replace(" ", r"\W+") for t in _ITEM_TITLES)
    + r")\b[\W]*",
    re.I,
)


def item_numbers(text: str) -> tuple[str, ...]:
    """8-K item numbers from the headings in a document ("ITEM 12.", "Item 2.02").

    A heading starts a line, not always a paragraph: text taken from a web page often
    keeps one line per block with no blank line between an item and its body.
    """
    found: list[str] = []
    head = text[:200_000]
    for line in head.splitlines():
        m = _ITEM_HEADING_RE.match(line)
        if m and m.group(1) not in found:
            found.append(m.group(1))
    for m in _ITEM_INLINE_RE.finditer(head):
        if m.group(1) not in found:
            found.append(m.group(1))
    return tuple(found)
