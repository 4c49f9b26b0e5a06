"""Shared fixtures: a local EDGAR and a local Slack on 127.0.0.1, and config files for them."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tracker.fakes.edgar import FakeDocument, FakeEdgar, FakeFiling
from tracker.fakes.slack import FakeSlack

TOKEN = "xoxb-test-4f1c9a77e2b0d3c5"

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
EDGAR_SAMPLES = DATA / "edgar"
EXAMPLE_CONFIG = ROOT / "config" / "watch.example.toml"


def sample(name: str) -> bytes:
    """A real EDGAR response body from tests/data/edgar (sources in tests/data/SOURCES.md).

    A missing file raises, so the test fails: data the suite needs is part of the repository.
    """
    return (EDGAR_SAMPLES / name).read_bytes()


def feed_samples() -> list[bytes]:
    """Every real Atom feed sample; an empty list would make a property test vacuous, so fail."""
    found = sorted(p.read_bytes() for p in EDGAR_SAMPLES.glob("get*.atom.xml"))
    if not found:
        raise FileNotFoundError(f"no EDGAR feed samples in {EDGAR_SAMPLES}")
    return found


def example_config(tmp_path: Path) -> Path:
    """A private copy of config/watch.example.toml (tests never read the user's own config)."""
    path = tmp_path / "watch.toml"
    path.write_text(EXAMPLE_CONFIG.read_text())
    return path


EIGHT_K = """FORM 8-K

CURRENT REPORT

ITEM 8.01 OTHER EVENTS

On {day}, {name} issued a press release. A copy is attached as Exhibit 99.1.

SIGNATURE

By: /s/ Jane Roe, Chief Executive Officer
"""


def make_filing(
    cik: int,
    accession: str,
    *,
    form: str = "8-K",
    filed: str = "2024-03-01",
    release: str = "The company announced its financial results for the fourth "
    "quarter of 2023. Net loss was $4.0 million.",
    items: tuple[str, ...] = ("8.01", "9.01"),
    name: str = "ACME BIO INC",
    appear_at: float = 0.0,
    extra_docs: list[FakeDocument] | None = None,
) -> FakeFiling:
    """A realistic 8-K with an EX-99.1 press release (or a lone primary document)."""
    day = date.fromisoformat(filed)
    docs = [
        FakeDocument(
            f"d{accession[-6:]}8k.htm",
            form,
            f"<html><body><p>{EIGHT_K.format(day=filed, name=name)}</p></body></html>".replace(
                "\n\n", "</p><p>"
            ).encode(),
            form,
        )
    ]
    if release:
        docs.append(
            FakeDocument(
                f"d{accession[-6:]}dex991.htm",
                "EX-99.1",
                f"<html><body><p>{release}</p></body></html>".encode(),
                "PRESS RELEASE",
            )
        )
    docs += extra_docs or []
    return FakeFiling(
        cik=cik,
        company=name,
        accession=accession,
        form=form,
        filed=day,
        documents=docs,
        items=items,
        appear_at=appear_at,
        accepted=f"{filed}T16:{int(accession[-2:]) % 60:02d}:00-05:00",
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test is a test that did not run: the suite fails, so CI cannot stay green
    with missing data or a missing dependency."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and exitstatus == 0:
        reporter.write_line(f"FAILED: {len(skipped)} test(s) skipped; the suite allows none")
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def no_real_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token in the developer's shell must never send a test's alert anywhere real."""
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)


@pytest.fixture(autouse=True)
def away_from_user_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every test runs in an empty directory with no TRACKER_CONFIG/TRACKER_STATE, so the
    defaults (config/watch.toml, state/) can never reach the user's own config or state."""
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    monkeypatch.delenv("TRACKER_STATE", raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture
def edgar() -> Iterator[FakeEdgar]:
    with FakeEdgar() as server:
        yield server


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as server:
        yield server


def write_config(
    path: Path,
    edgar_url: str,
    *,
    slack_url: str = "http://127.0.0.1:9/api/",
    companies: str = "",
    extra_edgar: str = "",
    extra: str = "",
    interval: float = 1,
) -> Path:
    path.write_text(
        textwrap.dedent(f"""\
        [edgar]
        user_agent = "Tracker Tests tests@example.com"
        base_url = "{edgar_url}"
        poll_interval_seconds = {interval}
        {extra_edgar}

        [slack]
        base_url = "{slack_url}"
        default_channel = "#filings"
        {extra}
        """)
        + textwrap.dedent(companies)
    )
    return path


ACME = """
[[companies]]
cik = 1111111
name = "Acme Bio"
channel = "#acme"
"""


def as_if_killed_after_post(state: Any, last_try_epoch: float = 0.0) -> None:
    """Put delivered alerts back among the open ones as "sending": the state a kill leaves
    between Slack's ok and the tracker's record of it."""
    state.outbox.db.execute("BEGIN")
    state.outbox.db.execute(
        "INSERT INTO open_alerts(seq, alert_id, accession, cik, channel, status, attempts, "
        "created, last_try_epoch, alert) SELECT seq, alert_id, accession, cik, channel, "
        "'sending', 1, created, ?, alert FROM delivered",
        (last_try_epoch,),
    )
    state.outbox.db.execute("DELETE FROM delivered")
    state.outbox.db.execute("COMMIT")
