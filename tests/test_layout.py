"""Alerts as a Slack reader sees them: the demo's four Biopure alerts, posted to the local
Slack, rendered line by line as plain text and compared with reviewed renderings kept in
tests/golden/. A layout change shows in review as a diff of those files.

To accept a deliberate change: `UPDATE_GOLDEN=1 .venv/bin/python -m pytest
tests/test_layout.py`, then read the diff before committing it.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from tracker.demo import run_demo
from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack
from tracker.models import Alert, Fact, MilestoneChange
from tracker.notify import headline, message
from tracker.notify.render import mrkdwn, render_blocks

from conftest import TOKEN, write_config

GOLDEN = Path(__file__).resolve().parent / "golden"
NAMES = [
    "biopure_2003-10-30_8-K.txt",
    "biopure_2003-12-11_8-K.txt",
    "biopure_2004-02-19_8-K.txt",
    "biopure_2004-02-19_424B5.txt",
]


def rendered(posted: dict[str, Any]) -> str:
    """What a reader sees: the notification line, then the message, the local EDGAR's
    address (a new port each run) written as EDGAR's."""
    text = f"notification: {mrkdwn(posted['text'])}\n\n{render_blocks(posted['blocks'])}\n"
    return re.sub(r"http://127\.0\.0\.1:\d+", "https://www.sec.gov", text)


@pytest.fixture(scope="module")
def posted(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The demo run against the local Slack: the messages as Slack stored them."""
    tmp = tmp_path_factory.mktemp("layout")
    with FakeSlack(token=TOKEN) as slack, FakeEdgar() as unused:
        config = write_config(tmp / "w.toml", unused.base_url, slack_url=slack.base_url)
        run_demo(
            out=io.StringIO(), step=0.3, env={"SLACK_BOT_TOKEN": TOKEN}, config_path=str(config)
        )
        return [  # the filing alerts (the demo's calendar phase posts overdue notices too)
            m
            for m in slack.messages()
            if (m.get("metadata") or {}).get("event_type") == "filing_alert"
        ]


@pytest.mark.parametrize("index", range(len(NAMES)), ids=NAMES)
def test_demo_alert_renders_as_reviewed(posted: list[dict[str, Any]], index: int) -> None:
    assert len(posted) == len(NAMES)
    got = rendered(posted[index])
    path = GOLDEN / NAMES[index]
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(got)
    assert path.is_file(), f"{path} is missing: run with UPDATE_GOLDEN=1 and review it"
    assert got == path.read_text(), f"layout changed: diff {path} (UPDATE_GOLDEN=1 to accept)"


def test_readme_shows_a_reviewed_rendering() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    golden = (GOLDEN / "biopure_2004-02-19_8-K.txt").read_text()
    assert f"```\n{golden}```" in readme, "README's rendered alert differs from tests/golden"


def test_posted_blocks_are_valid_block_kit(posted: list[dict[str, Any]]) -> None:
    """Slack's side: every posted block parses as Block Kit and is within its limits."""
    for msg in posted:
        assert msg["blocks"] and len(msg["blocks"]) <= 50
        for raw in msg["blocks"]:
            assert Block.parse(raw).to_dict() == raw  # to_dict() validates Slack's limits
        assert len(msg["text"]) <= 150


def test_notifications_lead_with_the_news(posted: list[dict[str, Any]]) -> None:
    texts = [m["text"] for m in posted]
    assert texts[3].startswith(
        "BPUR 424B5 · Biopure prices $5.0M registered offering: 3,333,333 shares at $1.50, "
        "warrants at $2.50"
    )
    assert texts[2].startswith("BPUR 8-K · Biopure: Hemopure FDA reply slips past June 2004")
    assert "35% workforce cut" in texts[2]
    assert "cash funds operations through June 2004" in texts[2]


def test_lines_stay_lines(posted: list[dict[str, Any]]) -> None:
    """One line per ledger change and per fact; quotes are quote lines, never mid-line."""
    feb = posted[2]["blocks"]
    texts = [b.get("text", {}).get("text", "") for b in feb if b["type"] == "section"]
    changes = next(t for t in texts if t.startswith("*Slipped:*"))
    assert changes.split("\n")[1].startswith("*Achieved:*")
    facts = next(t for t in texts if t.startswith("*Workforce cut:*"))
    assert "\n*Cash runway:* through June 2004\n" in facts
    quotes = next(t for t in texts if "\n>" in t)
    for line in quotes.split("\n"):
        assert line.startswith(("*", ">")), line
        assert " > " not in line and "&gt; " not in line[:5]


def test_render_shows_what_slack_shows() -> None:
    text = mrkdwn(
        "*Bold:* a &amp; b &lt;x&gt;\n>quoted _word_\n<https://x.example/a|Label> <!here>"
    )
    assert text.split("\n") == [
        "Bold: a & b <x>",
        "│ quoted word",
        "Label <https://x.example/a> @here",
    ]


def _alert(**changes: Any) -> Alert:
    base: dict[str, Any] = {
        "alert_id": "a:#x",
        "accession": "0000000000-24-000001",
        "cik": 1,
        "company": "Zelvora Therapeutics, Inc.",
        "ticker": "ZLV",
        "form": "8-K",
        "filed": "2024-03-01",
        "categories": ("fda",),
        "evidence": {},
        "facts": (),
        "index_url": "https://www.sec.gov/x-index.htm",
        "document_url": "",
        "channel": "#x",
    }
    base.update(changes)
    return Alert(**base)


@pytest.mark.parametrize(
    ("company", "short"),
    [
        ("Biopure Corp", "Biopure"),
        ("BIOPURE CORP", "Biopure"),
        ("Moderna, Inc.", "Moderna"),
        ("ACADIA PHARMACEUTICALS INC", "Acadia Pharmaceuticals"),
        ("AT&T INC.", "AT&T"),
        ("Novo Nordisk A/S", "Novo Nordisk"),
        ("ACME CORP /DE/", "Acme"),
        ("Corp", "Corp"),
    ],
)
def test_short_names(company: str, short: str) -> None:
    assert headline.short_name(company) == short


def test_headline_ranks_a_crl_above_results_and_legal() -> None:
    a = _alert(
        categories=("fda", "results", "legal"),
        changes=(
            MilestoneChange(
                "new",
                "FDA complete response letter (Zelvora)",
                "FDA complete response letter: received (Zelvora)",
            ),
        ),
        facts=(Fact("net_loss", 12_000_000, "$12.0 million"),),
    )
    text = message.headline(a)
    assert text.startswith("Zelvora Therapeutics: complete response letter for Zelvora")
    assert text.index("complete response") < text.index("net loss") < text.index("legal")


def test_headline_approval_and_officer_change() -> None:
    a = _alert(
        categories=("fda", "leadership"),
        changes=(MilestoneChange("achieved", "regulatory approval (Zelvora)", "approved"),),
    )
    assert message.headline(a) == "Zelvora Therapeutics: Zelvora approved; officer change"


def test_notification_fits_150_characters_and_mentions_follow() -> None:
    long = tuple(
        MilestoneChange("delayed", f"regulatory submission (Product{i})", "x", f"Q{i} 2024")
        for i in range(1, 5)
    )
    a = _alert(changes=long, mentions=("@here",))
    text = message.fallback_text(a)
    assert text.startswith("ZLV 8-K · Zelvora Therapeutics: Product1 submission slips past Q1")
    assert text.endswith(" <!here>")
    assert len(text.removesuffix(" <!here>")) <= 150


def test_a_routine_form_reads_as_a_filing() -> None:
    a = _alert(form="4", categories=())
    assert message.fallback_text(a) == "ZLV 4 · Zelvora Therapeutics files 4"


def test_fda_news_the_ledger_could_not_place_names_its_topic() -> None:
    """A complete response letter the ledger could not tie to a product still leads."""
    a = _alert(
        categories=("fda", "results"),
        facts=(
            Fact("milestone", "Complete Response Letter", "Complete Response Letter"),
            Fact("product", "Proellex", "Proellex"),
            Fact("net_loss", 3_000_000, "$3.0 million"),
        ),
    )
    assert message.headline(a) == (
        "Zelvora Therapeutics: FDA update: complete response letter (Proellex); "
        "reports results: net loss $3.0M"
    )
