"""Score a filing's categories from its form, its 8-K items and its sentences.

Strong signals (weight >= STRONG) count in full; weak ones together can add at
most WEAK_CAP, so a long document that merely mentions "FDA" many times does not
become FDA news, while one sentence about a complete response letter does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.classify.dates import document_date, latest_date
from tracker.classify.facts import extract_facts
from tracker.classify.gates import opens
from tracker.classify.rules import Rules, Veto, load_rules
from tracker.classify.sentences import Sentence, item_numbers, sentences
from tracker.models import CATEGORIES, Classification, Document

STRONG = 2.5
WEAK_CAP = 2.0
OPENING_CHARS = 3000  # a document-wide context is told from the document's opening
MATCHES_TRIED = 3  # a pattern's first matches each get a chance to escape their veto
MAX_EVIDENCE = 3
EVIDENCE_CHARS = 600
LEGACY_ITEMS_UNTIL = date(2004, 8, 23)  # SEC's new 8-K item numbers took effect that day

ITEM_TITLES = {
    "1.01": "Entry into a Material Definitive Agreement",
    "1.03": "Bankruptcy or Receivership",
    "2.02": "Results of Operations and Financial Condition",
    "2.03": "Creation of a Direct Financial Obligation",
    "2.04": "Triggering Events That Accelerate a Financial Obligation",
    "2.05": "Costs Associated with Exit or Disposal Activities",
    "3.01": "Notice of Delisting",
    "3.02": "Unregistered Sales of Equity Securities",
    "5.02": "Departure or Appointment of Directors or Officers",
    "3": "Bankruptcy or Receivership (pre-2004 item)",
    "6": "Resignations of Registrant's Directors (pre-2004 item)",
    "12": "Results of Operations and Financial Condition (pre-2004 item)",
}


@dataclass
class _Tally:
    strong: float = 0.0
    weak: float = 0.0
    fixed: float = 0.0
    hits: list[tuple[float, int, int, str]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return self.fixed + self.strong + min(self.weak, WEAK_CAP)


def classify_text(
    text: str,
    *,
    form: str = "",
    items: Sequence[str] = (),
    filed: date | None = None,
    rules: Rules | None = None,
) -> Classification:
    """Classify one document's text (the `tracker classify` path)."""
    return classify_documents(
        [Document(name="", doc_type=form or "", url="", text=text)],
        form=form,
        items=items,
        filed=filed,
        rules=rules,
    )


def classify_documents(
    documents: Sequence[Document],
    *,
    form: str = "",
    items: Sequence[str] = (),
    filed: date | None = None,
    rules: Rules | None = None,
) -> Classification:
    """Classify a filing from all its documents; press releases give evidence first."""
    rules = rules or load_rules()
    tallies = {cat: _Tally() for cat in CATEGORIES}
    all_items = list(dict.fromkeys(items))
    for doc in documents:
        if not _reads_as_8k(form or doc.doc_type, doc.text):
            continue  # "Item 3" of a 10-Q is not 8-K Item 3
        for number in item_numbers(doc.text):
            if number not in all_items:
                all_items.append(number)
    _score_form(rules, form, tallies)
    _score_items(rules, all_items, filed, tallies)
    fact_sentences: list[str] = []
    ordered = sorted(enumerate(documents), key=lambda d: (not _is_release(d[1]), d[0]))
    for rank, (_, doc) in enumerate(ordered):
        prospectus = _is_prospectus(rules, doc.doc_type or form)
        in_news = False
        dated = filed or document_date(doc.text)
        for sentence, muted, found in _in_context(rules, doc.text, dated):
            if prospectus:
                for heading in sentence.passed:
                    if rules.prospectus_news and rules.prospectus_news.search(heading.lower()):
                        in_news = True
                    elif _is_major(rules, heading) and not _is_minor_in_news(heading):
                        in_news = False
                if not in_news:
                    muted = muted | _ALL.difference(rules.prospectus_everywhere)
            # Facts come from the sentences that carry news: an amount in a table or
            # a boilerplate paragraph is not a fact anyone acts on.
            if _score_sentence(rules, sentence, rank, tallies, muted, found):
                fact_sentences.append(sentence.text)
    categories = tuple(c for c in CATEGORIES if tallies[c].score >= rules.threshold)
    evidence = {c: _evidence(tallies[c]) for c in categories}
    facts = tuple(extract_facts(rules.facts, fact_sentences, rules.finder))
    return Classification(
        categories=categories, evidence=evidence, facts=facts, items=tuple(all_items)
    )


def _reads_as_8k(form: str, text: str) -> bool:
    """8-K item headings mean something only in an 8-K (or a document that says it is one)."""
    if form:
        return form.upper().startswith("8-K")
    head = text[:3000].lower()
    return "current report" in head or "form 8-k" in head


def _is_release(doc: Document) -> bool:
    return doc.doc_type.upper().startswith("EX-99")


def _score_form(rules: Rules, form: str, tallies: dict[str, _Tally]) -> None:
    form = form.upper().strip()
    best: dict[str, float] = {}
    for prefix, weights in rules.forms.items():
        matches = form == prefix or (form.startswith(prefix) and len(prefix) > 1)
        if matches:
            for cat, weight in weights.items():
                best[cat] = max(best.get(cat, 0.0), weight)
    for cat, weight in best.items():
        tallies[cat].fixed += weight
        tallies[cat].reasons.append(f"Form {form}")


def _score_items(
    rules: Rules, items: Sequence[str], filed: date | None, tallies: dict[str, _Tally]
) -> None:
    for item in items:
        legacy = "." not in item
        if legacy and filed is not None and filed >= LEGACY_ITEMS_UNTIL:
            continue  # an integer item after August 2004 is a stray number, not an item
        table = rules.legacy_items if legacy else rules.modern_items
        for cat, weight in table.get(item, {}).items():
            tallies[cat].fixed += weight
            title = ITEM_TITLES.get(item, "")
            tallies[cat].reasons.append(f"8-K Item {item}" + (f": {title}" if title else ""))


_ALL = frozenset(CATEGORIES)
_NONE: frozenset[str] = frozenset()


def content_sentences(rules: Rules, text: str) -> Iterator[Sentence]:
    """Sentences that count for at least one category (the milestone ledger reads these)."""
    for sentence, muted in sentences_in_context(rules, text, document_date(text)):
        if muted != _ALL:
            yield sentence


def sentences_in_context(
    rules: Rules, text: str, dated: date | None = None
) -> Iterator[tuple[Sentence, frozenset[str]]]:
    """Each sentence with the categories it cannot speak for, from where it stands.

    The same words are news in a press release's lead and nothing in its "About"
    paragraph, its safe-harbor notice, a risk factor, a certification, the terms of
    an award, a bylaw, a law firm's notice or a sentence about years past. A context
    (rules.toml `[[context]]`) is recognised by a heading, a sentence, a paragraph's
    opening sentence or the document's opening, and lasts for the sentence, the rest
    of the paragraph, the section (until the next major heading: risk factors carry
    sub-headings of their own) or the document.
    """
    for sentence, muted, _ in _in_context(rules, text, dated):
        yield sentence, muted


def _in_context(
    rules: Rules, text: str, dated: date | None
) -> Iterator[tuple[Sentence, frozenset[str], frozenset[str]]]:
    """sentences_in_context, with the gate words found in each lower-cased sentence."""
    opening = text[:OPENING_CHARS].lower()
    whole = _NONE
    for ctx in rules.contexts:
        if ctx.on == "document" and ctx.regex.search(opening):
            whole = whole | ctx.mute
    sentence_rules = [c for c in rules.contexts if c.on in ("sentence", "opening")]
    heading_rules = [c for c in rules.contexts if c.on == "heading"]
    section = _NONE
    paragraph, paragraph_muted = -1, _NONE
    too_old = dated - timedelta(days=rules.history_days) if dated and rules.history_days else None
    for sentence in sentences(text):
        for heading in sentence.passed:
            lower = heading.lower()
            words = rules.finder.found(lower)
            hit = _NONE
            for ctx in heading_rules:
                if opens(ctx.gate, words) and ctx.regex.search(lower):
                    hit = hit | ctx.mute
            if hit:
                section = hit
            elif section and _is_major(rules, heading):
                section = _NONE
        if sentence.paragraph != paragraph:
            paragraph, paragraph_muted = sentence.paragraph, _NONE
        lower = sentence.text.lower()
        found = rules.finder.found(lower)
        muted = whole | section | paragraph_muted
        for ctx in sentence_rules:
            if ctx.mute <= muted or (ctx.on == "opening" and not sentence.first):
                continue
            if not opens(ctx.gate, found) or not ctx.regex.search(lower):
                continue
            muted = muted | ctx.mute
            if ctx.extent == "paragraph":
                paragraph_muted = paragraph_muted | ctx.mute
            elif ctx.extent == "section":
                section = section | ctx.mute
            elif ctx.extent == "document":
                whole = whole | ctx.mute
        if too_old is not None and muted != _ALL:
            latest = latest_date(lower, too_old)
            if latest is not None and latest < too_old and "today" not in lower:
                muted = _ALL  # history: every date it names is long before the document
        yield sentence, muted, found


def _is_prospectus(rules: Rules, form: str) -> bool:
    form = form.upper()
    return any(form.startswith(prefix) for prefix in rules.prospectus_forms)


def _is_minor_in_news(heading: str) -> bool:
    """Sub-headings inside Recent Developments ("Revenues", "Financial Condition")."""
    letters = [c for c in heading if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) <= 0.8


def _is_major(rules: Rules, heading: str) -> bool:
    letters = [c for c in heading if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        return True
    if re.match(r"^\s*item\s+\d", heading, re.I):
        return True
    return bool(rules.resume_sections and rules.resume_sections.search(heading.lower()))


def _score_sentence(
    rules: Rules,
    sentence: Sentence,
    rank: int,
    tallies: dict[str, _Tally],
    muted: frozenset[str] = _NONE,
    found: frozenset[str] | None = None,
) -> bool:
    """Add the sentence's weight to each category it speaks for; True if any."""
    if muted == _ALL:
        return False
    lower = sentence.text.lower()
    # The gate words of the unmasked text: a superset of the masked text's, so a rule
    # is never wrongly skipped (at worst its regex runs and finds nothing).
    if found is None:
        found = rules.finder.found(lower)
    wanted = [
        cat
        for cat in rules.patterns
        if cat not in muted and opens(rules.category_gates.get(cat, ()), found)
    ]
    if not wanted:
        return False
    hit = False
    masked = lower
    for mask in rules.masks:
        if opens(mask.gate, found):
            masked = mask.regex.sub(" ", masked)
    # A quotation and the words that attribute it are separate clauses: the title of
    # the person quoted does not complete a phrase inside the quote.
    for brk in rules.clause_breaks:
        if opens(brk.gate, found):
            masked = brk.regex.sub(" ; ", masked)
    if masked != lower:
        found = rules.finder.found(masked)  # gate on what the rules will actually see
    factor = rules.stale_factor if rules.stale and rules.stale.search(masked) else 1.0
    for cat in wanted:
        weight = _weight(rules, cat, masked, found)
        if not weight:
            continue
        hit = True
        weight *= factor
        tally = tallies[cat]
        if weight >= STRONG:
            tally.strong += weight
        else:
            tally.weak += weight
        tally.hits.append((weight, rank, sentence.position, sentence.text))
    return hit


def _weight(rules: Rules, cat: str, text: str, found: frozenset[str]) -> float:
    """The weight of the strongest pattern with a match that no veto takes away."""
    vetoes: list[Veto] | None = None  # read only once a pattern matches
    patterns = rules.patterns[cat]
    for i in rules.pattern_index[cat].open(found):
        pattern = patterns[i]
        for n, m in enumerate(pattern.regex.finditer(text)):
            if n == MATCHES_TRIED:
                break
            if vetoes is None:
                vetoes = [v for v in rules.vetoes.get(cat, ()) if opens(v.gate, found)]
            if not vetoes or not _vetoed(rules, vetoes, text, m.start(), m.end()):
                return pattern.weight
    return 0.0


def _vetoed(rules: Rules, vetoes: Sequence[Veto], text: str, start: int, end: int) -> bool:
    """Whether a veto stands in the clause of the match text[start:end] (see Veto)."""
    begin = 0
    for bound in rules.clause_bounds.finditer(text, 0, start):
        begin = bound.end()
    after = rules.clause_bounds.search(text, end)
    stop = after.start() if after else len(text)
    for veto in vetoes:
        m = veto.regex.search(text, begin, stop)
        if m is None:
            continue
        if veto.scope == "clause" or m.start() < start:
            return True
    return False


def _evidence(tally: _Tally) -> tuple[str, ...]:
    best = sorted(tally.hits, key=lambda h: (-h[0], h[1], h[2]))
    chosen: list[str] = []
    for _, _, _, text in best:
        short = text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"
        if short not in chosen:
            chosen.append(short)
        if len(chosen) == MAX_EVIDENCE:
            break
    return tuple(chosen) if chosen else tuple(tally.reasons[:1])
