"""Text extraction and classification take time linear in the input, for every pattern.

The red-team run (issue 12, item 2) found a document of blank lines that took 88 s at
200 KB: a pattern in the plain-text extraction backtracked. These tests feed every regular
expression the extraction and the classifier use (the rules loaded the way the engine
loads them, so a rule added later is covered too) inputs made to provoke backtracking,
and compare the time at n and 8n characters. Only the ratio is asserted, never a speed:
linear work gives about 8, quadratic about 64; caches and memory allocation on a busy
machine were seen to add a factor of up to 3, so the bound is 32, and a measurement over
it is repeated before it counts. Absolute figures are in bench/RESULTS.md.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tracker.classify.engine import classify_text
from tracker.classify.gates import required_words
from tracker.classify.rules import load_rules
from tracker.edgar.text import extract, html_to_text, plain_to_text

GROWTH = 8  # the larger input is this many times the smaller
RATIO = 32.0  # linear: ~8; quadratic: ~64
FLOOR = 0.002  # seconds: below this at 8n nothing quadratic ran at these sizes
TRIES = 3

# Runs of whitespace of every kind, digits, words without sentence ends.
UNITS = [
    "\n",
    "\r\n",
    " \n",
    "\n ",
    "\u3000",
    "\u3000\n",
    "\t\f",
    "\t\n\f\n",
    " ",
    "\xa0",
    "1",
    "1,",
    "9 ",
    "$1,",
    "0.",
    ". ",
    "....",
    "a ",
    "the company ",
    "<",
    "<p",
    "<hr ",
    "<PAGE>\n",
    "Item 1 ",
    "(",
    " - ",
    " (1) ",
]
MODULES = [
    "tracker.edgar.text",
    "tracker.edgar.feeds",
    "tracker.edgar.documents",
    "tracker.classify.sentences",
    "tracker.classify.dates",
    "tracker.classify.engine",
    "tracker.classify.facts",
    "tracker.milestones.statements",
    "tracker.milestones.dates",
    "tracker.milestones.products",
]


def _patterns_in(obj: Any, path: str) -> Iterator[tuple[str, re.Pattern[Any]]]:
    if isinstance(obj, re.Pattern):
        yield path, obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _patterns_in(getattr(obj, f.name), f"{path}.{f.name}")
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _patterns_in(value, f"{path}[{key}]")
    elif isinstance(obj, list | tuple | set | frozenset):
        for i, value in enumerate(obj):
            yield from _patterns_in(value, f"{path}[{i}]")


def all_patterns() -> list[tuple[str, re.Pattern[Any]]]:
    found = dict(_patterns_in(load_rules(), "rules"))
    for name in MODULES:
        for attr, value in vars(importlib.import_module(name)).items():
            if isinstance(value, re.Pattern):
                found[f"{name}.{attr}"] = value
    return sorted(found.items())


def units_for(pattern: re.Pattern[Any]) -> list[str]:
    """The generic units, and the pattern's own trigger words repeated without a break."""
    words: list[str] = []
    if isinstance(pattern.pattern, str):
        words = list(required_words(pattern.pattern, pattern.flags))[:4]
    return UNITS + [f"{w} " for w in words] + words[:2] + [f"{w}\n" for w in words[:1]]


def seconds(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def grows_linearly(make: Callable[[int], Callable[[], object]], n: int) -> tuple[bool, str]:
    """Whether the work at 8n is at most RATIO times that at n (measured up to TRIES times)."""
    detail = ""
    for _ in range(TRIES):
        small, big = seconds(make(n)), seconds(make(GROWTH * n))
        if big < FLOOR or big <= RATIO * small:
            return True, ""
        detail = f"{small * 1000:.2f} ms at {n}, {big * 1000:.2f} ms at {GROWTH * n}"
    return False, detail


def _runner(pattern: re.Pattern[Any], unit: str) -> Callable[[int], Callable[[], object]]:
    def make(n: int) -> Callable[[], object]:
        text: Any = unit * (n // len(unit))
        if isinstance(pattern.pattern, bytes):
            text = text.encode("utf-8")
        return lambda: [pattern.search(text), sum(1 for _ in pattern.finditer(text))]

    return make


PATTERNS = all_patterns()


def test_the_patterns_are_found() -> None:
    names = [name for name, _ in PATTERNS]
    assert len(names) > 50
    assert any(name.startswith("rules.") for name in names)
    assert "tracker.edgar.text._PAGE_MARK_RE" in names
    assert "tracker.milestones.statements._CLAUSE_RE" in names


@pytest.mark.parametrize("name", [name for name, _ in PATTERNS])
def test_every_pattern_is_linear_on_pathological_input(name: str) -> None:
    pattern = dict(PATTERNS)[name]
    slow = []
    for unit in units_for(pattern):
        ok, detail = grows_linearly(_runner(pattern, unit), 1000)
        if not ok:
            slow.append(f"{unit!r}: {detail}")
    assert not slow, f"{name} grows faster than linearly on runs of " + "; ".join(slow)


EXTRACTORS: dict[str, Callable[[str], object]] = {
    "plain_to_text": plain_to_text,
    "html_to_text": html_to_text,
    "extract": lambda text: extract(text.encode("utf-8")),
    "classify": lambda text: classify_text(text, form="8-K"),
    "classify_extracted": lambda text: classify_text(plain_to_text(text), form="424B5"),
}
DOCUMENT_UNITS = [
    "\n",
    "\r\n",
    " \n",
    "\u3000\n",
    "\t\f\n",
    "complete response letter ",
    "offering of $1,000,000 ",
    "1" * 50 + " ",
    "reduction in force of 35% ",
    "Item 2.02 ",
    "....",
]


@pytest.mark.parametrize("what", sorted(EXTRACTORS))
def test_extraction_and_classification_are_linear_end_to_end(what: str) -> None:
    run = EXTRACTORS[what]
    slow = []
    for unit in DOCUMENT_UNITS:
        ok, detail = grows_linearly(
            lambda n, unit=unit: lambda: run(unit * (n // len(unit))),  # type: ignore[misc]
            25_000,
        )
        if not ok:
            slow.append(f"{unit!r}: {detail}")
    assert not slow, f"{what} grows faster than linearly on " + "; ".join(slow)


def test_a_400_digit_amount_is_kept_as_text_not_a_crash() -> None:
    amount = "9" * 400
    result = classify_text(
        f"The company reported a net loss of ${amount} million for the quarter. "
        f"It sold {amount} shares in a registered direct offering for gross proceeds of "
        f"${amount}.",
        form="8-K",
    )
    assert result.categories  # classified, not raised
    assert any(amount in str(f.value) or amount in f.text for f in result.facts)
