"""One-sentence documents checked against the contract's own category definitions.

A black-box check (issue #17 follow-up) ran `tracker classify --json FILE` on single
sentences written from the definitions in the contract ("tracker classify --json
output") and found misses in general classes: a health authority validating or
accepting an application, a formal FDA meeting (Type A/B/C, end-of-phase, pre-NDA), a
loan facility signed or closed, revenue or a net loss reported for a period; and
hypothetical or negated wording counted as news. Each sentence it quoted is here, with
near-variants on both sides so the rules stay general, run through the same path as
the command (one file each, no form given).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.classify.files import classify_file
from tracker.cli import main


def categories(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "doc.txt"
    path.write_text(text + "\n", encoding="utf-8")
    result = classify_file(str(path))
    assert not result.get("error"), result
    return list(result["categories"])


NEWS = [
    # A health authority validating or accepting an application.
    (
        "fda",
        "The European Medicines Agency validated the company's marketing authorization "
        "application.",
    ),
    (
        "fda",
        "The EMA has validated Acme's marketing authorisation application for Zelvora, "
        "starting the centralised review.",
    ),
    (
        "fda",
        "Acme's marketing authorization application for Zelvora was validated by the "
        "European Medicines Agency.",
    ),
    ("fda", "Health Canada accepted the company's new drug submission for review."),
    # Formal FDA meetings.
    ("fda", "The company held a Type B meeting with the FDA."),
    (
        "fda",
        "The company announced the outcome of its Type C meeting with the U.S. Food and "
        "Drug Administration.",
    ),
    (
        "fda",
        "Acme completed an end-of-phase 2 meeting with the FDA and agreed on the design "
        "of the Phase 3 trial.",
    ),
    ("fda", "Acme held a pre-NDA meeting with the FDA in March."),
    # A loan facility entered into, signed or closed.
    ("financing", "The $25 million loan facility from Hercules was signed today."),
    ("financing", "Acme entered into a $40 million term loan facility with Oxford Finance."),
    ("financing", "The company closed a $15 million debt facility with a bank on June 3, 2026."),
    ("financing", "Acme signed a revolving credit facility of up to $10 million."),
    # Revenue or a net loss reported for a period.
    ("results", "Acme reported revenue of $3.2 million for the quarter ended March 31, 2026."),
    ("results", "Acme reported a net loss of $12.4 million for the year ended December 31, 2025."),
    (
        "results",
        "The company posted revenue of $48.1 million for the three months ended June 30, "
        "2026, up 12%.",
    ),
    ("results", "Total revenues for the quarter ended September 30, 2026 were $7.9 million."),
    # Negations and conditions elsewhere in the sentence leave the news standing.
    ("fda", "Acme announced that the FDA issued a complete response letter for its NDA."),
    ("fda", "The FDA did not approve Zelvora and issued a complete response letter."),
    (
        "fda",
        "The trial will determine if Zelvora is effective; Acme initiated the Phase 3 trial today.",
    ),
    ("workforce", "Acme will reduce its workforce by 30% to conserve cash."),
    (
        "workforce",
        "The company today announced a reduction in force of 35 percent, and if market "
        "conditions worsen it will reassess.",
    ),
]

NOT_NEWS = [
    # A condition governs the trigger.
    "If the FDA were to issue a complete response letter, our business could be materially harmed.",
    "Should the FDA issue a complete response letter, the launch would be delayed.",
    "Unless the FDA lifts the clinical hold, the trial cannot resume.",
    "In the event that we reduce our workforce, we would record severance charges.",
    "If we were to sign a credit facility, it would contain covenants.",
    # A possibility set in the future.
    "We may reduce our workforce in the future.",
    "We may enter into a loan facility in the future.",
    "We might appoint a new chief financial officer in the future.",
    "The company may hire a chief medical officer in the future.",
    # A negated expectation, plan or receipt.
    "Acme does not expect to receive a complete response letter.",
    "Acme does not expect to hold an end-of-phase 2 meeting with the FDA.",
    "The company does not anticipate any layoffs.",
    "Acme has no plans to reduce its workforce.",
    # The new words alone are not news.
    "The meeting room was validated for the event.",
    "The loan facility contains customary covenants.",
    "Revenue of $3 million is a target we hope to reach.",
]


@pytest.mark.parametrize(("expected", "text"), NEWS)
def test_contract_news_is_classified(tmp_path: Path, expected: str, text: str) -> None:
    assert categories(tmp_path, text) == [expected]


@pytest.mark.parametrize("text", NOT_NEWS)
def test_hypothetical_negated_or_bare_wording_is_not_news(tmp_path: Path, text: str) -> None:
    assert categories(tmp_path, text) == []


def test_the_command_reports_them_in_its_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same through `tracker classify --json FILE`, one line per file."""
    paths = []
    for n, text in enumerate([NEWS[0][1], NEWS[8][1], NOT_NEWS[0], NOT_NEWS[9]]):
        path = tmp_path / f"doc{n}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        paths.append(str(path))
    assert main(["classify", "--json", *paths]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [line["categories"] for line in lines] == [["fda"], ["financing"], [], []]
