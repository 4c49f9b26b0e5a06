"""An unchanged latest-filings page is not parsed again (the idle cycle's main cost)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_pipeline import poller

import tracker.discovery
from tracker.fakes.edgar import FakeEdgar
from tracker.fakes.slack import FakeSlack

from conftest import sample

PAGE = sample("getcurrent_all_start0_count100.atom.xml")


def test_an_unchanged_latest_page_is_not_parsed_again(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[int] = []
    real = tracker.discovery.parse_latest_feed

    def counting(body: bytes) -> Any:
        parsed.append(len(body))
        return real(body)

    monkeypatch.setattr(tracker.discovery, "parse_latest_feed", counting)
    edgar.latest_page = PAGE
    companies = '\n[[companies]]\ncik = 1111111\nname = "Acme Bio"\n'
    p = poller(tmp_path, edgar, slack, companies=companies, extra_edgar='mode = "latest"')
    p.run_cycle()
    assert len(parsed) == 1
    for _ in range(3):
        p.run_cycle()
    assert len(parsed) == 1  # byte for byte the same page: not parsed again
    first = PAGE.index(b"<entry>")
    edgar.latest_page = PAGE[:first] + PAGE[PAGE.index(b"</entry>", first) + 8 :]
    p.run_cycle()
    assert len(parsed) == 2  # a changed page is read
