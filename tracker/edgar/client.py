"""The one HTTP client for EDGAR, built around SEC's fair-access rules.

SEC asks every automated tool to declare itself in the User-Agent, to stay under
10 requests per second, and to back off when told to. It answers abusers with a
403 or with an HTML page ("Request Rate Threshold Exceeded", "Undeclared
Automated Tool"), sometimes with status 200, and keeps them out until they have
been quiet for 10 minutes. See https://www.sec.gov/os/accessing-edgar-data.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from tracker.errors import EdgarBlocked, FetchError

log = logging.getLogger(__name__)

ALLOWED_PREFIXES = ("/Archives/", "/cgi-bin/browse-edgar")
BLOCK_MARKERS = (
    b"Request Rate Threshold Exceeded",
    b"Undeclared Automated Tool",
    b"Your Request Originates from an Undeclared Automated Tool",
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RateLimiter:
    """Spaces request starts at least 1/rate seconds apart, across all threads.

    Spacing (rather than a bucket that allows bursts) guarantees that no
    one-second window ever holds more than `rate` requests.
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.interval = 1.0 / rate * 1.001
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


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
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        allowed: tuple[str, ...] = ALLOWED_PREFIXES,
    ):
        if not user_agent.strip():
            raise ValueError("a User-Agent is required by SEC fair access")
        self.base_url = base_url.rstrip("/")
        self._host = urlsplit(self.base_url).netloc
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        self.limiter = RateLimiter(min(max_rps, 10.0), clock=clock, sleep=sleep)
        self.timeout = timeout
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

    def url_for(self, path: str) -> str:
        return self.base_url + path

    def check_url(self, url: str) -> str:
        """Return the path+query of `url` if it is on our EDGAR host and allowed paths."""
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != self._host:
            raise FetchError(
                f"refusing to fetch from another host: {url}", url=url, retryable=False
            )
        path = parts.path
        if ".." in path.split("/") or not path.startswith(self.allowed):
            raise FetchError(
                f"refusing to fetch outside {' and '.join(self.allowed)}: {url}",
                url=url,
                retryable=False,
            )
        return path + (f"?{parts.query}" if parts.query else "")

    def get(self, path_or_url: str, *, max_bytes: int | None = None) -> Response:
        """GET a path on the EDGAR host, retrying transient failures with backoff."""
        path = self.check_url(path_or_url)
        url = self.url_for(path)
        limit = max_bytes or self.max_bytes
        attempt = 0
        while True:
            self._check_blocked(url)
            self.limiter.wait()
            self.request_count += 1
            try:
                resp = self._get_once(url, limit)
            except requests.RequestException as exc:
                error = FetchError(f"EDGAR request failed: {type(exc).__name__} for {url}", url=url)
                delay = self._backoff(attempt)
            else:
                if resp.status == 403 or self._is_block_page(resp):
                    self._block(url, resp.status)
                if resp.status < 400 or resp.status == 304:
                    return resp
                if resp.status not in RETRY_STATUSES:
                    raise FetchError(
                        f"EDGAR answered {resp.status} for {url}",
                        url=url,
                        status=resp.status,
                        retryable=resp.status != 404,
                    )
                error = FetchError(
                    f"EDGAR answered {resp.status} for {url}", url=url, status=resp.status
                )
                delay = self._retry_after(resp) or self._backoff(attempt)
                if delay > self.max_retry_after:
                    # A long Retry-After is SEC asking us to go away: treat it as a block.
                    self.blocked_until = self._clock() + delay
                    raise error
            attempt += 1
            if attempt > self.retries:
                raise error
            log.info("EDGAR retry %d/%d in %.1fs: %s", attempt, self.retries, delay, error)
            self._sleep(delay)

    def _get_once(self, url: str, limit: int) -> Response:
        with self.session.get(
            url, timeout=(min(5.0, self.timeout), self.timeout), stream=True
        ) as r:
            chunks: list[bytes] = []
            size = 0
            truncated = False
            for chunk in r.iter_content(chunk_size=65536):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    truncated = True
                    break
            body = b"".join(chunks)[:limit]
            return Response(
                url=url,
                status=r.status_code,
                content=body,
                headers={k.lower(): v for k, v in r.headers.items()},
                truncated=truncated,
            )

    def _is_block_page(self, resp: Response) -> bool:
        if "html" not in resp.headers.get("content-type", "") and resp.status == 200:
            return False
        head = resp.content[:20000]
        return any(marker in head for marker in BLOCK_MARKERS)

    def _block(self, url: str, status: int) -> None:
        self.blocked_until = self._clock() + self.cooldown
        log.warning(
            "SEC refused our requests (status %d at %s); pausing all EDGAR requests "
            "for %.0fs as SEC asks",
            status,
            url,
            self.cooldown,
        )
        raise EdgarBlocked(
            f"SEC blocked requests (status {status}); cooling down for {self.cooldown:.0f}s",
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
        value = resp.headers.get("retry-after")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            return None

    def _backoff(self, attempt: int) -> float:
        return float(self.backoff * (2**attempt) * (1 + random.random() * 0.25))
