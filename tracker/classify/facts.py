"""Facts read from sentences: amounts, percentages, dates, names, with their source words."""

from __future__ import annotations

import re
from collections.abc import Iterable

from tracker.classify.gates import WordFinder, opens
from tracker.classify.rules import FactRule
from tracker.models import Fact

_SCALE = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
MAX_FACTS_PER_KIND = 5


def parse_money(text: str) -> float | int | None:
    m = re.search(r"\$\s?(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion)?", text, re.I)
    if not m:
        return None
    amount = float(m.group(1).replace(",", ""))
    amount *= _SCALE.get((m.group(2) or "").lower(), 1)
    return int(amount) if amount == int(amount) else round(amount, 2)


def parse_count(text: str) -> int | None:
    m = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(million)?", text, re.I)
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    if m.group(2):
        value *= 1_000_000
    return int(value)


def _value(rule: FactRule, raw: str) -> str | int | float | None:
    if rule.value_type == "money":
        return parse_money(raw)
    if rule.value_type == "int":
        return parse_count(raw)
    if rule.value_type == "percent":
        number = float(raw)
        return int(number) if number == int(number) else number
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
