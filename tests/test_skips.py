"""Filings not alerted: routine forms by default, a company's filters, and a reason for
each one, in the log and in `tracker status` (text and --json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.configcheck import form_problem
from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack
from tracker.forms import form_skip_reason, is_routine

from conftest import ACME, TOKEN, make_filing, write_config

CIK = 1111111
FDA_NEWS = "Acme Bio announced that the FDA approved its new drug application for Zelvora(R)."


@pytest.mark.parametrize(
    ("form", "routine"),
    [
        ("4", True),
        ("4/A", True),
        ("3", True),
        ("5", True),
        ("144", True),
        ("S-8", True),
        ("S-8 POS", True),
        ("13F-HR", True),
        ("SC 13G/A", True),
        ("8-K", False),
        ("8-K/A", False),
        ("424B5", False),  # starts with "4", and is a financing
        ("S-3", False),
        ("10-Q", False),
        ("SC 13D", False),  # an activist stake is company news
        ("D", False),  # a private placement
    ],
)
def test_default_form_set(form: str, routine: bool) -> None:
    assert is_routine(form) is routine
    assert (form_skip_reason(form, None) is None) is not routine


def test_configured_forms() -> None:
    assert form_problem("*") is None  # check-config accepts forms = ["*"]
    assert form_skip_reason("4", ("*",)) is None
    assert form_skip_reason("8-K/A", ("8-K",)) is None
    assert form_skip_reason("10-Q", ("8-K", "424B")) == "form 10-Q not in [8-K, 424B]"


def run(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, companies: str, *filings: object
) -> list[str]:
    """A baseline poll, the filings, a second poll through the CLI; the base CLI args."""
    cfg = write_config(
        tmp_path / "w.toml", edgar.base_url, slack_url=slack.base_url, companies=companies
    )
    base = ["--config", str(cfg), "--state", str(tmp_path / "state")]
    assert main([*base, "poll"]) == 0
    for filing in filings:
        edgar.add(filing)  # type: ignore[arg-type]
    assert main([*base, "poll"]) == 0
    return base


def test_form_4_is_not_alerted_by_default_and_says_why(
    tmp_path: Path,
    edgar: FakeEdgar,
    slack: FakeSlack,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    companies = ACME + 'ticker = "ACME"\n'
    base = run(
        tmp_path,
        edgar,
        slack,
        companies,
        make_filing(CIK, "0000950123-24-000002", form="4", release="", items=()),
        make_filing(CIK, "0000950123-24-000003", filed="2024-03-02", release=FDA_NEWS),
    )
    assert [m["metadata"]["event_payload"]["form"] for m in slack.messages()] == ["8-K"]
    log = capsys.readouterr().err  # the CLI logs to standard error
    lines = [
        line.split("INFO", 1)[-1].strip() for line in log.splitlines() if "not alerted" in line
    ]
    assert lines == [
        "ACME 4 0000950123-24-000002: not alerted, form 4 is a routine ownership or plan form "
        '(not alerted by default; forms = ["*"] alerts every form)'
    ]
    assert main([*base, "status", "--json"]) in (0, 1)
    [company] = json.loads(capsys.readouterr().out)["companies"]
    assert company["last_skipped"]["accession"] == "0000950123-24-000002"
    assert company["last_skipped"]["form"] == "4"
    assert "routine ownership" in company["last_skipped"]["reason"]
    main([*base, "status"])
    text = capsys.readouterr().out
    assert "last not alerted: 4 2024-03-01 0000950123-24-000002: form 4 is a routine" in text


def test_every_form_when_the_config_asks(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    companies = ACME + 'forms = ["*"]\n'
    run(
        tmp_path,
        edgar,
        slack,
        companies,
        make_filing(CIK, "0000950123-24-000002", form="4", release="", items=()),
    )
    [msg] = slack.messages()
    assert msg["metadata"]["event_payload"]["form"] == "4"
    assert msg["text"] == "Acme Bio 4 · Acme Bio files 4"


def test_categories_filter_logs_its_reason(
    tmp_path: Path,
    edgar: FakeEdgar,
    slack: FakeSlack,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    companies = ACME + 'ticker = "ACME"\ncategories = ["fda", "financing"]\n'
    base = run(tmp_path, edgar, slack, companies, make_filing(CIK, "0000950123-24-000002"))
    assert slack.messages() == []
    assert (
        "INFO    ACME 8-K 0000950123-24-000002: not alerted, categories results not in "
        "[fda, financing]"
    ) in capsys.readouterr().err
    main([*base, "status", "--json"])
    [company] = json.loads(capsys.readouterr().out)["companies"]
    assert company["last_skipped"]["reason"] == "categories results not in [fda, financing]"
