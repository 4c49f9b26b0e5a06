"""Ticker to CIK lookup from a snapshot in SEC's company_tickers.json format.

A bundled snapshot keeps `watch add AAPL` working offline; `tracker tickers
refresh` replaces the copy in the state directory from EDGAR.
"""

from __future__ import annotations

import difflib
import json
import logging
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

from tracker.models import Company

log = logging.getLogger(__name__)

SNAPSHOT_NAME = "company_tickers.json"


class TickerError(ValueError):
    """A ticker is unknown; the message lists close matches."""


def snapshot_path(state_dir: str | Path | None) -> Path | None:
    """The refreshed snapshot in the state directory, if there is one."""
    if state_dir is None:
        return None
    path = Path(state_dir) / SNAPSHOT_NAME
    return path if path.exists() else None


@cache
def _table(path: str | None) -> dict[str, tuple[int, str]]:
    if path:
        raw = Path(path).read_bytes()
    else:
        raw = resources.files("tracker").joinpath("data", SNAPSHOT_NAME).read_bytes()
    data = json.loads(raw)
    table: dict[str, tuple[int, str]] = {}
    for row in data.values():
        table.setdefault(str(row["ticker"]).upper(), (int(row["cik_str"]), str(row["title"])))
    return table


def tickers(state_dir: str | Path | None = None) -> dict[str, tuple[int, str]]:
    """Ticker -> (CIK, title): the refreshed copy in `state_dir` if any, else the bundled one.

    The refreshed copy is only a newer cache of the bundled list: if it is damaged
    (truncated, empty, not JSON, the wrong shape, a directory), the bundled list is used
    and the file is named in a warning; `tracker tickers refresh` writes a good one.
    """
    found = snapshot_path(state_dir)
    if found is None:
        return _table(None)
    try:
        return _table(str(found))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning(
            "state file %s is damaged (%s); using the bundled ticker list "
            "(`tracker tickers refresh` writes a new copy)",
            found,
            exc.__class__.__name__ if not str(exc) else str(exc)[:200],
        )
        return _table(None)


def resolve_ticker(ticker: str, state_dir: str | Path | None = None) -> tuple[int, str]:
    """Return (cik, title) for a ticker; raises TickerError with close matches."""
    table = tickers(state_dir)
    key = ticker.strip().upper().replace(".", "-")
    if key in table:
        return table[key]
    close = difflib.get_close_matches(key, list(table), n=5, cutoff=0.6)
    hint = f"; close matches: {', '.join(close)}" if close else ""
    raise TickerError(
        f"unknown ticker {ticker!r} in the SEC ticker list{hint} "
        "(give the CIK instead, or run `tracker tickers refresh`)"
    )


def validate_snapshot(raw: bytes) -> int:
    """Check that bytes are a company_tickers.json; return its number of rows."""
    data = json.loads(raw)
    if not isinstance(data, dict) or not data:
        raise ValueError("not a company_tickers.json object")
    for row in data.values():
        if not {"cik_str", "ticker", "title"} <= set(row):
            raise ValueError("rows need cik_str, ticker and title")
    return len(data)


def find_company(
    companies: Iterable[Company], ident: str, state_dir: str | Path | None = None
) -> tuple[int, str]:
    """(cik, label) for what a person typed: a watched company by ticker in any case or by
    CIK, else any CIK, else SEC's ticker list. Raises TickerError with close matches.

    The command line and the Slack commands both answer `timeline X` with this, so the
    same words find the same company wherever they are typed.
    """
    wanted = ident.strip().upper()
    for c in companies:
        if (c.ticker and c.ticker.upper() == wanted) or (wanted.isdigit() and int(wanted) == c.cik):
            return c.cik, c.label
    if wanted.isdigit():
        if not 0 < int(wanted) < 10**10:
            raise TickerError(f"{ident.strip()!r} is not a CIK (1 to 10 digits, not all zero)")
        return int(wanted), f"CIK {int(wanted)}"
    return resolve_ticker(wanted, state_dir)
