"""The milestone ledger, replayed the way the pipeline runs it (Poller._update_ledger).

The Biopure filings are the reference case (the demo's headline); tests/sequences holds
fictional companies' filing sequences with the changes each filing must (and must not)
make; see tests/sequences/README.md. Everything here is offline and deterministic.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tracker import milestones
from tracker.classify import classify_documents, engine
from tracker.classify.rules import load_rules
from tracker.classify.sentences import sentences
from tracker.edgar.text import decode, to_text
from tracker.models import Document, MilestoneChange
from tracker.timeline import render_timeline, timeline_rows

ROOT = Path(__file__).resolve().parents[1]
BIOPURE = ROOT / "tracker" / "data" / "biopure"
SEQUENCES = Path(__file__).resolve().parent / "sequences"
_LABELS = {label: kind for kind, label, _ in milestones.KINDS}


# -- replay ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One filing to replay: its documents and identity."""

    documents: tuple[Document, ...]
    form: str
    filed: date
    accession: str


def _document(path: Path, doc_type: str) -> Document:
    """A file read as the pipeline reads a fetched document."""
    return Document(path.name, doc_type, f"file://{path}", to_text(decode(path.read_bytes())))


def content_texts(documents: tuple[Document, ...]) -> list[str]:
    """The sentences the pipeline hands the ledger: boilerplate sections and disclaimers
    left out. Follows the pipeline's filter (`content_sentences`, or `_skipped` before it)."""
    rules = load_rules()
    content = getattr(engine, "content_sentences", None)
    if content is not None:
        return [s.text for d in documents for s in content(rules, d.text)]
    skipped = engine._skipped  # type: ignore[attr-defined]
    return [s.text for d in documents for s in sentences(d.text) if not skipped(rules, s)]


def replay(
    entries: list[dict[str, Any]], step: Step, previous_filed: date | None = None
) -> tuple[list[MilestoneChange], list[dict[str, Any]]]:
    """One filing through classify -> milestones.update, as Poller._update_ledger does it.

    `previous_filed` is the date of the company's filing before this one (the pipeline
    reads it from the seen filings): events older than it are restatements, not news.
    """
    result = classify_documents(step.documents, form=step.form, filed=step.filed)
    return milestones.update(
        entries,
        content_texts(step.documents),
        result.facts,
        accession=step.accession,
        filed=step.filed,
        previous_filed=previous_filed,
    )


def parse_subject(change: MilestoneChange) -> tuple[str, str]:
    """(kind, product) from "label (product)"; ("", "") for the finance changes."""
    if change.change.startswith(("runway", "financing_need")):
        return "", ""
    m = re.fullmatch(r"(?P<label>.*?)(?: \((?P<product>[^()]*)\))?", change.subject)
    assert m, change.subject
    return _LABELS.get(m.group("label"), m.group("label")), m.group("product") or ""


def triples(changes: list[MilestoneChange]) -> list[tuple[str, str, str]]:
    return [(c.change, *parse_subject(c)) for c in changes]


def _show(changes: list[MilestoneChange]) -> str:
    return "\n".join(f"  {c.change}: {c.subject} | {c.summary}" for c in changes) or "  (none)"


# -- Biopure -----------------------------------------------------------------------------------


def biopure_steps() -> list[Step]:
    """The demo's four filings, with the demo's accession numbers."""

    def eight_k(day: str, accession: str) -> Step:
        return Step(
            (
                _document(BIOPURE / f"{day}_8k.txt", "8-K"),
                _document(BIOPURE / f"{day}_ex99-1.txt", "EX-99.1"),
            ),
            "8-K",
            date.fromisoformat(day),
            accession,
        )

    return [
        eight_k("2003-10-30", "0001047469-03-035512"),
        eight_k("2003-12-11", "0001047469-03-040870"),
        eight_k("2004-02-19", "0001047469-04-004567"),
        Step(
            (_document(BIOPURE / "2004-02-19_424b5.txt", "424B5"),),
            "424B5",
            date(2004, 2, 19),
            "0001047469-04-004571",
        ),
    ]


@pytest.fixture(scope="module")
def biopure() -> list[tuple[list[MilestoneChange], list[dict[str, Any]]]]:
    """(changes, ledger after) for each Biopure filing, in order."""
    out = []
    entries: list[dict[str, Any]] = []
    previous: date | None = None
    for step in biopure_steps():
        changes, entries = replay(entries, step, previous)
        previous = step.filed
        out.append((changes, entries))
    return out


def test_biopure_october_records_the_reply_planned_for_june_2004(biopure: Any) -> None:
    changes, ledger = biopure[0]
    replies = [e for e in ledger if e.get("type") == "milestone" and e["kind"] == "crl_reply"]
    assert len(replies) == 1
    assert replies[0]["product"] == "Hemopure"
    assert replies[0]["status"] == "planned"
    assert replies[0]["target"] == "June 2004"
    assert replies[0]["target_key"] == "2004-06"
    assert triples(changes) == [("new", "crl_reply", "Hemopure")], _show(changes)
    assert "planned June 2004" in changes[0].summary


def test_biopure_results_filing_changes_nothing(biopure: Any) -> None:
    changes, _ = biopure[1]
    assert changes == []


def test_biopure_february_8k_leads_with_the_slipped_reply(biopure: Any) -> None:
    changes, _ = biopure[2]
    first = changes[0]
    assert first.change == "delayed"
    assert parse_subject(first) == ("crl_reply", "Hemopure")
    assert "was June 2004" in first.summary
    assert "by June 30, 2004" in first.summary
    assert first.summary == (
        "reply to FDA complete response letter, was June 2004, now may not be by June 30, "
        "2004 (Hemopure)"
    )
    by_change = {c.change: c for c in changes}
    assert by_change["runway"].after == "through June 2004"
    assert "through June 2004" in by_change["runway"].summary
    assert by_change["financing_need"].after == "$8.5 million"
    assert "$8.5 million" in by_change["financing_need"].summary


def test_biopure_february_8k_has_no_noise(biopure: Any) -> None:
    """ "While it works to achieve FDA approval" is no planned approval."""
    changes, _ = biopure[2]
    assert ("new", "approval", "Hemopure") not in triples(changes), _show(changes)
    assert len(changes) <= 4, _show(changes)


def test_biopure_prospectus_repeats_without_new_slips(biopure: Any) -> None:
    changes, _ = biopure[3]
    assert not [c for c in changes if c.change in ("delayed", "at_risk", "new")], _show(changes)


def test_prospectus_restating_december_trial_start_is_not_news(biopure: Any) -> None:
    """The 424B5 of 19 Feb 2004 retells a Phase II start of December 2003, before the
    company's previous filing (that morning's 8-K): in the ledger, not in the alert."""
    changes, ledger = biopure[3]
    assert changes == [], _show(changes)
    starts = [e for e in ledger if e.get("type") == "milestone" and e["kind"] == "trial_start"]
    assert [(e["status"], e["target"], e["change"]) for e in starts] == [
        ("achieved", "December 2003", "restated")
    ]
    assert "[restated]" in render_timeline(ledger)


def test_an_event_after_the_previous_filing_is_news() -> None:
    """The same sentence is news when the company's previous filing came before it."""
    sentence = (
        "Also in December, the company initiated a Phase II clinical trial in Europe to "
        "assess the safety of Hemopure(R) at low doses."
    )
    statements = milestones.extract([sentence], filed=date(2004, 2, 19))
    fresh = milestones.diff([], statements, {}, previous_filed=date(2003, 12, 11))
    old = milestones.diff([], statements, {}, previous_filed=date(2004, 1, 15))
    assert [c.change for c in fresh] == ["achieved"]
    assert [c.change for c in old] == ["restated"]
    assert milestones.news(old) == []


def test_rerunning_a_filing_gives_the_same_diff_and_ledger() -> None:
    """A filing processed twice (same accession) diffs against the ledger before it."""
    steps = biopure_steps()
    entries: list[dict[str, Any]] = []
    for step in steps[:3]:
        changes, entries = replay(entries, step)
    again, entries_again = replay(entries, steps[2])
    assert again == changes
    assert entries_again == entries
    assert milestones.prior_entries(entries, steps[2].accession) == [
        e for e in entries if e.get("accession") != steps[2].accession
    ]


def test_timeline_shows_the_slip(biopure: Any) -> None:
    _, ledger = biopure[2]
    text = render_timeline(ledger)
    assert "reply to FDA complete response letter (Hemopure): at risk — by June 30, 2004" in text
    assert [r["date"] for r in timeline_rows(ledger)] == sorted(
        r["date"] for r in timeline_rows(ledger)
    )


# -- the sequences -----------------------------------------------------------------------------


def _sequence_cases() -> list[Any]:
    cases = []
    for folder in sorted(p for p in SEQUENCES.iterdir() if (p / "steps.json").is_file()):
        steps = json.loads((folder / "steps.json").read_text())
        cases.append(pytest.param(folder, steps, id=folder.name))
    return cases


def _matches(change: MilestoneChange, want: dict[str, Any]) -> bool:
    kind, product = parse_subject(change)
    return (
        change.change == want["change"]
        and kind == want.get("kind", "")
        and product.lower() == want.get("product", "").lower()
        and all(s in change.summary for s in want.get("summary_contains", ()))
    )


def _key(want: dict[str, Any]) -> tuple[str, str, str]:
    return (want["change"], want.get("kind", ""), want.get("product", "").lower())


@pytest.mark.parametrize(("folder", "steps"), _sequence_cases())
def test_sequence(folder: Path, steps: list[dict[str, Any]]) -> None:
    """Replay a company's filings in order; each step's changes must be as expected."""
    entries: list[dict[str, Any]] = []
    previous: date | None = None
    problems = []
    for n, raw in enumerate(steps, start=1):
        form = raw["form"]
        doc_type = raw.get("doc_type") or ("EX-99.1" if form.upper().startswith("8-K") else form)
        step = Step(
            (_document(folder / raw["file"], doc_type),),
            form,
            date.fromisoformat(raw["filed"]),
            raw["accession"],
        )
        changes, entries = replay(entries, step, previous)
        previous = step.filed
        where = f"{folder.name}/{n}-{raw['file']}"
        for want in raw.get("expect", []):
            if not any(_matches(c, want) for c in changes):
                problems.append(f"{where}: missing {want}")
        for unwanted in raw.get("expect_absent", []):
            if any(_matches(c, unwanted) for c in changes):
                problems.append(f"{where}: unexpected {unwanted}")
        if raw.get("exact"):
            got = Counter((c, k, p.lower()) for c, k, p in triples(changes))
            wanted = Counter(_key(w) for w in raw.get("expect", []))
            if got != wanted:
                problems.append(f"{where}: changes are not exactly as expected")
        if problems and not problems[-1].startswith("  "):
            problems.append(_show(changes))
    assert not problems, "\n".join(problems)


def test_every_sequence_is_well_formed() -> None:
    """Kinds and change names in steps.json exist, files are there, sizes are 1-4 KB."""
    changes = {
        "new", "achieved", "moved", "delayed", "at_risk", "abandoned",
        "runway", "runway_changed", "financing_need", "financing_need_changed",
    }  # fmt: skip
    kinds = {k for k, _, _ in milestones.KINDS} | {""}
    folders = [p for p in SEQUENCES.iterdir() if (p / "steps.json").is_file()]
    assert len(folders) >= 10
    for folder in folders:
        steps = json.loads((folder / "steps.json").read_text())
        filed = [s["filed"] for s in steps]
        assert filed == sorted(filed), folder.name
        assert len({s["accession"] for s in steps}) == len(steps), folder.name
        for s in steps:
            size = (folder / s["file"]).stat().st_size
            assert 1000 <= size <= 4096, (folder.name, s["file"], size)
            for want in s.get("expect", []) + s.get("expect_absent", []):
                assert want["change"] in changes, (folder.name, want)
                assert want.get("kind", "") in kinds, (folder.name, want)


# -- units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "filed", "key"),
    [
        ("June 2004", None, "2004-06"),
        ("June 30, 2004", None, "2004-06-30"),
        ("the second half of 2022", None, "2022-H2"),
        ("first quarter of 2023", None, "2023-Q1"),
        ("Q3 2024", None, "2024-Q3"),
        ("1Q24", None, "2024-Q1"),
        ("2H 2025", None, "2025-H2"),
        ("mid-2024", None, "2024-06"),
        ("early 2025", None, "2025-H1"),
        ("late 2025", None, "2025-H2"),
        ("end of 2022", None, "2022-12-31"),
        ("fiscal 2004", None, "2004"),
        ("2026", None, "2026"),
        ("June", date(2003, 3, 6), "2003-06"),
        ("year end", date(2003, 3, 6), "2003-12-31"),
        ("the end of the year", date(2024, 8, 8), "2024-12-31"),
        ("second half", date(2003, 7, 15), "2003-H2"),
        ("later this year", date(2024, 3, 7), "2024"),
        ("first quarter of next year", date(2024, 11, 12), "2025-Q1"),
        ("next year", date(2024, 11, 12), "2025"),
        ("current quarter", date(2024, 3, 7), "2024-Q1"),
        ("next quarter", date(2024, 11, 12), "2025-Q1"),
        ("June", None, ""),
        ("", date(2024, 1, 1), ""),
    ],
)
def test_normalise_target(text: str, filed: date | None, key: str) -> None:
    assert milestones.normalise_target(text, filed) == key


def _one(sentence: str, filed: date = date(2023, 5, 1), **kw: Any) -> milestones.Statement:
    found = milestones.extract([sentence], filed=filed, **kw)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("sentence", "kind", "status"),
    [
        ("The company plans to submit an NDA for ABX-101 in the first half of 2024.",
         "submission", "planned"),
        ("The company has submitted an NDA to the FDA for ABX-101.", "submission", "achieved"),
        ("The FDA has approved Zelvora(R) for acromegaly.", "approval", "achieved"),
        ("The FDA has placed the Phase 1 trial of OTX-310 on clinical hold.",
         "clinical_hold", "achieved"),
        ("The FDA has lifted the clinical hold on the trial of OTX-310.",
         "hold_lifted", "achieved"),
        ("The company expects the clinical hold on OTX-310 to be lifted in the first quarter "
         "of 2024.", "hold_lifted", "planned"),
        ("The FDA has postponed the advisory committee meeting for Nuvorel(TM) previously "
         "scheduled for June 18, 2003.", "advisory_meeting", "delayed"),
        ("The FDA has cancelled the advisory committee meeting for Nuvorel(TM).",
         "advisory_meeting", "abandoned"),
        ("The company may not formally reply to the complete response letter for Hemopure(R) "
         "by June 30, 2004.", "crl_reply", "at_risk"),
        ("The company has decided to discontinue development of KN-204.", "program",
         "abandoned"),
        ("The first patient has been dosed in the Phase 3 trial of BWB-112.", "trial_start",
         "achieved"),
        ("The company announced that it expects to report topline data for BWB-112 in the "
         "fourth quarter of 2023.", "trial_result", "planned"),
        ("The Phase 3 trial of TSR-550 met its primary endpoint.", "trial_result", "achieved"),
        ("The company reached agreement with the FDA under a Special Protocol Assessment on "
         "the design of the Phase 3 trial of GRB-88.", "study_design_agreed", "achieved"),
        ("The FDA has extended the PDUFA target action date for HLV-417 to March 16, 2024.",
         "approval", "delayed"),
        ("The company now expects to submit the BLA for QLB-205 in the first quarter of 2023, "
         "rather than in the second half of 2022.", "submission", "delayed"),
    ],
)  # fmt: skip
def test_status_detection(sentence: str, kind: str, status: str) -> None:
    st = _one(sentence)
    assert (st.kind, st.status) == (kind, status)


@pytest.mark.parametrize(
    "sentence",
    [
        "The FDA could place the Phase III trial of NB-1207 on clinical hold at any time.",
        "If the FDA does not approve NB-1207, the company's business would be harmed.",
        "The FDA may issue a complete response letter for NB-1207.",
        "Delays in patient enrollment could delay the start of the clinical trial of NB-1207.",
        "The company works to achieve FDA approval of Hemopure(R).",
        "Tessaron is preparing its NDA for TSR-550, seeking accelerated approval from the FDA.",
        "Ostrava submitted a complete response to the FDA's clinical hold letter for OTX-310.",
        "The FDA does not currently plan to hold an advisory committee meeting for Zelvora(R).",
        "The company held a pre-BLA meeting with the FDA about QLB-205.",
        "Patients who discontinued the study drug in the trial of BWB-112 were followed.",
    ],
)
def test_boilerplate_makes_no_news(sentence: str) -> None:
    """What a filing says may happen, or says in passing, is no change."""
    previous = [
        {"type": "milestone", "product": "NB-1207", "kind": "trial_start", "status": "planned",
         "target": "third quarter of 2003", "target_key": "2003-Q3", "accession": "a"},
    ]  # fmt: skip
    statements = milestones.extract([sentence], filed=date(2023, 6, 1))
    changes = milestones.diff(previous, statements, {})
    assert changes == [], (statements, changes)


@pytest.mark.parametrize(
    "sentence",
    [
        "We believe our existing cash will be sufficient to fund operations through topline data "
        "from the Phase 3 trial of ZX-101.",
        "The net proceeds will be used to fund the Phase 3 trial of ZX-101 through topline "
        "results and the submission of an NDA.",
        "The company will host a conference call today to discuss the topline results for ZX-101.",
        "The company plans to meet with the FDA to discuss the path to approval for ZX-101.",
        "The company will receive a $10 million milestone payment upon initiation of the Phase 3 "
        "trial of ZX-101 in 2025.",
        "ZX-101 has not yet been approved by the FDA or any other regulatory agency.",
        "Following approval, the company intends to launch ZX-101 in the United States.",
        "The company anticipates that the FDA will complete its review of the NDA for ZX-101 by "
        "the PDUFA date.",
        "ZX-101, a treatment for patients at risk of stroke, was submitted to the FDA in an NDA "
        "that may not be reviewed on time.",
    ],
)
def test_asides_make_no_news_even_for_a_new_company(sentence: str) -> None:
    """Conditions, funding purposes and topics mention milestones without stating them."""
    statements = milestones.extract([sentence], filed=date(2024, 5, 1), known_products=["ZX-101"])
    changes = milestones.diff([], statements, {})
    news = [c for c in changes if c.change in ("new", "delayed", "at_risk", "abandoned")]
    assert news == [], (statements, changes)


def test_relative_dates_are_read_against_the_filing_date() -> None:
    st = _one(
        "Pellucid expects to begin the Phase I trial of PLC-330 in January.",
        filed=date(2003, 11, 20),
    )
    assert (st.target, st.target_key) == ("January 2004", "2004-01")  # next January
    st = _one("Pellucid began the Phase I trial of PLC-330 in late January.", date(2004, 2, 10))
    assert st.target_key == "2004-01"  # past tense: this year's January
    st = _one("Solvane expects topline data for SLV-014 later this year.", date(2024, 3, 7))
    assert (st.target, st.target_key) == ("later this year (2024)", "2024")
    st = _one(
        "Solvane expects to initiate the Phase 2 trial of SLV-022 by year end.", date(2024, 3, 7)
    )
    assert (st.target, st.target_key) == ("by year end 2024", "2024-12-31")
    st = _one(
        "Solvane expects topline data for SLV-014 in the first quarter of next year.",
        date(2024, 11, 12),
    )
    assert st.target_key == "2025-Q1"


def test_dates_marked_as_old_are_not_the_target() -> None:
    st = _one(
        "Brightwell now expects topline data for BWB-112 in the fourth quarter of 2023, "
        "earlier than its previous guidance of the first quarter of 2024."
    )
    assert st.target_key == "2023-Q4"
    st = _one(
        "The FDA extended the PDUFA date for HLV-417 from December 16, 2023 to March 16, 2024."
    )
    assert st.target_key == "2024-03-16"


def test_contradictions_in_one_filing() -> None:
    found = milestones.extract(
        [
            "Tessaron remains on track to submit the NDA for TSR-550 in the fourth quarter of "
            "2023.",
            "Tessaron now expects to submit the NDA for TSR-550 in the first quarter of 2024.",
        ],
        filed=date(2023, 8, 10),
    )
    assert len(found) == 1
    assert found[0].target_key == "2024-Q1"
    assert found[0].conflict == "fourth quarter of 2023"
    found = milestones.extract(
        [
            "Tessaron expects to submit the NDA for TSR-550 in the first quarter of 2024.",
            "Tessaron has submitted the NDA for TSR-550 to the FDA.",
        ],
        filed=date(2024, 2, 26),
    )
    assert [st.status for st in found] == ["achieved"]


def test_rename_keeps_history_in_the_same_and_later_filings() -> None:
    entries: list[dict[str, Any]] = []
    texts = ["Abrexis plans to submit an NDA for ABX-101 in the first half of 2023."]
    sts = milestones.extract(texts, filed=date(2023, 2, 28), accession="1")
    entries = milestones.merge(entries, "1", sts, {}, "2023-02-28", {}, [])
    texts = ["Abrexis has submitted an NDA to the FDA for Zelvora (formerly ABX-101)."]
    assert milestones.aliases_in(texts) == {"ABX-101": "Zelvora"}
    sts = milestones.extract(
        texts, known_products=milestones.known_products(entries), filed=date(2023, 6, 27)
    )
    changes = milestones.diff(entries, sts, {})
    assert triples(changes) == [("achieved", "submission", "Zelvora")]
    entries = milestones.merge(
        entries, "2", sts, {}, "2023-06-27", milestones.aliases_in(texts), changes
    )
    assert "Zelvora" in milestones.known_products(entries)


def test_code_shaped_words_are_not_products() -> None:
    found = milestones.extract(
        ["The company initiated a Phase 2 trial of its anti-IL-23 antibody in COVID-19 patients."],
        filed=date(2023, 1, 1),
    )
    assert all(st.product == "" for st in found)


def test_changes_come_most_important_first() -> None:
    previous = [
        {"type": "milestone", "product": "X-100", "kind": "submission", "status": "planned",
         "target": "2023", "target_key": "2023", "accession": "a"},
        {"type": "finance", "field": "runway", "value": "into 2025", "accession": "a"},
    ]  # fmt: skip
    statements = [
        milestones.Statement("X-100", "trial_start", "achieved", "", "", "s"),
        milestones.Statement("X-100", "submission", "planned", "2024", "2024", "s"),
    ]
    changes = milestones.diff(previous, statements, {"runway": "into 2024"})
    assert [c.change for c in changes] == ["delayed", "achieved", "runway_changed"]
    assert changes[2].summary == "shortened, was into 2025, now into 2024"


def test_timeline_names_renames_and_finance_changes() -> None:
    """The timeline shows the rename, the new name's history and what finance changed."""
    entries: list[dict[str, Any]] = []
    for folder in ("abrexis_renamed_product", "ferrow_runway_shortening"):
        steps = json.loads((SEQUENCES / folder / "steps.json").read_text())
        for raw in steps:
            step = Step(
                (_document(SEQUENCES / folder / raw["file"], "EX-99.1"),),
                raw["form"],
                date.fromisoformat(raw["filed"]),
                raw["accession"],
            )
            _, entries = replay(entries, step)
    text = render_timeline(entries)
    assert "ABX-101 renamed Zelvora" in text
    assert "regulatory submission (Zelvora, formerly ABX-101): done  [achieved]" in text
    assert "cash runway: stated — into the second quarter of 2024  [runway_changed]" in text


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"runway": "into the fourth quarter of 2024"}, {"runway": "into Q4 2024"}, []),
        ({"financing_need": "$8.5 million"}, {"financing_need": "$8.50 million"}, []),
        (
            {"runway": "through June 2004"},
            {"runway": "through fiscal 2004"},
            [("runway_changed", "extended, was through June 2004, now through fiscal 2004")],
        ),
        (
            {"financing_need": "$45 million"},
            {"financing_need": "$60 million"},
            [("financing_need_changed", "was $45 million, now $60 million")],
        ),
        ({}, {"runway": "into 2026"}, [("runway", "operations funded into 2026")]),
        ({"runway": "into 2026"}, {}, []),
    ],
)
def test_finance_changes(
    old: dict[str, str], new: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    """Runway compares by date and need by amount: rewording is no change."""
    previous = [
        {"type": "finance", "field": f, "value": v, "accession": "a"} for f, v in old.items()
    ]
    changes = milestones.diff(previous, [], new)
    assert [(c.change, c.summary) for c in changes] == expected


def test_timeline_drops_same_day_restatements() -> None:
    from tracker.timeline import timeline_rows

    entry = {
        "type": "milestone",
        "product": "Hemopure",
        "kind": "crl_reply",
        "status": "at_risk",
        "target": "by June 30, 2004",
        "filed": "2004-02-19",
        "sentence": "s",
    }
    rows = timeline_rows(
        [
            {**entry, "accession": "a", "change": "delayed"},
            {**entry, "accession": "b", "change": ""},
        ]
    )
    assert [r["accession"] for r in rows] == ["a"]
