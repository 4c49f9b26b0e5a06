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

from tracker.classify.gates import GateIndex, WordFinder, required_words, union_gate
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
class Veto:
    """Words that take a pattern's match away, judged in the match's own clause.

    scope "clause": anywhere in the clause of the match ("the court" next to the FDA);
    scope "before": only where they begin before the match in its clause, so they
    govern it ("subject to FDA approval" is a condition; "the FDA approved X, subject
    to a post-marketing study" is an approval).
    """

    regex: re.Pattern[str]
    scope: str
    gate: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """A part of a document whose sentences do not count for some categories.

    `on` says what recognises it: a section heading, any sentence, a paragraph's
    opening sentence, or the document's opening (first OPENING_CHARS characters).
    `extent` says how long it lasts: the sentence, the rest of the paragraph, the
    section (until the next major heading), or the whole document.
    """

    name: str
    on: str
    regex: re.Pattern[str]
    extent: str
    mute: frozenset[str]
    gate: tuple[str, ...] = ()


CONTEXT_ON = ("heading", "sentence", "opening", "document")
CONTEXT_EXTENT = ("sentence", "paragraph", "section", "document")
VETO_SCOPES = ("clause", "before")


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
    contexts: tuple[Context, ...]
    clause_breaks: tuple[Pattern, ...]  # places where one clause ends and another begins
    clause_bounds: re.Pattern[str]  # clause boundaries a veto does not reach across
    history_days: int  # a sentence dated only this long before the document is history
    masks: tuple[Pattern, ...]  # phrases blanked out, each with its gate (weight unused)
    patterns: dict[str, tuple[Pattern, ...]]
    vetoes: dict[str, tuple[Veto, ...]]
    category_gates: dict[str, tuple[str, ...]]
    finder: WordFinder  # finds the lower-case gate words of every rule in one pass
    prospectus_forms: tuple[str, ...]
    prospectus_news: re.Pattern[str] | None
    prospectus_everywhere: tuple[str, ...]
    forms: dict[str, dict[str, float]]
    modern_items: dict[str, dict[str, float]]
    legacy_items: dict[str, dict[str, float]]
    facts: tuple[FactRule, ...]
    pattern_index: dict[str, GateIndex]  # per category: which patterns a sentence can open


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
        "context",
        "clause_breaks",
        "clause_bounds",
        "history_days",
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
    vetoes: dict[str, tuple[Veto, ...]] = {}
    for cat, table in raw.get("categories", {}).items():
        if cat not in CATEGORIES:
            raise RulesError(f"{path}: categories.{cat}: unknown category")
        for key in table:
            if key not in ("patterns", "vetoes"):
                raise RulesError(f"{path}: categories.{cat}: unknown key {key!r}")
        cat_vetoes = []
        for i, v in enumerate(table.get("vetoes", [])):
            where = f"categories.{cat}.vetoes[{i}]"
            if not isinstance(v, dict) or v.get("scope") not in VETO_SCOPES:
                raise RulesError(f"{path}: {where}: scope must be one of {', '.join(VETO_SCOPES)}")
            regex = _compile(v.get("pattern"), where, path)
            cat_vetoes.append(Veto(regex, v["scope"], required_words(regex.pattern)))
        vetoes[cat] = tuple(cat_vetoes)
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
    contexts = _contexts(raw.get("context", []), path)
    breaks = []
    for i, phrase in enumerate(raw.get("clause_breaks", [])):
        regex = _compile(phrase, f"clause_breaks[{i}]", path)
        breaks.append(Pattern(regex, 0.0, required_words(regex.pattern)))
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
        contexts=contexts,
        clause_breaks=tuple(breaks),
        clause_bounds=_compile(raw.get("clause_bounds", ";"), "clause_bounds", path),
        history_days=int(raw.get("history_days", 0)),
        masks=tuple(masks),
        patterns=patterns,
        vetoes=vetoes,
        category_gates={cat: union_gate(p.gate for p in ps) for cat, ps in patterns.items()},
        pattern_index={cat: GateIndex.of(p.gate for p in ps) for cat, ps in patterns.items()},
        finder=WordFinder(
            [w for ps in patterns.values() for p in ps for w in p.gate]
            + [w for m in masks for w in m.gate]
            + [w for b in breaks for w in b.gate]
            + [w for ctx in contexts for w in ctx.gate]
            + [w for vs in vetoes.values() for v in vs for w in v.gate]
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


def _contexts(table: Any, path: str) -> tuple[Context, ...]:
    out = []
    if not isinstance(table, list):
        raise RulesError(f"{path}: context must be an array of tables ([[context]])")
    for i, ctx in enumerate(table):
        where = f"context[{i}]"
        if not isinstance(ctx, dict):
            raise RulesError(f"{path}: {where} must be a table")
        name = ctx.get("name", where)
        where = f"context[{i}] ({name})"
        unknown = set(ctx) - {"name", "on", "pattern", "extent", "mute", "keep"}
        if unknown:
            raise RulesError(f"{path}: {where}: unknown key {sorted(unknown)[0]!r}")
        on = ctx.get("on")
        if on not in CONTEXT_ON:
            raise RulesError(f"{path}: {where}: on must be one of {', '.join(CONTEXT_ON)}")
        extent = ctx.get("extent", "section" if on == "heading" else "sentence")
        if extent not in CONTEXT_EXTENT:
            raise RulesError(f"{path}: {where}: extent must be one of {', '.join(CONTEXT_EXTENT)}")
        if "mute" in ctx and "keep" in ctx:
            raise RulesError(f"{path}: {where}: give mute or keep, not both")
        listed = ctx.get("mute", ctx.get("keep", []))
        if not isinstance(listed, list) or any(c not in CATEGORIES for c in listed):
            raise RulesError(f"{path}: {where}: mute/keep must list categories")
        if "keep" in ctx:
            mute = frozenset(CATEGORIES) - frozenset(listed)
        else:
            mute = frozenset(listed) if listed else frozenset(CATEGORIES)
        regex = _compile(ctx.get("pattern"), where, path)
        gate = () if on == "document" else required_words(regex.pattern)
        out.append(Context(name, on, regex, extent, mute, gate))
    return tuple(out)


@cache
def load_rules(path: str | None = None) -> Rules:
    """The rules in `path`, or the bundled ones."""
    if path:
        return parse_rules(Path(path).read_text(encoding="utf-8"), path)
    text = resources.files("tracker").joinpath("data", "rules.toml").read_text(encoding="utf-8")
    return parse_rules(text, "tracker/data/rules.toml")
