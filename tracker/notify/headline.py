"""The one sentence an alert leads with: the news, ranked by what an analyst acts on.

A phone shows the first line of a notification, so the sentence is built from the parts
of an alert that change a decision, most important first:

1. a slip or new risk to a regulatory milestone (or its abandonment);
2. a complete response letter, approval, clinical hold (or its lift), trial result, a
   newly announced target date;
3. financing terms: size, shares, price, warrants;
4. a workforce cut;
5. the cash runway and financing need;
6. other milestones reached (a study design agreed, a trial started);
7. an officer change; 8. results; 9. a legal matter.

At most three clauses, joined by semicolons, within the room the notification leaves.
"Biopure prices $5.0M registered offering: 3,333,333 shares at $1.50, warrants at $2.50",
"Biopure: FDA reply slips past June 2004; 35% workforce cut; cash funds operations
through June 2004". Pure functions of the alert; the text is raw (escape it for Slack).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.models import Alert, Fact, MilestoneChange

MAX_CLAUSES = 3
PROSPECTUS_FORMS = ("424B", "S-1", "S-3", "F-1", "F-3", "S-11")

# Legal-form words dropped from a company's name ("Moderna, Inc." -> "Moderna").
_SUFFIX_RE = re.compile(
    r"(?:[\s,]+(?:corp(?:oration)?|inc(?:orporated)?|co(?:mpany)?|ltd|limited|llc|l\.?l\.?c|"
    r"l\.?p|plc|n\.?v|s\.?a|a\.?g|ag|se|a/s|asa|ab|oyj|gmbh|holdings?|group|/[a-z]{2,3}/?)\.?)+$",
    re.I,
)

# The ledger's milestone labels, shortened for a headline (unknown labels stay as they are).
_NOUNS = {
    "reply to FDA complete response letter": "FDA reply",
    "FDA complete response letter": "complete response letter",
    "FDA advisory committee meeting": "FDA advisory committee",
    "IND submission": "IND",
    "regulatory approval outside the US": "approval outside the US",
    "regulatory approval": "approval",
    "regulatory submission outside the US": "submission outside the US",
    "regulatory submission": "submission",
    "development program": "program",
}
# Achieved milestones, said as what happened ({p} is the product, or "" when unnamed).
_DONE = {
    "FDA complete response letter": "complete response letter{for_p}",
    "clinical hold": "clinical hold{on_p}",
    "clinical hold lifted": "clinical hold{on_p} lifted",
    "regulatory approval": "{p_}approved",
    "regulatory approval outside the US": "{p_}approved outside the US",
    "trial results": "{p_}trial results",
    "regulatory submission": "{p_}submitted for approval",
    "regulatory submission outside the US": "{p_}submitted outside the US",
    "IND submission": "IND{for_p} submitted",
    "trial start": "{p_}trial started",
    "FDA-agreed study design": "FDA agrees {p_}study design",
    "FDA advisory committee meeting": "FDA advisory committee{on_p} held",
}
_REGULATORY_EVENTS = {
    "FDA complete response letter",
    "clinical hold",
    "clinical hold lifted",
    "regulatory approval",
    "regulatory approval outside the US",
    "trial results",
}


@dataclass(frozen=True)
class Clause:
    rank: int
    text: str
    verb: bool = False  # reads after the company's name without a colon ("prices ...")


def short_name(company: str) -> str:
    """A company's name as a headline says it: no legal form, no all-capitals shouting."""
    name = " ".join(company.split())
    stripped = _SUFFIX_RE.sub("", name).strip(" ,.")
    name = stripped or name
    if name.isupper():
        name = " ".join(w.capitalize() if len(w) > 3 and w.isalpha() else w for w in name.split())
    return name


def compact_money(fact: Fact) -> str:
    """ "$5.0 million" -> "$5.0M"; a plain figure is shortened the same way."""
    text = fact.text.strip()
    words = {"thousand": "K", "million": "M", "billion": "B"}
    m = re.fullmatch(r"(\$\s?[\d,.]+)\s*(thousand|million|billion)", text, re.I)
    if m:
        return m.group(1).replace(" ", "") + words[m.group(2).lower()]
    value = fact.value
    if isinstance(value, (int, float)):
        for size, letter in ((1e9, "B"), (1e6, "M")):
            if value >= size:
                return f"${value / size:.1f}{letter}"
        if isinstance(value, float) and value < 1000:
            return f"${value:,.2f}"
        return f"${value:,.0f}"
    return text


def _split_subject(subject: str) -> tuple[str, str]:
    """("reply to FDA complete response letter", "Hemopure") from the change's subject."""
    m = re.fullmatch(r"(.*?)(?: \(([^()]*)\))?", subject)
    if not m:
        return subject, ""
    return m.group(1), m.group(2) or ""


def _noun(label: str, product: str) -> str:
    noun = _NOUNS.get(label, label)
    return f"{product} {noun}" if product else noun


def _change_clause(change: MilestoneChange) -> Clause | None:
    label, product = _split_subject(change.subject)
    noun = _noun(label, product)
    kind = change.change
    if kind == "delayed":
        if change.before:
            return Clause(1, f"{noun} slips past {change.before}")
        return Clause(1, f"{noun} delayed")
    if kind == "at_risk":
        return Clause(1, f"{noun} at risk" + (f" ({change.after})" if change.after else ""))
    if kind == "abandoned":
        if label == "development program":
            return Clause(1, f"{product or 'a program'} discontinued")
        return Clause(1, f"{noun} abandoned")
    if kind == "moved":
        return Clause(
            2, f"{noun} moved up to {change.after}" if change.after else f"{noun} moved up"
        )
    if kind in ("new", "achieved"):
        rest = change.summary.removeprefix(f"{label}: ") if kind == "new" else ""
        if kind == "achieved" or rest.startswith(("received", "placed")):
            done = _DONE.get(label)
            if done is None:
                return Clause(6, f"{noun} done")
            text = done.format(
                p_=f"{product} " if product else "",
                for_p=f" for {product}" if product else "",
                on_p=f" on {product}" if product else "",
            )
            return Clause(2 if label in _REGULATORY_EVENTS else 6, text)
        when = f" ({change.after})" if change.after else ""
        if rest.startswith("at risk"):
            return Clause(1, f"{noun} at risk{when}")
        if rest.startswith("delayed"):
            return Clause(1, f"{noun} delayed{when}")
        if rest.startswith("abandoned"):
            return Clause(1, f"{noun} abandoned")
        # A new target date is a commitment analysts model: above financing terms.
        return Clause(2, f"{noun} planned" + (f" for {change.after}" if change.after else ""))
    if kind == "runway":
        return Clause(5, f"cash funds operations {change.after}".strip())
    if kind == "runway_changed":
        word = "shortened" if "shortened" in change.summary else "extended"
        if "shortened" not in change.summary and "extended" not in change.summary:
            word = "now"
        return Clause(5, f"cash runway {word} {'to ' if word != 'now' else ''}{change.after}")
    if kind == "financing_need":
        return Clause(5, f"needs {_money_words(change.after)} more financing")
    if kind == "financing_need_changed":
        return Clause(5, f"financing need now {_money_words(change.after)}")
    return None


def _money_words(text: str) -> str:
    return compact_money(Fact("money", text, text))


def _first(facts: tuple[Fact, ...], kind: str) -> Fact | None:
    return next((f for f in facts if f.kind == kind), None)


def _offering_clause(alert: Alert) -> Clause | None:
    facts = alert.facts
    size = _first(facts, "gross_proceeds") or _first(facts, "offering_amount")
    shares = _first(facts, "shares_offered")
    price = _first(facts, "share_price")
    warrant_price = _first(facts, "warrant_exercise_price")
    warrants = _first(facts, "warrant_shares")
    if not (size or shares):
        return None
    form = alert.form.upper()
    if form.startswith("424B"):
        verb, what = "prices", "registered offering"
    elif form.startswith(PROSPECTUS_FORMS):
        verb, what = "files for", "offering"
    else:
        verb, what = "announces", "offering"
    head = f"{verb} {compact_money(size)} {what}" if size else f"{verb} {what}"
    terms = []
    if shares:
        count = f"{shares.value:,}" if isinstance(shares.value, int) else shares.text
        terms.append(f"{count} shares" + (f" at {price.text}" if price else ""))
    if warrant_price:
        terms.append(f"warrants at {warrant_price.text}")
    elif warrants:
        count = f"{warrants.value:,}" if isinstance(warrants.value, int) else warrants.text
        terms.append(f"warrants for {count} shares")
    return Clause(3, head + (f": {', '.join(terms)}" if terms else ""), verb=True)


def _workforce_clause(alert: Alert) -> Clause | None:
    pct = _first(alert.facts, "workforce_reduction_percent")
    heads = _first(alert.facts, "workforce_reduction_headcount")
    if pct:
        return Clause(4, f"{pct.value}% workforce cut")
    if heads:
        count = f"{heads.value:,}" if isinstance(heads.value, int) else heads.text
        return Clause(4, f"{count} jobs cut")
    if "workforce" in alert.categories:
        return Clause(4, "workforce cut")
    return None


def _results_clause(alert: Alert) -> Clause | None:
    if "results" not in alert.categories:
        return None
    parts = []
    loss = _first(alert.facts, "net_loss")
    revenue = _first(alert.facts, "revenue")
    if loss:
        parts.append(f"net loss {compact_money(loss)}")
    if revenue:
        parts.append(f"revenue {compact_money(revenue)}")
    return Clause(8, "reports results" + (f": {', '.join(parts)}" if parts else ""), verb=True)


def _fda_update(alert: Alert) -> str:
    """What an FDA filing is about, from its facts: "FDA update: complete response letter
    (Proellex)"; the words are the filing's, so nothing is claimed beyond the topic."""
    topic = _first(alert.facts, "milestone")
    product = _first(alert.facts, "product")
    text = "FDA update"
    if topic:
        words = str(topic.value).split()
        if len(words) > 1:  # "COMPLETE RESPONSE LETTER" -> "complete response letter"
            words = [w.lower() if len(w) > 3 else w for w in words]
        text += f": {' '.join(words)}"
        if product:
            text += f" ({product.value})"
    return text


def clauses(alert: Alert) -> list[Clause]:
    """Every clause the alert supports, most important first.

    In a prospectus, everything beyond the offering and the ledger's news is a recap of
    what the company already announced (its "Recent Developments"), so it stays out.
    """
    found: list[Clause] = []
    for change in alert.changes:
        clause = _change_clause(change)
        if clause and clause.text not in (c.text for c in found):
            found.append(clause)
    placed = any(c.rank != 5 for c in found)  # the ledger said something about a milestone
    offering = _offering_clause(alert) if "financing" in alert.categories else None
    if offering:
        found.append(offering)
    if not alert.form.upper().startswith(PROSPECTUS_FORMS) or not offering:
        extra = [_workforce_clause(alert)]
        if "leadership" in alert.categories:
            extra.append(Clause(7, "officer change"))
        extra.append(_results_clause(alert))
        if "legal" in alert.categories:
            extra.append(Clause(9, "legal matter"))
        found += [c for c in extra if c]
    recap = bool(offering) and alert.form.upper().startswith(PROSPECTUS_FORMS)
    if "fda" in alert.categories and not recap and not placed:
        found.append(Clause(2, _fda_update(alert)))  # FDA news the ledger could not place
    if not found and "financing" in alert.categories:
        found.append(Clause(6, "financing update"))
    return sorted(found, key=lambda c: c.rank)


def headline(alert: Alert, room: int = 150) -> str:
    """One sentence, at most `room` characters, that says the news."""
    name = short_name(alert.company)
    chosen = clauses(alert)
    if not chosen:
        text = f"{name} files {alert.form}" if alert.categories == () else f"{name}: filing"
        return _cut(text, room)

    def sentence(parts: list[Clause]) -> str:
        body = "; ".join(c.text for c in parts)
        return f"{name} {body}" if parts[0].verb else f"{name}: {body}"

    taken = [chosen[0]]
    for clause in chosen[1:]:
        if len(taken) == MAX_CLAUSES:
            break
        if len(sentence([*taken, clause])) <= room:
            taken.append(clause)
    return _cut(sentence(taken), room)


def _cut(text: str, room: int) -> str:
    if len(text) <= room:
        return text
    cut = text[: room - 1].rsplit(" ", 1)[0].rstrip(" ;:,")
    return cut + "…"
