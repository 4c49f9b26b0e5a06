"""About 20 SIGKILLs at random moments: every filing gets exactly one message."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))

from crash import run_crash


def test_kills_lose_nothing_and_double_nothing() -> None:
    report = run_crash(kills=20, seed=7, every=0.2, max_life=1.6, quiet=True)
    print(report.line())
    assert report.filings >= 20
    assert report.lost == 0, report.line()
    assert report.doubled == 0, report.line()
    assert report.corrupt_state_files == 0, report.line()
