"""The one HTTP client for EDGAR, built around SEC's fair-access rules.

SEC asks every automated tool to declare itself in the User-Agent, to stay under
10 requests per second, and to back off when told to. It answers abusers with a
403 or with an HTML page ("Request Rate Threshold Exceeded", "Undeclared
Automated Tool"), sometimes with status 200, and keeps them out until they have
been quiet for 10 minutes. See https://www.sec.gov/os/accessing-edgar-data.
"""

from __future__ import annotations

import contextlib
import logging
import math
import random
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from tracker.errors import EdgarBlocked, FetchError

log = logging.getLogger(__name__)

ALLOWED_PREFIXES = ("/Archives/", "/cgi-bin/browse-edgar")
BLOCK_MARKERS = (
    b"Request Rate Threshold Exceeded",
    b"Undeclared Automated Tool",
    b"Your Request Originates from an Undeclared Automated Tool",
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
# Request starts are spaced 1% wider than 1/rate, a margin for clock and scheduling jitter.
RATE_SLACK = 1.01
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class RateLimiter:
    """At most `rate` requests in any one-second window, across all threads.

    A burst (a new filing's index.json and documents) goes out at once, which is what
    makes an alert land within a second; a spaced limiter would add 0.1 s per request.
    SEC counts arrivals, though, and a request can arrive well after it starts (a new
    TLS connection) while a later one arrives at once. So the window is counted from
    when a request *finished* (`done`): a request may start only one second after the
    one `rate` places before it had its answer, and by then that one had certainly
    arrived, whatever the network did. Request k then arrives more than a second after
    request k - rate, so no one-second window ever holds more than `rate` arrivals.
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not rate > 0:
            raise ValueError(f"the request rate must be positive, not {rate}")
        self.per_window = max(1, int(rate))
        self.window = max(1.0, self.per_window / rate) * RATE_SLACK
        # For each of the last `per_window` requests: when it finished, or started if running.
        self._recent: deque[list[float]] = deque(maxlen=self.per_window)
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def wait(self) -> list[float]:
        """Sleep until a request may start; pass the returned slot to done() afterwards."""
        with self._lock:
            now = self._clock()
            start = now
            if len(self._recent) == self._recent.maxlen:
                start = max(start, self._recent[0][0] + self.window)
            slot = [start]
            self._recent.append(slot)
        if start > now:
            self._sleep(start - now)
        return slot

    def inherit(self, old: RateLimiter) -> None:
        """Count the requests another limiter let through (a rebuilt client), so a reload
        cannot start a fresh burst inside the same second."""
        with old._lock:
            recent = [list(slot) for slot in old._recent]
        with self._lock:
            for slot in recent[-self.per_window :]:
                self._recent.append(slot)

    def done(self, slot: list[float]) -> None:
        """Record that the request given `slot` has had its answer (or failed)."""
        with self._lock:
            slot[0] = max(slot[0], self._clock())


class _Watch:
    """The connections of one request, and a deadline that cuts them off.

    A read timeout bounds each wait for bytes, not the whole answer: a server that sends
    its headers one byte a second never trips it. At the deadline the watchdog shuts the
    request's sockets down, which wakes the blocked read wherever it is (status line,
    headers or body); the connect has its own timeout.
    """

    def __init__(self) -> None:
        self.expired = False
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()

    def add(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            expired = self.expired
        if expired:
            _shut(connection)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)


def _shut(connection: HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


_current = threading.local()  # the _Watch of the request this thread is making


class _WatchedMixin:
    """A connection that registers with the current request's _Watch."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = getattr(_current, "watch", None)
        if watch is not None:
            watch.add(self)
        super().request(*args, **kwargs)  # type: ignore[misc]

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        watch = getattr(_current, "watch", None)
        if watch is not None and watch.expired:
            _shut(self)  # type: ignore[arg-type]


class _WatchedHTTPConnection(_WatchedMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedMixin, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections a _Watch can cut off."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


@dataclass
class Response:
    """What callers need of an HTTP response, with the body already read and capped."""

    url: str
    status: int
    content: bytes
    headers: dict[str, str]
    truncated: bool = False


class EdgarClient:
    """GETs from the configured EDGAR host only, politely and with retries.

    Raises FetchError (retryable unless a 404 or a refused path) or EdgarBlocked
    (SEC asked us to stop; every request fails fast until the cool-down ends).
    """

    def __init__(
        self,
        base_url: str,
        user_agent: str,
        *,
        max_rps: float = 10.0,
        timeout: float = 20.0,
        cooldown: float = 600.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_retry_after: float = 30.0,
        max_bytes: int = 20_000_000,
        total_timeout: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        allowed: tuple[str, ...] = ALLOWED_PREFIXES,
    ):
        if not user_agent.strip():
            raise ValueError("a User-Agent is required by SEC fair access")
        if _CONTROL_RE.search(user_agent):
            raise ValueError("the User-Agent must be one line without control characters")
        self.base_url = base_url.rstrip("/")
        self._host = urlsplit(self.base_url).netloc
        self.session = requests.Session()
        self.session.mount("http://", _WatchedAdapter())
        self.session.mount("https://", _WatchedAdapter())
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        self.limiter = RateLimiter(min(max_rps, 10.0), clock=clock, sleep=sleep)
        self.timeout = timeout
        # The read timeout bounds each wait for bytes; this hard deadline bounds a whole
        # request (status line, headers and body; the connect has its own timeout), so a
        # server that trickles bytes cannot hold a poll cycle.
        self.total_timeout = total_timeout if total_timeout is not None else 3 * timeout
        # The end of the caller's time budget (see budget()), on time.monotonic().
        self._budget_end: float | None = None
        self.cooldown = cooldown
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.max_bytes = max_bytes
        self._sleep = sleep
        self._clock = clock
        self.blocked_until = 0.0
        self.request_count = 0
        self.allowed = allowed
        # Told the wall-clock end of every cool-down, so the caller can keep it in the
        # state: SEC's pause holds across runs and restarts, not only inside this process.
        self.on_block: Callable[[float], None] | None = None
        # Answers by status ("200", "404", "error" for no answer), for the metrics.
        self.responses: dict[str, int] = {}
        # Called before every attempt: the daemon's proof of progress for systemd's watchdog.
        self.progress: Callable[[], None] | None = None

    def pause_until(self, wall_until: float) -> None:
        """Honour a cool-down that ends at `wall_until` (epoch seconds), e.g. one that an
        earlier run started and kept in the state."""
        remaining = wall_until - time.time()
        if remaining > 0:
            self.blocked_until = max(self.blocked_until, self._clock() + remaining)

    def take_over(self, old: EdgarClient) -> None:
        """Continue where `old` left off (a reload rebuilt the client): the requests it
        sent still count against the rate limit, its cool-down still holds, and its
        counters go on."""
        self.limiter.inherit(old.limiter)
        self.blocked_until = max(self.blocked_until, old.blocked_until)
        self.request_count = old.request_count
        self.progress = old.progress
        for key, n in old.responses.items():
            self.responses[key] = self.responses.get(key, 0) + n
        old.session.close()

    def cooldown_remaining(self) -> float:
        """Seconds until EDGAR may be asked again; 0 when not cooling down."""
        return max(0.0, self.blocked_until - self._clock())

    def url_for(self, path: str) -> str:
        return self.base_url + path

    def check_url(self, url: str) -> str:
        """Return the path+query of `url` if it is on our EDGAR host and allowed paths.

        Raises FetchError(retryable=False) for anything else, before any request.
        """
        parts = urlsplit(url)
        if (parts.scheme or parts.netloc) and (
            parts.netloc != self._host or parts.scheme not in ("http", "https")
        ):
            raise FetchError(
                f"refusing to fetch from another host: {url}", url=url, retryable=False
            )
        path = parts.path
        # Check the decoded path too: a server may decode %2e%2e or %2f before resolving.
        decoded = unquote(path)
        segments = decoded.replace("\\", "/").split("/")
        if (
            ".." in segments
            or _CONTROL_RE.search(decoded + unquote(parts.query))
            or " " in path
            or not self._allowed(path)
            or not self._allowed(decoded)
        ):
            raise FetchError(
                f"refusing to fetch outside {' and '.join(self.allowed)}: {url}",
                url=url,
                retryable=False,
            )
        return path + (f"?{parts.query}" if parts.query else "")

    def _allowed(self, path: str) -> bool:
        """A prefix ending in "/" allows the tree below it; any other allows that path only."""
        return any(
            path.startswith(prefix) if prefix.endswith("/") else path == prefix
            for prefix in self.allowed
        )

    @contextlib.contextmanager
    def budget(self, seconds: float) -> Iterator[None]:
        """Requests made inside share `seconds` in all, retries and backoff included.

        When the budget is used up a request fails with a retryable FetchError, so one
        slow filing or feed delays only itself and is tried again next cycle.
        """
        previous = self._budget_end
        end = time.monotonic() + seconds
        self._budget_end = end if previous is None else min(previous, end)
        try:
            yield
        finally:
            self._budget_end = previous

    def _remaining(self, url: str) -> float:
        if self._budget_end is None:
            return math.inf
        left = self._budget_end - time.monotonic()
        if left <= 0:
            raise FetchError(f"time budget used up before {url}; trying again later", url=url)
        return left

    def get(self, path_or_url: str, *, max_bytes: int | None = None) -> Response:
        """GET a path on the EDGAR host, retrying transient failures with backoff.

        Redirects are followed only within the allowed paths of our host, and each hop
        counts against the rate limit like any request.
        """
        url = self.url_for(self.check_url(path_or_url))
        limit = max_bytes or self.max_bytes
        attempt = 0
        hops = 0
        while True:
            if self.progress is not None:
                self.progress()
            self._check_blocked(url)
            allowed = min(self.total_timeout, self._remaining(url))
            slot = self.limiter.wait()
            self.request_count += 1
            resp: Response | None = None
            try:
                resp = self._get_once(url, limit, allowed)
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                error = FetchError(f"EDGAR request failed: {type(exc).__name__} for {url}", url=url)
                delay = self._backoff(attempt)
            finally:
                self.limiter.done(slot)
            key = str(resp.status) if resp is not None else "error"
            self.responses[key] = self.responses.get(key, 0) + 1
            if resp is not None:
                if resp.status == 403 or self._is_block_page(resp):
                    self._block(url, resp.status, self.cooldown)
                location = resp.headers.get("location")
                if resp.status in REDIRECT_STATUSES and location:
                    hops += 1
                    if hops > MAX_REDIRECTS:
                        raise FetchError(f"too many redirects for {url}", url=url)
                    url = self.url_for(self.check_url(urljoin(url, location)))
                    continue
                if resp.status < 400:
                    return resp
                error = FetchError(
                    f"EDGAR answered {resp.status} for {url}",
                    url=url,
                    status=resp.status,
                    retryable=resp.status != 404,
                )
                if resp.status not in RETRY_STATUSES:
                    raise error
                retry_after = self._retry_after(resp)
                if retry_after is not None and retry_after > self.max_retry_after:
                    # A long Retry-After is SEC asking us to go away: pause everything.
                    self._block(url, resp.status, min(retry_after, max(self.cooldown, 3600.0)))
                delay = self._backoff(attempt) if retry_after is None else retry_after
            attempt += 1
            if attempt > self.retries or delay >= self._remaining(url):
                raise error
            log.info("EDGAR retry %d/%d in %.1fs: %s", attempt, self.retries, delay, error)
            self._sleep(delay)

    def _get_once(self, url: str, limit: int, allowed: float) -> Response:
        """One request that ends within `allowed` seconds, whatever the server does."""
        watch = _Watch()
        timer = threading.Timer(max(0.0, allowed), watch.expire)
        timer.daemon = True
        _current.watch = watch
        timer.start()
        try:
            with self.session.get(
                url,
                timeout=(min(5.0, self.timeout, allowed), min(self.timeout, allowed)),
                stream=True,
                allow_redirects=False,
            ) as r:
                chunks: list[bytes] = []
                size = 0
                truncated = False
                for chunk in _chunks(r):
                    if size + len(chunk) > limit:
                        # Stream to the cap: only what fits is kept, and one copy is made.
                        chunks.append(chunk[: limit - size])
                        truncated = True
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                if watch.expired:
                    raise requests.exceptions.Timeout("cut off at the deadline")
                body = b"".join(chunks)
                del chunks
                return Response(
                    url=url,
                    status=r.status_code,
                    content=body,
                    headers={k.lower(): v for k, v in r.headers.items()},
                    truncated=truncated,
                )
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            if watch.expired:
                raise requests.exceptions.Timeout(
                    f"no complete answer within {allowed:.1f}s"
                ) from exc
            raise
        finally:
            timer.cancel()
            _current.watch = None

    def _is_block_page(self, resp: Response) -> bool:
        if "html" not in resp.headers.get("content-type", "") and resp.status == 200:
            return False
        head = resp.content[:20000]
        return any(marker in head for marker in BLOCK_MARKERS)

    def _block(self, url: str, status: int, pause: float) -> None:
        self.blocked_until = max(self.blocked_until, self._clock() + pause)
        if self.on_block is not None:
            self.on_block(time.time() + self.cooldown_remaining())
        log.warning(
            "SEC refused our requests (status %d at %s); pausing all EDGAR requests "
            "for %.0fs as SEC asks",
            status,
            url,
            pause,
        )
        raise EdgarBlocked(
            f"SEC blocked requests (status {status}); cooling down for {pause:.0f}s",
            url=url,
            status=status,
        )

    def _check_blocked(self, url: str) -> None:
        remaining = self.blocked_until - self._clock()
        if remaining > 0:
            raise EdgarBlocked(
                f"EDGAR paused for another {remaining:.0f}s after SEC asked us to slow down",
                url=url,
            )

    def _retry_after(self, resp: Response) -> float | None:
        """Retry-After in seconds (a number or an HTTP date), or None when absent or unusable."""
        value = resp.headers.get("retry-after", "").strip()
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                seconds = parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError, IndexError, OverflowError):
                return None
        return max(0.0, seconds) if math.isfinite(seconds) else None

    def _backoff(self, attempt: int) -> float:
        return float(self.backoff * (2**attempt) * (1 + random.random() * 0.25))


def _chunks(r: requests.Response) -> Iterator[bytes]:
    """The decoded body in pieces as they arrive (read1 returns what one read gives)."""
    read1 = getattr(r.raw, "read1", None)
    if read1 is None:  # urllib3 < 2
        yield from r.iter_content(chunk_size=65536)
        return
    while True:
        data = read1(65536, decode_content=True)
        if not data:
            return
        yield data
