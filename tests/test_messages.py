"""Slack messages within Slack's limits, escaped, readable; and `tickers refresh`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block

from tracker.cli import main
from tracker.fakes.edgar import FakeEdgar
from tracker.models import Alert, Fact, MilestoneChange
from tracker.notify import message

from conftest import write_config

HOSTILE = "<!channel> <@U123> <http://evil.example|sec.gov> & \x00\x1b[2J\u202e"


def alert(**changes: object) -> Alert:
    base = {
        "alert_id": "a:#x",
        "accession": "0001047469-04-004567",
        "cik": 815508,
        "company": "Biopure Corp",
        "ticker": "BPUR",
        "form": "8-K",
        "filed": "2004-02-19",
        "categories": ("fda", "financing", "workforce", "results"),
        "evidence": {
            "fda": (
                "The company may not formally respond to the complete response "
                "letter by June 30, 2004.",
            ),
            "workforce": ("The company is reducing its workforce by 35 percent.",),
        },
        "facts": (
            Fact("workforce_reduction_percent", 35, "35 percent"),
            Fact("financing_needed", 8500000, "$8.5 million"),
        ),
        "index_url": "https://www.sec.gov/Archives/edgar/data/815508/x-index.htm",
        "document_url": "https://www.sec.gov/Archives/edgar/data/815508/ex99.txt",
        "channel": "#biopure",
    }
    base.update(changes)
    return Alert(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param({}, id="biopure"),
        pytest.param(
            {"company": HOSTILE * 20, "evidence": {"fda": (HOSTILE + "x" * 100_000,)}},
            id="hostile-and-huge",
        ),
        pytest.param(
            {"facts": tuple(Fact("revenue", n, "$" + "9" * 3000) for n in range(40))},
            id="many-long-facts",
        ),
        pytest.param(
            {"changes": tuple(MilestoneChange("delayed", "s", "y" * 5000) for _ in range(30))},
            id="many-changes",
        ),
        pytest.param({"categories": (), "evidence": {}, "facts": ()}, id="no-category"),
    ],
)
def test_blocks_pass_slack_sdk_validation(variant: dict[str, object]) -> None:
    blocks = message.blocks(alert(**variant))
    assert len(blocks) <= 50
    for raw in blocks:
        Block.parse(raw).to_dict()  # raises SlackObjectFormationError past Slack's limits
    assert sum(len(json.dumps(b)) for b in blocks) < 13_000


def test_text_from_filings_is_escaped_everywhere() -> None:
    a = alert(
        company=HOSTILE,
        evidence={"fda": (HOSTILE,)},
        facts=(Fact("deadline", HOSTILE, HOSTILE),),
        changes=(MilestoneChange("delayed", HOSTILE, HOSTILE),),
    )
    rendered = message.fallback_text(a) + json.dumps(message.blocks(a))
    for bad in ("<!channel>", "<@U123>", "<http://evil", "\\u0000", "\\u001b", "\\u202e"):
        assert bad not in rendered
    assert "&lt;!channel&gt;" in rendered


def test_fallback_text_reads_well_in_a_notification() -> None:
    a = alert(
        changes=(
            MilestoneChange(
                "delayed",
                "reply to FDA complete response letter (Hemopure)",
                "reply to FDA complete response letter, was June 2004, now may "
                "not be by June 30, 2004 (Hemopure)",
                "June 2004",
                "by June 30, 2004",
            ),
        )
    )
    text = message.fallback_text(a)
    assert text == (
        "BPUR 8-K · Biopure: Hemopure FDA reply slips past June 2004; 35% workforce cut; "
        "reports results"
    )


def test_mentions_come_only_from_the_config() -> None:
    text = message.fallback_text(alert(mentions=("@here",)))
    assert text.startswith("BPUR 8-K · ") and text.endswith(" <!here>")
    assert "<!" not in message.fallback_text(alert())


def test_quotes_are_quote_lines_and_changes_keep_their_lines() -> None:
    """Line breaks survive: a filing's wrapped sentence is one quote line starting ">"."""
    a = alert(
        evidence={"fda": ("The FDA issued\na complete   response\nletter.",)},
        changes=(
            MilestoneChange("delayed", "s", "first change"),
            MilestoneChange("new", "t", "second change"),
        ),
    )
    texts = [b["text"]["text"] for b in message.blocks(a) if b["type"] == "section"]
    assert "*Slipped:* first change\n*New:* second change" in texts
    assert "*FDA*\n>The FDA issued a complete response letter." in "\n".join(texts)


def test_tickers_refresh_downloads_and_validates(
    tmp_path: Path, edgar: FakeEdgar, capsys: pytest.CaptureFixture[str]
) -> None:
    edgar.company_tickers = json.dumps(
        {"0": {"cik_str": 815508, "ticker": "BPUR", "title": "BIOPURE CORP"}}
    ).encode()
    cfg = write_config(tmp_path / "w.toml", edgar.base_url)
    state = tmp_path / "state"
    assert main(["--config", str(cfg), "--state", str(state), "tickers", "refresh"]) == 0
    assert json.loads((state / "company_tickers.json").read_text())["0"]["ticker"] == "BPUR"
    assert edgar.requests_to("/files/company_tickers.json")[0]["headers"]["User-Agent"]
    edgar.company_tickers = b"<html>not json</html>"
    assert main(["--config", str(cfg), "--state", str(state), "tickers", "refresh"]) == 1
    assert "BPUR" in (state / "company_tickers.json").read_text()  # the good copy is kept
