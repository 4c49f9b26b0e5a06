"""Cheap pre-checks for regular expressions: words a pattern cannot match without.

A rule such as `\\b(gross|net|aggregate) proceeds\\b` can only match a sentence that
contains " proceeds"; checking that with `in` costs a fraction of running the regex,
and most sentences fail most rules. The words are read from the pattern itself (with
the standard library's own regex parser), so rule authors never keep them in sync.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# The standard library's own regex parser (public as sre_parse until 3.11, which now
# warns on import). Typeshed does not describe it, hence Any. If a future Python
# changes it, required_words() returns () and rules simply run without a gate.
_parser: Any = importlib.import_module("re._parser")
c: Any = importlib.import_module("re._constants")

MAX_ALTERNATIVES = 64
MIN_LENGTH = 3


def required_words(pattern: str, flags: int = 0) -> tuple[str, ...]:
    """Strings at least one of which every match contains; () when none can be told."""
    try:
        tree = _parser.parse(pattern, flags)
    except Exception:  # an unusual pattern only loses its shortcut
        return ()
    best = _best(list(tree))
    if not best or min(len(w) for w in best) < MIN_LENGTH:
        return ()
    # A word that contains another word of the set adds nothing to the check.
    return tuple(sorted(w for w in best if not any(v != w and v in w for v in best)))


def _literals(seq: list[Any]) -> set[str] | None:
    """All strings `seq` can match, when it is made of literals and alternations only."""
    current = {""}
    for op, av in seq:
        if op is c.LITERAL:
            current = {s + chr(av) for s in current}
        elif op is c.AT:
            continue
        elif op is c.SUBPATTERN:
            inner = _literals(list(av[3]))
            if inner is None:
                return None
            current = {s + t for s in current for t in inner}
        elif op is c.BRANCH:
            options: set[str] = set()
            for alternative in av[1]:
                inner = _literals(list(alternative))
                if inner is None:
                    return None
                options |= inner
            current = {s + t for s in current for t in options}
        else:
            return None
        if len(current) > MAX_ALTERNATIVES:
            return None
    return current


def _best(seq: list[Any]) -> set[str] | None:
    """The most selective set of required strings found along a sequence."""
    candidates: list[set[str]] = []
    current = {""}

    def flush() -> None:
        nonlocal current
        if all(current):
            candidates.append(current)
        current = {""}

    for op, av in seq:
        if op is c.AT:
            continue
        if op is c.LITERAL:
            current = {s + chr(av) for s in current}
            continue
        inner_seq = list(av[3]) if op is c.SUBPATTERN else None
        literal = (
            _literals(inner_seq)
            if inner_seq is not None
            else (_literals([(op, av)]) if op is c.BRANCH else None)
        )
        if literal is not None and len(current) * len(literal) <= MAX_ALTERNATIVES:
            current = {s + t for s in current for t in literal}
            continue
        flush()
        if inner_seq is not None:
            found = _best(inner_seq)
            if found:
                candidates.append(found)
        elif op is c.BRANCH:
            parts = [_best(list(alternative)) for alternative in av[1]]
            union: set[str] = set()
            for part in parts:
                if not part:
                    break
                union |= part
            else:
                candidates.append(union)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            found = _best(list(av[2]))
            if found:
                candidates.append(found)
    flush()
    usable = [s for s in candidates if min(len(w) for w in s) >= MIN_LENGTH]
    if not usable:
        return None
    # Each word costs one `in` check: fewest words first, then the most selective.
    return min(usable, key=lambda s: (len(s), -min(len(w) for w in s)))


def union_gate(gates: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    """One gate for several patterns: () if any of them cannot be gated."""
    words: set[str] = set()
    for gate in gates:
        if not gate:
            return ()
        words.update(gate)
    return tuple(sorted(w for w in words if not any(v != w and v in w for v in words)))


class WordFinder:
    """Every gate word in a text, in one pass (Aho-Corasick, in Rust).

    One pass finds the words of all rules at once; checking each rule's words with
    `in` cost more than the regular expressions they guard.
    """

    def __init__(self, words: Iterable[str]):
        import ahocorasick_rs

        self.words = sorted(set(words))
        self._automaton = (
            ahocorasick_rs.AhoCorasick(self.words, matchkind=ahocorasick_rs.MatchKind.Standard)
            if self.words
            else None
        )

    def found(self, text: str) -> frozenset[str]:
        if self._automaton is None:
            return frozenset()
        return frozenset(self._automaton.find_matches_as_strings(text, overlapping=True))


def opens(gate: tuple[str, ...], found: frozenset[str]) -> bool:
    """A rule may match only if one of its gate words was found (or it has no gate)."""
    return not gate or not found.isdisjoint(gate)


@dataclass(frozen=True)
class GateIndex:
    """Which of a list of rules a sentence can open, from the gate words found in it.

    Asking every pattern of a category in turn cost more than the patterns did once a
    category had thirty of them: the found words are few, so the index is read from them
    instead. (Masks and contexts are fewer; asking each in turn measured no slower.)
    """

    always: tuple[int, ...]  # rules without a gate
    by_word: dict[str, tuple[int, ...]]

    @classmethod
    def of(cls, gates: Iterable[tuple[str, ...]]) -> GateIndex:
        always: list[int] = []
        by_word: dict[str, list[int]] = {}
        for i, gate in enumerate(gates):
            if not gate:
                always.append(i)
            for word in gate:
                by_word.setdefault(word, []).append(i)
        return cls(tuple(always), {w: tuple(ix) for w, ix in by_word.items()})

    def open(self, found: frozenset[str]) -> list[int]:
        """The rules whose gate opens, in their order."""
        hits = set(self.always)
        for word in found:
            hits.update(self.by_word.get(word, ()))
        return sorted(hits)
