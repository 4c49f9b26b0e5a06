"""The name EDGAR gives a CIK, for companies the ticker snapshot does not list.

Delisted and small filers (Biopure among them) are missing from SEC's ticker file, yet
people add them by CIK; an answer that says "added CIK 815508" leaves them unsure they
typed the right number. One company-feed request, at most, per `watch add` from Slack.
"""

from __future__ import annotations

import logging

from tracker.config import Config
from tracker.edgar.client import EdgarClient
from tracker.edgar.feeds import company_feed_path, parse_company_feed
from tracker.errors import TrackerError
from tracker.tickers import tickers

log = logging.getLogger(__name__)


def edgar_name(config: Config, state_dir: str, cik: int) -> str | None:
    """EDGAR's conformed name in title case, or None when the snapshot has it or EDGAR fails."""
    if any(known == cik for known, _ in tickers(state_dir).values()):
        return None
    e = config.edgar
    try:
        client = EdgarClient(
            e.base_url,
            e.user_agent,
            max_rps=e.max_requests_per_second,
            timeout=e.timeout_seconds,
            retries=1,
        )
        page = parse_company_feed(client.get(company_feed_path(cik, count=10)).content, cik)
    except (TrackerError, ValueError) as exc:
        log.warning("slash commands: no name from EDGAR for CIK %d (%s)", cik, exc)
        return None
    name = page.company_name.strip()
    return name.title() if name.isupper() else name or None
