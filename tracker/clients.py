"""The EDGAR client and the Slack sink, built from the config's settings.

One place builds them, for `poll`, `run`, `test-alert` and the daemon's reload: a reload
that changes `user_agent`, `base_url`, the request rate, the timeout or `slack.base_url`
builds new ones from the same code, so every setting means the same thing at start and
after an edit.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping

from tracker.config import Config, EdgarSettings
from tracker.edgar.client import EdgarClient
from tracker.errors import StateError
from tracker.notify.sinks import Sink, make_sink
from tracker.state import State, epoch_of, iso_of

log = logging.getLogger(__name__)


def edgar_client(settings: EdgarSettings) -> EdgarClient:
    return EdgarClient(
        settings.base_url,
        settings.user_agent,
        max_rps=settings.max_requests_per_second,
        timeout=settings.timeout_seconds,
        cooldown=settings.cooldown_seconds,
        max_bytes=settings.max_document_bytes,
    )


def sink(config: Config, env: Mapping[str, str] | None = None) -> Sink:
    return make_sink(dict(os.environ if env is None else env), config.slack.base_url)


def edgar_changed(old: Config, new: Config) -> bool:
    """Whether the EDGAR client must be rebuilt: any setting it was built from differs."""
    a, b = old.edgar, new.edgar
    return (
        a.base_url,
        a.user_agent,
        a.max_requests_per_second,
        a.timeout_seconds,
        a.cooldown_seconds,
        a.max_document_bytes,
    ) != (
        b.base_url,
        b.user_agent,
        b.max_requests_per_second,
        b.timeout_seconds,
        b.cooldown_seconds,
        b.max_document_bytes,
    )


def slack_changed(old: Config, new: Config) -> bool:
    return old.slack.base_url != new.slack.base_url


def keep_cooldown(client: EdgarClient, state: State) -> None:
    """SEC's cool-down outlives the process: resume one an earlier run started (poll, run,
    restart, tickers refresh), and keep every new one in the state the moment it starts."""

    def keep(wall_until: float) -> None:
        try:
            state.update_status(edgar_cooldown_until=iso_of(math.ceil(wall_until)))
        except StateError as exc:
            log.error("%s", exc)

    client.on_block = keep
    until = state.status().get("edgar_cooldown_until")
    if isinstance(until, str):
        client.pause_until(epoch_of(until))
