"""Load and validate the classification rules file (tracker/data/rules.toml).

Rules are data so an analyst can read and extend them; a bad rule is reported
with its place in the file instead of failing at match time.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tracker.classify.gates import WordFinder, required_words, union_gate
from tracker.models import CATEGORIES

FACT_TYPES = ("percent", "int", "money", "text")


class RulesError(ValueError):
    """The rules file is invalid; the message names the file and the rule."""


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    weight: float
    gate: tuple[str, ...] = ()  # one of these must be in the text, or the regex cannot match


@dataclass(frozen=True)
class FactRule:
    kind: str
    value_type: str
    regex: re.Pattern[str]
    gate: tuple[str, ...] = ()
    gate_on_lower: bool = True  # the gate is checked against lower-cased text


@dataclass(frozen=True)
class Rules:
    threshold: float
    resume_sections: re.Pattern[str] | None
    stale: re.Pattern[str] | None
    stale_factor: float
    skip_sections: tuple[re.Pattern[str], ...]
    skip_sentences: re.Pattern[str]
    masks: tuple[Pattern, ...]  # phrases blanked out, each with its gate (weight unused)
    patterns: dict[str, tuple[Pattern, ...]]
    vetoes: dict[str, re.Pattern[str]]
    category_gates: dict[str, tuple[str, ...]]
    finder: WordFinder  # finds the lower-case gate words of every rule in one pass
    prospectus_forms: tuple[str, ...]
    prospectus_news: re.Pattern[str] | None
    prospectus_everywhere: tuple[str, ...]
    forms: dict[str, dict[str, float]]
    modern_items: dict[str, dict[str, float]]
    legacy_items: dict[str, dict[str, float]]
    facts: tuple[FactRule, ...]


def lower_pattern(pattern: str) -> str:
    """The pattern with its literals in lower case, escapes (\\S, \\D, \\B) untouched.

    Matching lower-cased text without re.IGNORECASE is two to three times faster
    in Python's regex engine, and classification reads megabytes of text.
    """
    out = []
    escaped = False
    for ch in pattern:
        out.append(ch if escaped else ch.lower())
        escaped = not escaped and ch == "\\"
    return "".join(out)


def _compile(
    pattern: Any, where: str, path: str, flags: int = 0, lower: bool = True
) -> re.Pattern[str]:
    """Compile a rule; `lower` rules are matched against lower-cased text."""
    if not isinstance(pattern, str) or not pattern:
        raise RulesError(f"{path}: {where}: pattern must be a non-empty string")
    try:
        return re.compile(lower_pattern(pattern) if lower else pattern, flags)
    except re.error as exc:
        raise RulesError(f"{path}: {where}: bad regular expression: {exc}") from None


def _weights(table: Any, where: str, path: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    if not isinstance(table, dict):
        raise RulesError(f"{path}: {where} must be a table")
    for key, value in table.items():
        if not isinstance(value, dict):
            raise RulesError(f"{path}: {where}.{key} must map categories to weights")
        for cat, weight in value.items():
            if cat not in CATEGORIES:
                raise RulesError(f"{path}: {where}.{key}: unknown category {cat!r}")
            if not isinstance(weight, int | float):
                raise RulesError(f"{path}: {where}.{key}.{cat}: weight must be a number")
        out[key.upper()] = {c: float(w) for c, w in value.items()}
    return out


def parse_rules(text: str, path: str = "rules.toml") -> Rules:
    """Validate a rules document; raises RulesError naming the file and rule."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: invalid TOML: {exc}") from None
    known = {
        "threshold",
        "resume_sections",
        "prospectus",
        "stale",
        "stale_factor",
        "skip_sections",
        "skip_sentences",
        "mask",
        "categories",
        "forms",
        "items",
        "facts",
    }
    for key in raw:
        if key not in known:
            raise RulesError(f"{path}: unknown key {key!r}")
    patterns: dict[str, tuple[Pattern, ...]] = {}
    vetoes: dict[str, re.Pattern[str]] = {}
    for cat, table in raw.get("categories", {}).items():
        if cat not in CATEGORIES:
            raise RulesError(f"{path}: categories.{cat}: unknown category")
        for key in table:
            if key not in ("patterns", "veto"):
                raise RulesError(f"{path}: categories.{cat}: unknown key {key!r}")
        if "veto" in table:
            vetoes[cat] = _compile(table["veto"], f"categories.{cat}.veto", path)
        items = []
        for i, p in enumerate(table.get("patterns", [])):
            where = f"categories.{cat}.patterns[{i}]"
            weight = p.get("weight")
            if not isinstance(weight, int | float) or weight <= 0:
                raise RulesError(f"{path}: {where}: weight must be a positive number")
            regex = _compile(p.get("pattern"), where, path)
            items.append(Pattern(regex, float(weight), required_words(regex.pattern)))
        # Strongest first: the first pattern that matches gives the sentence its weight.
        patterns[cat] = tuple(sorted(items, key=lambda p: -p.weight))
    facts = []
    for i, f in enumerate(raw.get("facts", [])):
        where = f"facts[{i}]"
        if f.get("type") not in FACT_TYPES:
            raise RulesError(f"{path}: {where}: type must be one of {', '.join(FACT_TYPES)}")
        if not isinstance(f.get("kind"), str):
            raise RulesError(f"{path}: {where}: kind must be a string")
        # Facts keep the original case: their values are shown to people.
        regex = _compile(f.get("pattern"), where, path, 0 if f.get("case") else re.I, lower=False)
        if "value" not in regex.groupindex:
            raise RulesError(f"{path}: {where}: pattern needs a named group (?P<value>...)")
        gate = required_words(regex.pattern, regex.flags)
        case = bool(f.get("case"))
        facts.append(
            FactRule(
                f["kind"],
                f["type"],
                regex,
                gate if case else tuple(w.lower() for w in gate),
                not case,
            )
        )
    stale = raw.get("stale")
    joined_skip = "|".join(f"(?:{s})" for s in raw.get("skip_sentences", [])) or r"(?!x)x"
    masks = []
    for i, phrase in enumerate(raw.get("mask", [])):
        regex = _compile(phrase, f"mask[{i}]", path, re.M)
        masks.append(Pattern(regex, 0.0, required_words(regex.pattern)))
    items = raw.get("items", {})
    resume = raw.get("resume_sections")
    prospectus = raw.get("prospectus", {})
    news = prospectus.get("news_sections")
    everywhere = tuple(prospectus.get("news_categories_everywhere", ["financing"]))
    for cat in everywhere:
        if cat not in CATEGORIES:
            raise RulesError(f"{path}: prospectus.news_categories_everywhere: unknown {cat!r}")
    return Rules(
        threshold=float(raw.get("threshold", 2.5)),
        resume_sections=_compile(resume, "resume_sections", path) if resume else None,
        stale=_compile(stale, "stale", path) if stale else None,
        stale_factor=float(raw.get("stale_factor", 0.5)),
        skip_sections=tuple(
            _compile(s, f"skip_sections[{i}]", path)
            for i, s in enumerate(raw.get("skip_sections", []))
        ),
        skip_sentences=_compile(joined_skip, "skip_sentences", path),
        masks=tuple(masks),
        patterns=patterns,
        vetoes=vetoes,
        category_gates={cat: union_gate(p.gate for p in ps) for cat, ps in patterns.items()},
        finder=WordFinder(
            [w for ps in patterns.values() for p in ps for w in p.gate]
            + [w for m in masks for w in m.gate]
            + [w for f in facts if f.gate_on_lower for w in f.gate]
        ),
        prospectus_forms=tuple(f.upper() for f in prospectus.get("forms", [])),
        prospectus_news=_compile(news, "prospectus.news_sections", path) if news else None,
        prospectus_everywhere=everywhere,
        forms=_weights(raw.get("forms", {}), "forms", path),
        modern_items=_weights(items.get("modern", {}), "items.modern", path),
        legacy_items=_weights(items.get("legacy", {}), "items.legacy", path),
        facts=tuple(facts),
    )


@cache
def load_rules(path: str | None = None) -> Rules:
    """The rules in `path`, or the bundled ones."""
    if path:
        return parse_rules(Path(path).read_text(encoding="utf-8"), path)
    text = resources.files("tracker").joinpath("data", "rules.toml").read_text(encoding="utf-8")
    return parse_rules(text, "tracker/data/rules.toml")
