"""Facts read from sentences: amounts, percentages, dates, names, with their source words."""

from __future__ import annotations

import re
from collections.abc import Iterable

from tracker.classify.gates import WordFinder, opens
from tracker.classify.rules import FactRule
from tracker.models import Fact

_SCALE = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
MAX_FACTS_PER_KIND = 5


# Amounts past this are kept as the words the filing used, not as numbers: a float
# of a 400-digit run is inf (and int(inf) raises), and no filing means a sum that large.
MAX_AMOUNT = 10**15
MAX_DIGITS = 20


def _number(digits: str, scale: int = 1) -> float | int | None:
    """A decimal string times a scale, or None when it does not fit a sane amount."""
    plain = digits.replace(",", "")
    if len(plain.split(".")[0]) > MAX_DIGITS:
        return None
    amount = float(plain) * scale
    if not amount < MAX_AMOUNT:  # also false for inf and nan
        return None
    return int(amount) if amount == int(amount) else round(amount, 2)


def parse_money(text: str) -> float | int | None:
    """The first dollar amount in `text`; None for none, or one too large to be a number."""
    m = re.search(r"\$\s?(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion)?", text, re.I)
    if not m:
        return None
    return _number(m.group(1), _SCALE.get((m.group(2) or "").lower(), 1))


def parse_count(text: str) -> int | None:
    """The first count in `text` ("3,333,333", "2.5 million"); None for none or too large."""
    m = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(million)?", text, re.I)
    if not m:
        return None
    value = _number(m.group(1), 1_000_000 if m.group(2) else 1)
    return None if value is None else int(value)


def _value(rule: FactRule, raw: str) -> str | int | float | None:
    """The fact's value; an amount too large to be a number is kept as its text."""
    if rule.value_type == "money":
        money = parse_money(raw)
        return money if money is not None else " ".join(raw.split())
    if rule.value_type == "int":
        count = parse_count(raw)
        return count if count is not None else " ".join(raw.split())
    if rule.value_type == "percent":
        number = _number(raw)
        return raw if number is None else number
    return " ".join(raw.split())


def extract_facts(
    rules: Iterable[FactRule], sentences: Iterable[str], finder: WordFinder | None = None
) -> list[Fact]:
    """Facts from sentences, first occurrence of each (kind, value) kept."""
    facts: list[Fact] = []
    seen: set[tuple[str, str]] = set()
    per_kind: dict[str, int] = {}
    rule_list = list(rules)
    # With a finder, only the rules one of whose gate words is in the sentence are tried.
    by_word: dict[str, list[int]] = {}
    always = []
    for index, rule in enumerate(rule_list):
        if finder is not None and rule.gate and rule.gate_on_lower:
            for word in rule.gate:
                by_word.setdefault(word, []).append(index)
        else:
            always.append(index)
    for sentence in sentences:
        lower = sentence.lower()
        found = finder.found(lower) if finder is not None else None
        if found is None:
            candidates = rule_list
        else:
            indexes = set(always)
            for word in found:
                indexes.update(by_word.get(word, ()))
            candidates = [rule_list[i] for i in sorted(indexes)]
        for rule in candidates:
            if per_kind.get(rule.kind, 0) >= MAX_FACTS_PER_KIND:
                continue
            if rule.gate:
                if rule.gate_on_lower and found is not None:
                    if not opens(rule.gate, found):
                        continue
                else:
                    text = lower if rule.gate_on_lower else sentence
                    if not any(w in text for w in rule.gate):
                        continue
            for m in rule.regex.finditer(sentence):
                raw = next(
                    (v for k, v in m.groupdict().items() if k.startswith("value") and v), None
                )
                if raw is None:
                    continue
                value = _value(rule, raw)
                if value is None:
                    continue
                key = (rule.kind, str(value).lower())
                if key in seen:
                    continue
                seen.add(key)
                per_kind[rule.kind] = per_kind.get(rule.kind, 0) + 1
                text = raw if rule.value_type in ("money", "text") else m.group(0)
                if rule.value_type == "percent":
                    text = _percent_text(m.group(0), raw)
                facts.append(Fact(rule.kind, value, " ".join(text.split())))
    return facts


def _percent_text(match: str, raw: str) -> str:
    m = re.search(re.escape(raw) + r"\s*(%|percent)", match)
    return m.group(0) if m else match
