"""Where alerts go: the console, a Slack bot (Web API), or an incoming webhook.

The sinks are registered in one explicit dict; the outbox loop does not care
which one it talks to. Slack errors become NotifyError with `permanent` set
when only a person can fix them (token, channel, invitation).
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Protocol, TextIO

from tracker.errors import CredentialError, NotifyError
from tracker.models import Alert
from tracker.notify import notice

log = logging.getLogger(__name__)

PERMANENT_ERRORS = {
    "invalid_auth": "the Slack token is invalid or revoked: set a valid SLACK_BOT_TOKEN",
    "not_authed": "no Slack token was sent: set SLACK_BOT_TOKEN",
    "account_inactive": "the Slack token belongs to a deleted or disabled bot",
    "token_revoked": "the Slack token was revoked: install the app again",
    "token_expired": "the Slack token expired",
    "channel_not_found": "channel {channel} not found: create it, or fix the channel in the config",
    "not_in_channel": "the bot is not in {channel}: invite it with /invite",
    "is_archived": "channel {channel} is archived",
    "restricted_action": "the workspace does not let the bot post in {channel}",
    "missing_scope": "the bot lacks the chat:write scope",
    "invalid_blocks": "Slack rejected the message layout (invalid_blocks)",
    "msg_too_long": "Slack rejected the message as too long",
    "no_service": "the webhook URL is no longer valid",
}


# auth.test answers that mean the token itself is refused (not Slack being unwell).
TOKEN_REJECTED = (
    "invalid_auth",
    "token_revoked",
    "account_inactive",
    "not_authed",
    "token_expired",
)


def _error_code(exc: Exception) -> str:
    resp = getattr(exc, "response", None)
    try:
        return str(resp.get("error", "") or "") if resp is not None else ""
    except AttributeError:
        return ""


class Sink(Protocol):
    name: str
    can_find_posted: bool

    def post(self, alert: Alert, thread_ts: str | None = None) -> str | None: ...

    def find_posted(self, alert: Alert, since: float) -> str | None: ...


class ConsoleSink:
    """Prints alerts to standard output, when no Slack is configured."""

    name = "console"
    can_find_posted = False

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout

    def post(self, alert: Alert, thread_ts: str | None = None) -> str | None:
        print(notice.console_text(alert), file=self.stream, flush=True)
        print(file=self.stream, flush=True)
        return None

    def find_posted(self, alert: Alert, since: float) -> str | None:
        return None


def _slack_error(exc: Exception, channel: str) -> NotifyError:
    from slack_sdk.errors import SlackApiError

    if isinstance(exc, SlackApiError):
        resp = exc.response
        code = str(resp.get("error", "") or "") if resp is not None else ""
        status = getattr(resp, "status_code", 0)
        if code in PERMANENT_ERRORS:
            return NotifyError(
                f"Slack: {PERMANENT_ERRORS[code].format(channel=channel)} ({code})", permanent=True
            )
        retry_after = None
        if status == 429:
            headers = getattr(resp, "headers", {}) or {}
            value = headers.get("Retry-After") or headers.get("retry-after")
            retry_after = float(value) if value else 30.0
        return NotifyError(f"Slack answered {status} {code or ''}".strip(), retry_after=retry_after)
    return NotifyError(f"Slack unreachable: {type(exc).__name__}", uncertain=True)


class SlackSink:
    """Posts with the Web API (chat.postMessage) and can look for its own past posts."""

    name = "slack"
    can_find_posted = True

    def __init__(self, token: str, base_url: str, timeout: float = 15.0):
        from slack_sdk import WebClient
        from slack_sdk.http_retry.builtin_handlers import (
            ConnectionErrorRetryHandler,
            RateLimitErrorRetryHandler,
            ServerErrorRetryHandler,
        )

        # slack-sdk retries nothing but one connection error by default: 429 and 5xx
        # need their handlers (429 honours Retry-After). Counts stay small because the
        # handlers sleep inside the poll job; the outbox retries later anyway.
        self.client = WebClient(
            token=token,
            base_url=base_url,
            timeout=int(timeout),
            retry_handlers=[
                ConnectionErrorRetryHandler(max_retry_count=2),
                RateLimitErrorRetryHandler(max_retry_count=1),
                ServerErrorRetryHandler(max_retry_count=2),
            ],
        )
        self._channel_ids: dict[str, str] = {}

    def post(self, alert: Alert, thread_ts: str | None = None) -> str | None:
        kwargs: dict[str, Any] = {}
        if thread_ts:
            kwargs = {"thread_ts": thread_ts, "reply_broadcast": True}
        try:
            resp = self.client.chat_postMessage(
                channel=alert.channel,
                text=notice.slack_text(alert),
                blocks=notice.slack_blocks(alert),
                metadata=notice.slack_metadata(alert),
                unfurl_links=False,
                unfurl_media=False,
                **kwargs,
            )
        except Exception as exc:  # slack-sdk raises several unrelated types
            raise _slack_error(exc, alert.channel) from None
        channel_id = resp.get("channel")
        if channel_id:
            self._channel_ids[alert.channel] = str(channel_id)
        return str(resp.get("ts", "")) or None

    def check_auth(self) -> str:
        """Ask Slack's auth.test whether the token is good; returns "bot on team".

        Raises CredentialError when Slack rejects the token (only a person can fix that)
        and NotifyError when Slack cannot be asked (the caller warns and goes on).
        """
        try:
            resp = self.client.auth_test()
        except Exception as exc:
            error = _slack_error(exc, "")
            code = _error_code(exc)
            if code in TOKEN_REJECTED:
                raise CredentialError(
                    f"Slack rejected the bot token ({code}): {PERMANENT_ERRORS[code]}"
                ) from None
            raise error from None
        return f"{resp.get('user') or resp.get('user_id') or 'bot'} on {resp.get('team') or '?'}"

    def find_posted(self, alert: Alert, since: float) -> str | None:
        """The ts of an earlier post of this alert, found by its metadata, if any.

        This closes the gap between "Slack accepted the post" and "we recorded it":
        after a crash there, the alert is found in the channel, not posted twice.
        """
        try:
            resp = self.client.conversations_history(
                channel=self._channel_ids.get(alert.channel, alert.channel),
                oldest=f"{max(0.0, since - 300):.6f}",
                limit=200,
                include_all_metadata=True,
            )
        except Exception as exc:
            error = _slack_error(exc, alert.channel)
            status = getattr(getattr(exc, "response", None), "status_code", 0)
            if error.uncertain or status == 429 or status >= 500:
                raise error from None
            raise NotifyError(f"channel history unreadable: {error}", permanent=True) from None
        messages: list[dict[str, Any]] = resp.get("messages", []) or []
        for msg in messages:
            if notice.is_same_post(alert, msg.get("metadata") or {}):
                return str(msg.get("ts"))
        return None


class WebhookSink:
    """Posts to an incoming webhook: one fixed channel, no history, no threads."""

    name = "webhook"
    can_find_posted = False

    def __init__(self, url: str, timeout: float = 15.0):
        from slack_sdk.webhook import WebhookClient

        self.client = WebhookClient(url=url, timeout=int(timeout))

    def post(self, alert: Alert, thread_ts: str | None = None) -> str | None:
        try:
            resp = self.client.send(
                text=notice.slack_text(alert),
                blocks=notice.slack_blocks(alert),
                unfurl_links=False,
                unfurl_media=False,
            )
        except Exception as exc:
            raise NotifyError(
                f"Slack webhook unreachable: {type(exc).__name__}", uncertain=True
            ) from None
        # WebhookClient never raises on HTTP errors: the status must be checked here.
        if resp.status_code == 200:
            return None
        code = (resp.body or "").strip()[:60]
        if resp.status_code == 429:
            value = resp.headers.get("Retry-After") or resp.headers.get("retry-after")
            raise NotifyError(
                "Slack webhook rate limited",
                retry_after=float(value[0] if isinstance(value, list) else value)
                if value
                else 30.0,
            )
        permanent = resp.status_code in (400, 403, 404, 410)
        reason = PERMANENT_ERRORS.get(code, code)
        raise NotifyError(
            f"Slack webhook answered {resp.status_code} {reason}", permanent=permanent
        )

    def find_posted(self, alert: Alert, since: float) -> str | None:
        return None


def make_sink(env: dict[str, str], slack_base_url: str, stream: TextIO | None = None) -> Sink:
    """Slack when SLACK_BOT_TOKEN is set, else a webhook, else the console."""
    token = env.get("SLACK_BOT_TOKEN", "").strip()
    if token:
        return SlackSink(token, slack_base_url)
    webhook = env.get("SLACK_WEBHOOK_URL", "").strip()
    if webhook:
        return WebhookSink(webhook)
    return ConsoleSink(stream)
