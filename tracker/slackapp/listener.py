"""Socket Mode beside the poll loop: `/tracker` reaches the daemon with no public URL.

slack_sdk's built-in Socket Mode client keeps the WebSocket up: it pings, and reconnects
when the link closes, goes stale or Slack sends a `disconnect` envelope. Commands run on
its worker threads, never on the poll thread, so a poll never waits for a command. Each
envelope is acknowledged within Slack's 3 seconds: with the answer when it is ready in
time, else empty, and the answer follows on the command's response_url.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any
from urllib.parse import urlsplit

import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse

from tracker.errors import ConfigError
from tracker.slackapp.commands import Answer, SlashCommand, Workspace, answer
from tracker.slackapp.names import edgar_name

log = logging.getLogger(__name__)

APP_TOKEN_ENV = "SLACK_APP_TOKEN"
ACK_WITHIN = 2.0  # seconds; Slack shows the user an error after 3
GROUP_CACHE_SECONDS = 300.0
_FATAL_ERRORS = {"invalid_auth", "not_authed", "not_allowed_token_type", "token_revoked"}
_SLACK_HOOKS = "https://hooks.slack.com/"


def app_token(env: Mapping[str, str]) -> str | None:
    """The app-level token, or None when slash commands are not wanted.

    A bot token pasted into SLACK_APP_TOKEN is a common slip; it is refused here with the
    variable's name (never its value), instead of failing later inside the client.
    """
    token = env.get(APP_TOKEN_ENV, "").strip()
    if not token:
        return None
    if not token.startswith("xapp-"):
        raise ConfigError(
            APP_TOKEN_ENV,
            "must be an app-level token (it starts with xapp-; create one under Basic "
            "Information, App-Level Tokens, with the connections:write scope)",
        )
    return token


class CommandListener:
    """One Socket Mode connection for the daemon's lifetime, stopped with it."""

    def __init__(
        self,
        token: str,
        base_url: str,
        workspace: Workspace,
        bot_token: str | None = None,
        ping_interval: float = 10.0,
    ):
        self._token = token
        self._base_url = base_url
        self._bot_token = bot_token
        self._ping_interval = ping_interval
        self.workspace = Workspace(
            workspace.config_path,
            workspace.state_dir,
            workspace.config,
            self._group_members,
            edgar_name,
            workspace.today,
        )
        self._stopping = threading.Event()
        self._client: SocketModeClient | None = None
        self._answers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="slash")
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}
        self._groups_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()  # set once the first connection is up

    def start(self) -> None:
        """Connect in the background: Slack being down must not hold the first poll."""
        self._thread = threading.Thread(target=self._connect, name="socket-mode", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        client = self._client
        if client is not None:
            # close() waits for the receive thread's socket timeout (3 s on a plain socket);
            # the daemon's stop must not, and nothing is lost by closing in the background.
            threading.Thread(target=client.close, name="socket-mode-close", daemon=True).start()
        self._answers.shutdown(wait=False, cancel_futures=True)

    def _connect(self) -> None:
        sdk_log = logging.getLogger("tracker.slackapp.sdk")
        if not log.isEnabledFor(logging.DEBUG):
            sdk_log.setLevel(logging.WARNING)  # its per-connection INFO lines are noise here
        delay = 5.0
        while not self._stopping.is_set():
            client = SocketModeClient(
                app_token=self._token,
                web_client=WebClient(base_url=self._base_url, timeout=10),
                logger=sdk_log,
                ping_interval=self._ping_interval,
            )
            client.message_listeners.append(self._on_message)
            try:
                client.connect()
            except SlackApiError as exc:
                client.close()
                error = str(exc.response.get("error", "unknown error"))
                if error in _FATAL_ERRORS:
                    log.error(
                        "slash commands are off: Slack refused %s (%s); fix the token and "
                        "restart the tracker",
                        APP_TOKEN_ENV,
                        error,
                    )
                    return
                log.warning("slash commands: Slack said %s; retrying in %.0fs", error, delay)
            except Exception as exc:
                client.close()
                log.warning(
                    "slash commands: cannot reach Slack (%s); retrying in %.0fs",
                    type(exc).__name__,
                    delay,
                )
            else:
                if client.is_connected():
                    self._client = client
                    log.info("slash commands: connected to Slack over Socket Mode")
                    self.connected.set()
                    return
                client.close()
                log.warning("slash commands: the WebSocket did not open; retrying in %.0fs", delay)
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, 300.0)

    # ------------------------------------------------------------------ envelopes

    def _on_message(self, client: Any, message: dict[str, Any], raw: str | None = None) -> None:
        kind = message.get("type")
        if kind in ("hello", "disconnect"):
            return  # the client handles both itself
        envelope_id = message.get("envelope_id")
        if not isinstance(envelope_id, str) or not envelope_id:
            log.warning("slash commands: ignored a message without an envelope_id (type %r)", kind)
            return
        if kind != "slash_commands":
            self._ack(client, envelope_id)  # events and interactions are not ours; ack anyway
            return
        payload = message.get("payload")
        if not isinstance(payload, dict):
            log.warning("slash commands: envelope %s carried no command payload", envelope_id)
            self._ack(client, envelope_id, Answer("That request carried no command."))
            return
        command = SlashCommand(
            text=_string(payload.get("text")),
            user_id=_string(payload.get("user_id")),
            channel_id=_string(payload.get("channel_id")),
            channel_name=_string(payload.get("channel_name")),
        )
        log.info(
            "slash commands: %s in %s: /tracker %s",
            command.user_id or "(no user)",
            command.channel_id or "(no channel)",
            command.text[:120],
        )
        future = self._answers.submit(answer, command, self.workspace)
        try:
            result = future.result(timeout=ACK_WITHIN)
        except FutureTimeout:
            self._ack(client, envelope_id)
            url = _string(payload.get("response_url"))
            future.add_done_callback(lambda done: self._respond_later(url, done))
            return
        self._ack(client, envelope_id, result)

    def _ack(self, client: Any, envelope_id: str, result: Answer | None = None) -> None:
        body = _body(result) if result is not None else None
        try:
            client.send_socket_mode_response(SocketModeResponse(envelope_id, payload=body))
        except Exception as exc:
            log.warning("slash commands: could not acknowledge %s (%s)", envelope_id, exc)

    def _respond_later(self, url: str, done: Future[Answer]) -> None:
        if not self._trusted(url):
            log.warning("slash commands: no usable response_url; a slow answer was dropped")
            return
        try:
            requests.post(url, json=_body(done.result()), timeout=10)
        except requests.RequestException as exc:
            log.warning("slash commands: answer not delivered (%s)", type(exc).__name__)

    def _trusted(self, url: str) -> bool:
        """Only Slack's own hooks, or the Slack that base_url names (a local one in tests)."""
        if url.startswith(_SLACK_HOOKS):
            return True
        here, there = urlsplit(self._base_url), urlsplit(url)
        return bool(url) and (here.scheme, here.netloc) == (there.scheme, there.netloc)

    # ------------------------------------------------------------------ user groups

    def _group_members(self, group: str) -> frozenset[str]:
        """Members of a user group named in `editors`, cached for a few minutes."""
        now = time.monotonic()
        with self._groups_lock:
            cached = self._groups.get(group)
            if cached and now - cached[0] < GROUP_CACHE_SECONDS:
                return cached[1]
        members: frozenset[str] = frozenset()
        if self._bot_token:
            try:
                response = WebClient(
                    token=self._bot_token, base_url=self._base_url, timeout=5
                ).usergroups_users_list(usergroup=group)
                members = frozenset(str(u) for u in response.get("users") or [])
            except SlackApiError as exc:
                log.warning(
                    "slash commands: cannot read user group %s (%s); it needs the "
                    "usergroups:read scope",
                    group,
                    exc.response.get("error", "unknown error"),
                )
            except Exception as exc:
                log.warning("slash commands: cannot read user group %s (%s)", group, exc)
        with self._groups_lock:
            self._groups[group] = (now, members)
        return members


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _body(result: Answer) -> dict[str, Any]:
    return {
        "response_type": "in_channel" if result.in_channel else "ephemeral",
        "text": result.text,
    }
