"""In-process fake of the Slack Web API and incoming webhooks, for tests.

Tests of the notifier must exercise the real ``slack_sdk`` client (its retry handlers, its
request encoding, its error mapping), so mocking the client would test our assumptions instead
of Slack's behaviour. This module therefore serves real HTTP on an ephemeral loopback port and
reproduces the parts of Slack's observable behaviour that the tracker depends on: auth
failures, unknown channels, thread-aware history, message metadata and outages (rate limits,
5xx, dropped connections, slow answers).

Only the standard library is used so the fake can run anywhere the tests run.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import sys
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, cast
from urllib.parse import parse_qs, urlsplit

from tracker.fakes.socketmode import FakeSocketMode

__all__ = ["WEBHOOK_METHOD", "FakeSlack", "RecordedRequest"]

WEBHOOK_METHOD = "webhook"
"""Pseudo method name under which webhook requests are recorded and can be scripted to fail,
because webhook URLs carry no Web API method name of their own."""

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0TEST"
TEAM_NAME = "Test"

_TS_STEP_MICROS = 100
_DEFAULT_HISTORY_LIMIT = 100
_POLL_INTERVAL = 0.01  # how often serve_forever notices shutdown(); bounds stop() latency

_DOWN_BODY = "<html><body><h1>503 Service Unavailable</h1></body></html>"
_SERVER_ERROR_BODY = "<html><body><h1>{status} Server Error</h1></body></html>"


@dataclass(frozen=True)
class RecordedRequest:
    """One request exactly as the fake understood it.

    Kept even for requests that were refused or scripted to fail, so tests can assert on
    retries and on what the client actually sent (e.g. the Authorization header).
    """

    method: str
    path: str
    http_method: str
    headers: dict[str, str]
    body: dict[str, Any]
    time: float

    def header(self, name: str) -> str | None:
        """Case-insensitive lookup, because urllib re-capitalises header names on the wire."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


@dataclass(frozen=True)
class _Script:
    """One queued abnormal answer; all-default fields mean "only delay, then answer normally"."""

    status: int | None
    error: str | None
    retry_after: int | None
    body: str | bytes | Mapping[str, Any] | None
    drop_connection: bool
    delay: float
    content_type: str | None

    @property
    def passthrough(self) -> bool:
        return (
            self.status is None
            and self.error is None
            and self.retry_after is None
            and self.body is None
            and not self.drop_connection
        )


@dataclass
class _Message:
    """A stored post, kept in the shape it was sent so tests can assert on inputs verbatim."""

    channel: str
    channel_id: str
    text: str | None
    blocks: Any
    attachments: Any
    metadata: Any
    thread_ts: str | None
    reply_broadcast: bool
    unfurl_links: Any
    unfurl_media: Any
    ts: str
    source: str

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def public(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "channel_id": self.channel_id,
            "text": self.text,
            "blocks": self.blocks,
            "attachments": self.attachments,
            "metadata": self.metadata,
            "thread_ts": self.thread_ts,
            "reply_broadcast": self.reply_broadcast,
            "unfurl_links": self.unfurl_links,
            "unfurl_media": self.unfurl_media,
            "ts": self.ts,
            "source": self.source,
        }


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


def _json_answer(payload: Mapping[str, Any], status: int = 200) -> _Answer:
    return _Answer(status, json.dumps(payload).encode("utf-8"), "application/json; charset=utf-8")


def _text_answer(text: str, status: int = 200, content_type: str = "text/plain") -> _Answer:
    return _Answer(status, text.encode("utf-8"), f"{content_type}; charset=utf-8")


def _truthy(value: Any) -> bool:
    """Slack accepts true/1/"true"/"1" alike; slack_sdk sends bools as "1"/"0" in forms."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def _ts_key(ts: Any) -> Decimal | None:
    """Compare timestamps exactly; floats lose the microsecond part at this magnitude."""
    try:
        return Decimal(str(ts))
    except (InvalidOperation, ValueError):
        return None


def _maybe_json(value: Any) -> Any:
    """Form-encoded callers send blocks/metadata as JSON strings; normalise to structures."""
    if isinstance(value, str) and value[:1] in {"{", "["}:
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


class _Server(ThreadingHTTPServer):
    """Carries the owning fake to handlers and keeps client hang-ups out of stderr."""

    daemon_threads = True
    fake: FakeSlack

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or abort mid-answer are expected in outage tests; anything
        # else is a bug in the fake and is kept for tests to surface via FakeSlack.errors.
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        self.fake._record_error(exc)


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: per-request stderr noise would drown pytest's own output."""

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

    def _handle(self) -> None:
        fake = cast(_Server, self.server).fake
        raw = self._read_body()
        answer = fake._dispatch(
            http_method=self.command,
            target=self.path,
            headers=dict(self.headers.items()),
            raw_body=raw,
        )
        if answer is None:
            # Simulated network failure: leave without a status line; the server closes the
            # socket, which the client sees as RemoteDisconnected / connection reset.
            self.close_connection = True
            return
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test); nothing to deliver to

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            return self.rfile.read(int(length))
        except ValueError:
            return b""


class FakeSlack:
    """A real HTTP server that behaves like the slice of Slack the tracker talks to.

    ``channels=None`` accepts any ``#name`` or ``C...`` id so quick tests need no setup; pass
    an explicit set to make ``channel_not_found`` reachable. Channel names map to stable fake
    ids so code that stores ids (from chat.postMessage answers) keeps working across runs.
    """

    def __init__(
        self,
        token: str = "xoxb-test",
        channels: Iterable[str] | None = None,
        webhook_channel: str = "#filings",
        app_token: str = "xapp-1-test",
    ) -> None:
        self.token = token
        self.app_token = app_token
        self.socket_mode = FakeSocketMode()
        self.user_groups: dict[str, list[str]] = {}
        self._responses: list[dict[str, Any]] = []
        self.webhook_channel = webhook_channel
        self._strict_channels = channels is not None
        self._cond = threading.Condition(threading.Lock())
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._started = False
        self._requests: list[RecordedRequest] = []
        self._messages: list[_Message] = []
        self._errors: list[BaseException] = []
        self._scripts: dict[str, deque[_Script]] = {}
        self._down = False
        self._rejection: str | None = None
        self._ts_counter = 0
        self._name_by_id: dict[str, str] = {}
        for name in channels or ():
            self._name_by_id[self.channel_id(name)] = name
        self._name_by_id.setdefault(self.channel_id(webhook_channel), webhook_channel)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        """Bind before returning so base_url is valid as soon as the caller gets control."""
        if self._started:
            raise RuntimeError("FakeSlack already started (it cannot be restarted)")
        self._started = True
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"FakeSlack:{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        self.socket_mode.start()
        return self

    def stop(self) -> None:
        """Idempotent so fixtures can stop unconditionally; wakes delayed handlers first so a
        pending ``delay`` script cannot hold the test run hostage."""
        self._stopping.set()
        self.socket_mode.stop()
        server, self._server = self._server, None
        thread, self._thread = self._thread, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5.0)
        with self._cond:
            self._cond.notify_all()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not running; call start() or use it as a context")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """Ends with '/' because WebClient concatenates the method name directly."""
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def webhook_url(self) -> str:
        """Any path under /services/ works; this one just looks like a real webhook URL."""
        return f"http://127.0.0.1:{self.port}/services/{TEAM_ID}/B00000000/fakewebhooksecret"

    def response_url(self, name: str = "1") -> str:
        """Where a slash command's delayed answers go (Slack's hooks.slack.com/commands/...)."""
        return f"http://127.0.0.1:{self.port}/commands/{TEAM_ID}/{name}/fakeresponsesecret"

    def responses(self) -> list[dict[str, Any]]:
        """JSON bodies posted to response URLs, oldest first."""
        with self._cond:
            return list(self._responses)

    def wait_for_responses(self, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        with self._cond:
            self._cond.wait_for(lambda: len(self._responses) >= count, timeout)
            return list(self._responses)

    @staticmethod
    def channel_id(name: str) -> str:
        """Derived from the name so ids are stable across processes and test runs."""
        if not name.startswith("#") and name.startswith("C"):
            return name
        return f"C{zlib.crc32(name.encode('utf-8')):08X}"

    # ------------------------------------------------------------------ scripting

    def fail_next(
        self,
        method: str,
        count: int = 1,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = None,
        body: str | bytes | Mapping[str, Any] | None = None,
        drop_connection: bool = False,
        delay: float = 0.0,
        content_type: str | None = None,
    ) -> None:
        """Queue ``count`` abnormal answers for ``method`` (FIFO, consumed before auth).

        Defaults keep call sites short: ``status`` falls back to 429 when ``retry_after`` is
        given, to 200 when only ``error`` is given (Slack's logical failures), else 500.
        ``body`` falls back to ``{"ok": false, "error": ...}`` (``ratelimited`` for 429) or an
        HTML page for 5xx, like a load balancer would serve. With nothing but ``delay`` set,
        the request is answered normally after the delay. Use ``WEBHOOK_METHOD`` for webhooks.
        """
        if count < 0:
            raise ValueError("count must be >= 0")
        if delay < 0:
            raise ValueError("delay must be >= 0")
        script = _Script(status, error, retry_after, body, drop_connection, delay, content_type)
        with self._cond:
            self._scripts.setdefault(method, deque()).extend([script] * count)

    def reject_token(self, error: str | None = "token_revoked") -> None:
        """Answer every authenticated call, auth.test included, with ``error`` (Slack's
        answer to a revoked or deleted bot's token); ``None`` accepts the token again."""
        with self._cond:
            self._rejection = error

    def set_down(self, down: bool = True) -> None:
        """Simulate a full outage (every request, webhooks included, answers 503)."""
        with self._cond:
            self._down = down

    # ------------------------------------------------------------------ assertions

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot, so callers can iterate while the server keeps recording."""
        with self._cond:
            return list(self._requests)

    def requests_for(self, method: str) -> list[RecordedRequest]:
        with self._cond:
            return [r for r in self._requests if r.method == method]

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised inside the fake itself; a non-empty list means a bug in the fake."""
        with self._cond:
            return list(self._errors)

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Successfully posted messages in posting order; ``channel`` may be a name or an id."""
        with self._cond:
            return [m.public() for m in self._messages if self._matches(m, channel)]

    def wait_for_messages(
        self, n: int, timeout: float = 5.0, channel: str | None = None
    ) -> list[dict[str, Any]]:
        """Block until at least ``n`` messages exist, because the code under test may post
        from a background thread; fails loudly instead of letting a test hang."""
        with self._cond:
            done = self._cond.wait_for(
                lambda: (
                    self._stopping.is_set()
                    or sum(1 for m in self._messages if self._matches(m, channel)) >= n
                ),
                timeout=timeout,
            )
            found = [m.public() for m in self._messages if self._matches(m, channel)]
        if not done or len(found) < n:
            where = f" in {channel}" if channel else ""
            texts = [m["text"] for m in found]
            raise AssertionError(
                f"expected at least {n} Slack message(s){where} within {timeout}s, "
                f"got {len(found)}: {texts!r}"
            )
        return found

    # ------------------------------------------------------------------ internals

    def _record_error(self, exc: BaseException | None) -> None:
        if exc is not None:
            with self._cond:
                self._errors.append(exc)

    @staticmethod
    def _matches(message: _Message, channel: str | None) -> bool:
        return channel is None or channel in {message.channel, message.channel_id}

    def _resolve_channel(self, value: Any) -> tuple[str, str] | None:
        """Return (name, id) or None; caller holds the lock."""
        if not isinstance(value, str) or not value:
            return None
        if value in self._name_by_id:
            return self._name_by_id[value], value
        cid = self.channel_id(value)
        if self._name_by_id.get(cid) == value:
            return value, cid
        if self._strict_channels:
            return None
        if value.startswith("#"):
            self._name_by_id[cid] = value
            return value, cid
        if value.startswith("C"):
            self._name_by_id[value] = value
            return value, value
        return None

    def _next_ts(self) -> str:
        """Wall-clock time like Slack's (clients filter history with `oldest`), kept
        strictly increasing so ordering and thread lookups are exact."""
        now_micros = int(time.time() * 1_000_000)
        self._ts_counter = max(self._ts_counter + _TS_STEP_MICROS, now_micros)
        seconds, micros = divmod(self._ts_counter, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def _parse_body(self, content_type: str, raw: bytes, query: str) -> tuple[dict[str, Any], bool]:
        """Return (params, valid_json); query params and body are merged like Slack does."""
        params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, True).items()}
        ctype = content_type.split(";", 1)[0].strip().lower()
        if not raw:
            return params, True
        if ctype == "application/json" or (not ctype and raw.lstrip()[:1] == b"{"):
            try:
                parsed = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return params, False
            if not isinstance(parsed, dict):
                return params, False
            params.update(parsed)
        elif ctype == "multipart/form-data":
            head = f"Content-Type: {content_type}\r\n\r\n".encode()
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name:
                    payload = cast(bytes, part.get_payload(decode=True) or b"")
                    params[str(name)] = payload.decode("utf-8", "replace")
        else:
            text = raw.decode("utf-8", "replace")
            params.update({k: v[-1] for k, v in parse_qs(text, True).items()})
        return params, True

    def _dispatch(
        self, *, http_method: str, target: str, headers: dict[str, str], raw_body: bytes
    ) -> _Answer | None:
        """Single entry point for every request; returning None means drop the connection."""
        split = urlsplit(target)
        path = split.path
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        params, valid_json = self._parse_body(content_type, raw_body, split.query)
        is_webhook = path.startswith("/services/")
        if is_webhook:
            method = WEBHOOK_METHOD
        elif path.startswith("/api/"):
            method = path[len("/api/") :]
        else:
            method = path.lstrip("/")
        with self._cond:
            self._requests.append(
                RecordedRequest(method, path, http_method, headers, params, time.time())
            )
            down = self._down
            queue = None if down else self._scripts.get(method)
            script = queue.popleft() if queue else None

        if down:
            return _text_answer(_DOWN_BODY, 503, "text/html")
        if script is not None:
            if script.delay and self._stopping.wait(script.delay):
                return None  # stopping: abandon the request instead of answering late
            if not script.passthrough:
                return self._scripted_answer(script)

        if is_webhook:
            return self._webhook(params, valid_json)
        if path.startswith("/commands/"):
            return self._command_response(params, valid_json)
        if method == "apps.connections.open":
            return self._apps_connections_open(headers)
        handler = self._METHODS.get(method)
        if handler is None:
            return _json_answer({"ok": False, "error": "unknown_method"}, 404)
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if not auth:
            return _json_answer({"ok": False, "error": "not_authed"})
        if auth != f"Bearer {self.token}":
            return _json_answer({"ok": False, "error": "invalid_auth"})
        with self._cond:
            rejection = self._rejection
        if rejection:
            return _json_answer({"ok": False, "error": rejection})
        if not valid_json:
            return _json_answer({"ok": False, "error": "invalid_json"})
        return handler(self, params)

    @staticmethod
    def _scripted_answer(script: _Script) -> _Answer | None:
        if script.drop_connection:
            return None
        status = script.status
        if status is None:
            status = 429 if script.retry_after is not None else 200 if script.error else 500
        extra: tuple[tuple[str, str], ...] = ()
        if script.retry_after is not None:
            extra = (("Retry-After", str(script.retry_after)),)
        body = script.body
        if body is None:
            if script.error is not None:
                body = {"ok": False, "error": script.error}
            elif status == 429:
                body = {"ok": False, "error": "ratelimited"}
            elif status >= 500:
                body = _SERVER_ERROR_BODY.format(status=status)
            else:
                body = {"ok": False, "error": "fatal_error"}
        if isinstance(body, Mapping):
            data = json.dumps(dict(body)).encode("utf-8")
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = bytes(body)
        ctype = script.content_type
        if ctype is None:
            looks_json = data.lstrip()[:1] in {b"{", b"["}
            ctype = "application/json; charset=utf-8" if looks_json else "text/html; charset=utf-8"
        return _Answer(status, data, ctype, extra)

    def _store(self, params: Mapping[str, Any], name: str, cid: str, source: str) -> _Message:
        """Caller holds the lock; notifying here is what wakes wait_for_messages."""
        thread_ts = params.get("thread_ts")
        message = _Message(
            channel=name,
            channel_id=cid,
            text=params.get("text"),
            blocks=_maybe_json(params.get("blocks")),
            attachments=_maybe_json(params.get("attachments")),
            metadata=_maybe_json(params.get("metadata")),
            thread_ts=str(thread_ts) if thread_ts not in (None, "") else None,
            reply_broadcast=_truthy(params.get("reply_broadcast", False)),
            unfurl_links=params.get("unfurl_links"),
            unfurl_media=params.get("unfurl_media"),
            ts=self._next_ts(),
            source=source,
        )
        self._messages.append(message)
        self._cond.notify_all()
        return message

    def _render(self, message: _Message, include_metadata: bool) -> dict[str, Any]:
        """Shape a stored message like Slack's history items; caller holds the lock."""
        out: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "ts": message.ts,
            "text": message.text or "",
        }
        if message.blocks is not None:
            out["blocks"] = message.blocks
        if message.attachments is not None:
            out["attachments"] = message.attachments
        if include_metadata and message.metadata is not None:
            out["metadata"] = message.metadata
        if message.is_reply:
            out["thread_ts"] = message.thread_ts
            if message.reply_broadcast:
                out["subtype"] = "thread_broadcast"
        else:
            replies = [
                m
                for m in self._messages
                if m.is_reply and m.thread_ts == message.ts and m.channel_id == message.channel_id
            ]
            if replies:
                out["thread_ts"] = message.ts
                out["reply_count"] = len(replies)
                out["latest_reply"] = replies[-1].ts
        return out

    # ------------------------------------------------------------------ API methods

    def _auth_test(self, params: Mapping[str, Any]) -> _Answer:
        return _json_answer(
            {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": TEAM_NAME,
                "user": "tracker-bot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        )

    def _chat_post_message(self, params: Mapping[str, Any]) -> _Answer:
        with self._cond:
            resolved = self._resolve_channel(params.get("channel"))
            if resolved is None:
                return _json_answer({"ok": False, "error": "channel_not_found"})
            if (
                not params.get("text")
                and not params.get("blocks")
                and not params.get("attachments")
            ):
                return _json_answer({"ok": False, "error": "no_text"})
            message = self._store(params, *resolved, source="api")
            rendered = self._render(message, include_metadata=True)
        return _json_answer(
            {"ok": True, "channel": message.channel_id, "ts": message.ts, "message": rendered}
        )

    def _history_params(
        self, params: Mapping[str, Any]
    ) -> tuple[tuple[str, str] | None, int, bool]:
        try:
            limit = int(params.get("limit") or _DEFAULT_HISTORY_LIMIT)
        except (TypeError, ValueError):
            limit = _DEFAULT_HISTORY_LIMIT
        limit = max(1, min(limit, 999))
        include = _truthy(params.get("include_all_metadata", False))
        return self._resolve_channel(params.get("channel")), limit, include

    def _conversations_history(self, params: Mapping[str, Any]) -> _Answer:
        with self._cond:
            resolved, limit, include = self._history_params(params)
            if resolved is None:
                return _json_answer({"ok": False, "error": "channel_not_found"})
            oldest = _ts_key(params.get("oldest") or "0")
            latest = _ts_key(params.get("latest")) if params.get("latest") else None
            inclusive = _truthy(params.get("inclusive", False))
            items = []
            for m in reversed(self._messages):
                if m.channel_id != resolved[1] or (m.is_reply and not m.reply_broadcast):
                    continue
                key = Decimal(m.ts)
                if oldest is not None and (key < oldest or (key == oldest and not inclusive)):
                    continue
                if latest is not None and (key > latest or (key == latest and not inclusive)):
                    continue
                items.append(m)
            page = [self._render(m, include) for m in items[:limit]]
        return _json_answer(
            {"ok": True, "messages": page, "has_more": len(items) > limit, "pin_count": 0}
        )

    def _conversations_replies(self, params: Mapping[str, Any]) -> _Answer:
        with self._cond:
            resolved, limit, include = self._history_params(params)
            if resolved is None:
                return _json_answer({"ok": False, "error": "channel_not_found"})
            ts = params.get("ts")
            in_channel = [m for m in self._messages if m.channel_id == resolved[1]]
            target = next((m for m in in_channel if m.ts == ts), None)
            if target is None:
                return _json_answer({"ok": False, "error": "thread_not_found"})
            root = target.thread_ts if target.is_reply else target.ts
            thread = [m for m in in_channel if m.ts == root or (m.is_reply and m.thread_ts == root)]
            page = [self._render(m, include) for m in thread[:limit]]
        return _json_answer({"ok": True, "messages": page, "has_more": len(thread) > limit})

    def _webhook(self, params: Mapping[str, Any], valid_json: bool) -> _Answer:
        """Webhooks answer plain text, not JSON, and never carry metadata."""
        if "payload" in params and isinstance(params["payload"], str):
            try:
                params = json.loads(params["payload"])
            except json.JSONDecodeError:
                valid_json = False
        if not valid_json or not isinstance(params, Mapping):
            return _text_answer("invalid_payload", 400)
        if not params.get("text") and not params.get("blocks") and not params.get("attachments"):
            return _text_answer("no_text", 400)
        with self._cond:
            cleaned = {k: v for k, v in params.items() if k != "metadata"}
            self._store(
                cleaned,
                self.webhook_channel,
                self.channel_id(self.webhook_channel),
                source="webhook",
            )
        return _text_answer("ok")

    def _apps_connections_open(self, headers: Mapping[str, str]) -> _Answer:
        """Socket Mode's entry: only the app-level token opens it, never the bot token."""
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if auth != f"Bearer {self.app_token}":
            error = "not_allowed_token_type" if auth.startswith("Bearer xoxb-") else "invalid_auth"
            return _json_answer({"ok": False, "error": error})
        return _json_answer({"ok": True, "url": self.socket_mode.url})

    def _command_response(self, params: Mapping[str, Any], valid_json: bool) -> _Answer:
        if not valid_json or not (params.get("text") or params.get("blocks")):
            return _text_answer("invalid_payload", 400)
        with self._cond:
            self._responses.append(dict(params))
            self._cond.notify_all()
        return _text_answer("ok")

    def _usergroups_users_list(self, params: Mapping[str, Any]) -> _Answer:
        group = params.get("usergroup")
        if group not in self.user_groups:
            return _json_answer({"ok": False, "error": "no_such_subteam"})
        return _json_answer({"ok": True, "users": list(self.user_groups[group])})

    _METHODS: ClassVar[dict[str, Callable[[FakeSlack, Mapping[str, Any]], _Answer]]] = {
        "auth.test": _auth_test,
        "usergroups.users.list": _usergroups_users_list,
        "chat.postMessage": _chat_post_message,
        "conversations.history": _conversations_history,
        "conversations.replies": _conversations_replies,
    }
