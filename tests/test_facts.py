"""Facts a financing alert is built on: offering terms, warrants, gross and net proceeds;
and amounts that do not fit a number are kept as text, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.classify import classify_documents
from tracker.classify.facts import extract_facts, parse_count, parse_money
from tracker.classify.rules import load_rules
from tracker.cli import main
from tracker.edgar.text import decode, to_text
from tracker.models import Document, Fact

BIOPURE = Path(__file__).resolve().parents[1] / "tracker" / "data" / "biopure"


def facts_of(*sentences: str) -> list[Fact]:
    rules = load_rules()
    return extract_facts(rules.facts, sentences, rules.finder)


def first(facts: list[Fact] | tuple[Fact, ...], kind: str) -> Fact:
    found = [f for f in facts if f.kind == kind]
    assert found, f"no {kind} in {facts}"
    return found[0]


def test_biopure_prospectus_gives_the_offering_terms() -> None:
    """The 424B5 of 19 Feb 2004: $5.0M, 3,333,333 shares at $1.50, 833,333 warrants at $2.50."""
    path = BIOPURE / "2004-02-19_424b5.txt"
    doc = Document(path.name, "424B5", "file://x", to_text(decode(path.read_bytes())))
    facts = classify_documents([doc], form="424B5").facts
    assert first(facts, "shares_offered").value == 3_333_333
    assert first(facts, "share_price").value == 1.5
    assert first(facts, "warrant_shares").value == 833_333
    assert first(facts, "warrant_exercise_price").value == 2.5
    assert first(facts, "warrant_exercise_price").text == "$2.50"
    assert first(facts, "gross_proceeds").value == 5_000_000
    assert first(facts, "offering_amount").text == "$5.0 million"
    assert not [f for f in facts if f.kind == "net_proceeds"]  # the supplement states none


@pytest.mark.parametrize(
    ("sentence", "kind", "value"),
    [
        (
            "We estimate that the net proceeds to us from this offering will be approximately "
            "$46.2 million, after deducting underwriting discounts and commissions.",
            "net_proceeds",
            46_200_000,
        ),
        ("The gross proceeds of the offering were $50.0 million.", "gross_proceeds", 50_000_000),
        (
            "The offering is expected to result in gross proceeds to the Company of approximately "
            "$12,000,000, before deducting placement agent fees.",
            "gross_proceeds",
            12_000_000,
        ),
        (
            "Each unit consists of one share and a warrant to purchase 0.5 shares at an "
            "exercise price of $3.25 per share.",
            "warrant_exercise_price",
            3.25,
        ),
        (
            "The Company also issued warrants to purchase up to 1,250,000 shares of common stock.",
            "warrant_shares",
            1_250_000,
        ),
    ],
)
def test_proceeds_and_warrant_facts(sentence: str, kind: str, value: float) -> None:
    assert first(facts_of(sentence), kind).value == value


def test_net_proceeds_are_not_the_offering_size() -> None:
    facts = facts_of(
        "We estimate that the net proceeds from this offering will be approximately $4.6 million."
    )
    assert first(facts, "net_proceeds").value == 4_600_000
    assert not [f for f in facts if f.kind == "offering_amount"]


def test_use_of_proceeds_without_an_amount_is_no_fact() -> None:
    facts = facts_of("We intend to use the net proceeds of this offering for general purposes.")
    assert not [f for f in facts if "proceeds" in f.kind]


def test_amounts_too_large_for_a_number_are_kept_as_text() -> None:
    digits = "9" * 400
    assert parse_money("$" + digits) is None
    assert parse_count(digits + " shares") is None
    assert parse_money("$" + "9" * 14 + " billion") is None
    assert parse_money("$5.0 million") == 5_000_000
    facts = facts_of(
        f"The net loss was ${digits}.",
        f"The net proceeds of this offering will be ${digits}.",
        f"The company is offering {digits[:30]},000 shares.",
    )
    loss = first(facts, "net_loss")
    assert loss.value == "$" + digits and loss.text == "$" + digits
    assert first(facts, "net_proceeds").value == "$" + digits


def test_classify_survives_a_400_digit_amount(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """#12 item 7: `tracker classify` used to stop on OverflowError; later files got nothing."""
    huge = tmp_path / "huge.txt"
    huge.write_text(f"Biopure reported a net loss of ${'9' * 400} for the quarter.\n")
    plain = tmp_path / "plain.txt"
    plain.write_text("Biopure reported a net loss of $11.0 million for the quarter.\n")
    assert main(["classify", "--json", str(huge), str(plain)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(d["path"]).name for d in lines] == ["huge.txt", "plain.txt"]
    assert lines[1]["facts"][0]["value"] == 11_000_000
