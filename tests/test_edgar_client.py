"""EdgarClient against a real local HTTP server: SEC's fair-access rules, retries, refusals.

Backoff and cool-downs run on a fake clock whose sleep() only records and advances, so no
test waits for a delay it asserts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tracker.edgar.client import EdgarClient, RateLimiter
from tracker.errors import EdgarBlocked, FetchError
from tracker.fakes.edgar import FakeDocument, FakeEdgar, FakeFiling

UA = "Tracker Tests ops@example.com"
CIK = 815508
ACCESSION = "0001047469-04-004567"
FOLDER = f"/Archives/edgar/data/{CIK}/{ACCESSION.replace('-', '')}"
DOC = f"{FOLDER}/d8k.htm"
BIG = f"{FOLDER}/big.txt"
QUOTING = f"{FOLDER}/quoting.txt"
FEED = "/cgi-bin/browse-edgar?action=getcompany&CIK=815508&type=&dateb=&owner=include&count=40"


class FakeClock:
    """A monotonic clock that moves only when slept on or advanced; it records every sleep."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _filing() -> FakeFiling:
    return FakeFiling(
        cik=CIK,
        company="BIOPURE CORP",
        accession=ACCESSION,
        form="8-K",
        filed=date(2004, 2, 19),
        items=("5", "7"),
        documents=[
            FakeDocument("d8k.htm", "8-K", b"<html><body><p>Biopure 8-K</p></body></html>"),
            FakeDocument("big.txt", "EX-99.2", b"0123456789" * 10_000),
            # A filing may quote SEC's block-page words; as plain text it is not a block.
            FakeDocument("quoting.txt", "EX-99.3", b"Request Rate Threshold Exceeded, he said."),
        ],
    )


@pytest.fixture
def edgar() -> Iterator[FakeEdgar]:
    with FakeEdgar([_filing()]) as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_client(base_url: str, clock: FakeClock, **kwargs: Any) -> EdgarClient:
    options: dict[str, Any] = {"sleep": clock.sleep, "clock": clock, "timeout": 5.0}
    options.update(kwargs)
    return EdgarClient(base_url, UA, **options)


def _backoff_range(base: float, attempt: int) -> tuple[float, float]:
    low = base * 2**attempt
    return low, low * 1.25


# -- User-Agent ------------------------------------------------------------------------------


def test_every_request_carries_the_configured_user_agent(
    edgar: FakeEdgar, clock: FakeClock
) -> None:
    client = make_client(edgar.base_url, clock)
    edgar.fail("d8k.htm", 503)  # the retried request must carry it too
    client.get(FEED)
    client.get(f"{FOLDER}/index.json")
    client.get(DOC)
    client.get(f"{edgar.base_url}/Archives/edgar/data/{CIK}/{ACCESSION}.txt")
    assert len(edgar.requests) == 5
    assert [r["headers"].get("User-Agent") for r in edgar.requests] == [UA] * 5
    assert all("gzip" in r["headers"].get("Accept-Encoding", "") for r in edgar.requests)


@pytest.mark.parametrize(
    "user_agent",
    ["", "   ", "\t\n", "Acme ops@example.com\r\nX-Injected: 1"],
    ids=["empty", "spaces", "whitespace", "header-injection"],
)
def test_refuses_a_user_agent_sec_would_not_accept(user_agent: str) -> None:
    with pytest.raises(ValueError, match="User-Agent"):
        EdgarClient("http://127.0.0.1:9", user_agent)


# -- rate limiting ---------------------------------------------------------------------------


def _most_in_a_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


@pytest.mark.parametrize(
    "rate", [0.5, 1.0, 2.0, 2.5, 10.0], ids=["half", "1rps", "2rps", "2.5rps", "10rps"]
)
def test_rate_limiter_never_allows_more_than_rate_in_a_second(rate: float) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(3 * int(rate) + 2):
        limiter.done(limiter.wait())
        starts.append(clock())
    assert _most_in_a_second(starts) <= max(1, rate)
    assert len(starts) / (starts[-1] - starts[0] + 1.0) <= max(rate, 1.0)


def test_rate_limiter_lets_a_burst_go_at_once() -> None:
    """A new filing's index.json and documents must not wait 0.1 s each."""
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        limiter.done(limiter.wait())
    assert clock.sleeps == []
    limiter.done(limiter.wait())
    assert clock.sleeps and clock() >= 1.0


def test_rate_limiter_does_not_sleep_when_the_caller_is_already_slow() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        limiter.wait()
        clock.advance(0.5)
    assert clock.sleeps == []


def test_rate_limiter_counts_the_window_from_when_a_slow_request_finished() -> None:
    # SEC counts arrivals: a first request slowed by a new connection arrives late, so
    # the eleventh may not start until a second after the first one was answered.
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    starts: list[float] = []
    finishes: list[float] = []
    for i in range(12):
        slot = limiter.wait()
        starts.append(clock())
        if i == 0:
            clock.advance(0.5)
        limiter.done(slot)
        finishes.append(clock())
    assert starts[10] >= finishes[0] + 1.0
    assert starts[11] >= finishes[1] + 1.0


def test_rate_limiter_spaces_starts_across_threads() -> None:
    clock = FakeClock()  # never advances: each thread's start is now + what it was told to sleep
    starts: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            starts.append(clock() + seconds)

    limiter = RateLimiter(10, clock=clock, sleep=sleep)

    def worker() -> None:
        for _ in range(5):
            limiter.wait()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts = sorted([clock()] * (40 - len(starts)) + starts)  # the first ones did not sleep
    assert len(starts) == 40
    assert _most_in_a_second(starts) <= 10


@pytest.mark.parametrize("rate", [0.0, -1.0], ids=["zero", "negative"])
def test_rate_limiter_refuses_a_rate_that_is_not_positive(rate: float) -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate)


def test_client_never_goes_above_ten_requests_per_second(clock: FakeClock) -> None:
    client = EdgarClient("http://127.0.0.1:9", UA, max_rps=50, clock=clock, sleep=clock.sleep)
    assert client.limiter.per_window <= 10 and client.limiter.window >= 1.0


def test_real_requests_stay_within_the_rate(edgar: FakeEdgar) -> None:
    client = EdgarClient(edgar.base_url, UA, max_rps=10, timeout=5.0)
    for _ in range(15):
        client.get(DOC)
    times = sorted(r["time"] for r in edgar.requests)
    assert len(times) == 15
    # Any 11 consecutive arrivals span more than a second: no window holds more than 10.
    assert all(times[i + 10] - times[i] > 1.0 for i in range(len(times) - 10))


# -- retries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"status": 502},
        {"status": 503},
        {"status": 504},
        {"drop": True},
        {"truncate": True},
    ],
    ids=["500", "502", "503", "504", "connection-dropped", "body-cut-short"],
)
def test_transient_failures_are_retried_with_exponential_backoff(
    edgar: FakeEdgar, clock: FakeClock, fault: dict[str, Any]
) -> None:
    edgar.fail("d8k.htm", count=2, **fault)
    client = make_client(edgar.base_url, clock, backoff=0.5)
    resp = client.get(DOC)
    assert resp.status == 200
    assert b"Biopure 8-K" in resp.content
    assert len(edgar.requests_to("d8k.htm")) == 3
    assert len(clock.sleeps) == 2
    for attempt, delay in enumerate(clock.sleeps):
        low, high = _backoff_range(0.5, attempt)
        assert low <= delay <= high


def test_gives_up_after_the_configured_retries(edgar: FakeEdgar, clock: FakeClock) -> None:
    edgar.fail("d8k.htm", 503, count=10)
    client = make_client(edgar.base_url, clock, retries=2)
    with pytest.raises(FetchError) as info:
        client.get(DOC)
    assert info.value.status == 503
    assert info.value.retryable
    assert not isinstance(info.value, EdgarBlocked)
    assert len(edgar.requests_to("d8k.htm")) == 3
    assert len(clock.sleeps) == 2


def test_429_honours_retry_after_seconds(edgar: FakeEdgar, clock: FakeClock) -> None:
    edgar.fail("d8k.htm", 429, headers={"Retry-After": "7"})
    client = make_client(edgar.base_url, clock)
    assert client.get(DOC).status == 200
    assert clock.sleeps == [7.0]
    assert len(edgar.requests_to("d8k.htm")) == 2


def test_429_without_retry_after_backs_off_exponentially(
    edgar: FakeEdgar, clock: FakeClock
) -> None:
    edgar.fail("d8k.htm", 429, count=3)
    client = make_client(edgar.base_url, clock, backoff=1.0)
    assert client.get(DOC).status == 200
    assert len(clock.sleeps) == 3
    for attempt, delay in enumerate(clock.sleeps):
        low, high = _backoff_range(1.0, attempt)
        assert low <= delay <= high


@pytest.mark.parametrize(
    "retry_after",
    ["120", format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True)],
    ids=["seconds", "http-date"],
)
def test_long_retry_after_gives_up_at_once_and_pauses_everything(
    edgar: FakeEdgar, clock: FakeClock, retry_after: str
) -> None:
    edgar.fail("d8k.htm", 429, headers={"Retry-After": retry_after})
    client = make_client(edgar.base_url, clock, max_retry_after=30)
    with pytest.raises(EdgarBlocked):
        client.get(DOC)
    assert clock.sleeps == []
    assert len(edgar.requests) == 1
    with pytest.raises(EdgarBlocked):
        client.get(FEED)
    assert len(edgar.requests) == 1  # the paused request was never sent


@pytest.mark.parametrize(
    "retry_after", ["inf", "nan", "soon", "-5"], ids=["inf", "nan", "garbage", "negative"]
)
def test_unusable_retry_after_never_blocks_forever(
    edgar: FakeEdgar, clock: FakeClock, retry_after: str
) -> None:
    edgar.fail("d8k.htm", 429, headers={"Retry-After": retry_after})
    client = make_client(edgar.base_url, clock)
    assert client.get(DOC).status == 200
    assert client.blocked_until == 0.0
    assert 0.0 <= sum(clock.sleeps) <= 1.0


# -- SEC blocks ------------------------------------------------------------------------------

THRESHOLD_PAGE = (
    b"<html><head><title>SEC.gov | Request Rate Threshold Exceeded</title></head>"
    b"<body>To allow for equitable access to all users, SEC reserves the right ...</body></html>"
)
UNDECLARED_PAGE = (
    b"<html><head><title>SEC.gov | Your Request Originates from an Undeclared Automated Tool"
    b"</title></head><body>Please declare your traffic ...</body></html>"
)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (403, THRESHOLD_PAGE),
        (403, UNDECLARED_PAGE),
        (403, b"<html>Forbidden</html>"),
        (200, THRESHOLD_PAGE),
        (200, UNDECLARED_PAGE),
        (429, THRESHOLD_PAGE),
        (503, UNDECLARED_PAGE),
    ],
    ids=[
        "403-threshold",
        "403-undeclared",
        "403-plain",
        "200-threshold",
        "200-undeclared",
        "429-threshold",
        "503-undeclared",
    ],
)
def test_block_pauses_all_requests_until_the_cooldown_passes(
    edgar: FakeEdgar, clock: FakeClock, status: int, body: bytes
) -> None:
    edgar.fail("d8k.htm", status, body=body)
    client = make_client(edgar.base_url, clock, cooldown=600)
    with pytest.raises(EdgarBlocked) as info:
        client.get(DOC)
    assert info.value.status == status
    assert info.value.retryable
    assert clock.sleeps == []  # a block is never retried on the spot
    for path in (DOC, FEED, f"{FOLDER}/index.json"):
        with pytest.raises(EdgarBlocked):
            client.get(path)
    clock.advance(599)
    with pytest.raises(EdgarBlocked):
        client.get(FEED)
    assert len(edgar.requests) == 1  # nothing was sent while paused
    clock.advance(2)
    assert client.get(DOC).status == 200
    assert len(edgar.requests) == 2


def test_whole_site_block_with_status_200(edgar: FakeEdgar, clock: FakeClock) -> None:
    edgar.blocked = True
    edgar.block_status = 200
    client = make_client(edgar.base_url, clock)
    with pytest.raises(EdgarBlocked):
        client.get(FEED)
    assert len(edgar.requests) == 1


def test_plain_text_document_quoting_the_block_words_is_not_a_block(
    edgar: FakeEdgar, clock: FakeClock
) -> None:
    client = make_client(edgar.base_url, clock)
    resp = client.get(QUOTING)
    assert resp.content.startswith(b"Request Rate Threshold Exceeded")
    assert client.blocked_until == 0.0
    assert client.get(DOC).status == 200


# -- errors that are not retried -------------------------------------------------------------


def test_404_is_not_retryable(edgar: FakeEdgar, clock: FakeClock) -> None:
    client = make_client(edgar.base_url, clock)
    with pytest.raises(FetchError) as info:
        client.get(f"{FOLDER}/missing.htm")
    assert info.value.status == 404
    assert not info.value.retryable
    assert len(edgar.requests) == 1
    assert clock.sleeps == []


def test_timeouts_are_retried_then_raise_fetch_error(edgar: FakeEdgar, clock: FakeClock) -> None:
    edgar.fail("d8k.htm", 200, delay=0.6, count=2)
    client = make_client(edgar.base_url, clock, timeout=0.1, retries=1)
    with pytest.raises(FetchError) as info:
        client.get(DOC)
    assert not isinstance(info.value, EdgarBlocked)
    assert info.value.retryable
    assert len(edgar.requests_to("d8k.htm")) == 2
    assert len(clock.sleeps) == 1


class _TrickleHandler(BaseHTTPRequestHandler):
    """Promises 10 KB and sends one byte every 50 ms: each read is in time, the whole is not."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "10000")
        self.end_headers()
        try:
            for _ in range(80):  # at most 4 s, even if the client never hangs up
                self.wfile.write(b"x")
                self.wfile.flush()
                self.server.stop.wait(0.05)  # type: ignore[attr-defined]
        except OSError:
            pass


@pytest.fixture
def trickle_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TrickleHandler)
    server.daemon_threads = True
    server.stop = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.stop.set()  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def test_a_response_that_never_finishes_hits_the_total_time_limit(
    trickle_server: str, clock: FakeClock
) -> None:
    client = make_client(trickle_server, clock, timeout=1.0, total_timeout=0.3, retries=0)
    with pytest.raises(FetchError) as info:
        client.get(DOC)
    assert info.value.retryable


# -- size cap --------------------------------------------------------------------------------


def test_body_over_max_bytes_is_cut_and_flagged(edgar: FakeEdgar, clock: FakeClock) -> None:
    client = make_client(edgar.base_url, clock, max_bytes=5000)
    whole = make_client(edgar.base_url, clock).get(BIG)
    assert (len(whole.content), whole.truncated) == (100_000, False)
    cut = client.get(BIG)
    assert cut.truncated
    assert cut.content == whole.content[:5000]
    per_call = client.get(BIG, max_bytes=1000)
    assert (len(per_call.content), per_call.truncated) == (1000, True)
    small = client.get(DOC)
    assert not small.truncated
    assert small.content.endswith(b"</html>")


# -- refusals --------------------------------------------------------------------------------

REFUSED = [
    ("http://evil.example/Archives/edgar/data/1/x.htm", "other-host"),
    ("https://www.sec.gov.evil.example/Archives/x.htm", "lookalike-host"),
    ("//evil.example/Archives/edgar/data/1/x.htm", "scheme-relative-host"),
    ("http://127.0.0.1:1/Archives/edgar/data/1/x.htm", "same-ip-other-port"),
    ("ftp://{host}/Archives/x.htm", "ftp-scheme"),
    ("/etc/passwd", "outside-archives"),
    ("/cgi-bin/other-script?x=1", "other-cgi"),
    ("/cgi-bin/browse-edgar-evil", "lookalike-cgi"),
    ("/Archivesevil/x.htm", "lookalike-archives"),
    ("Archives/edgar/data/1/x.htm", "relative-path"),
    ("/Archives/../etc/passwd", "dotdot"),
    ("/Archives/edgar/data/1/../../../../etc/passwd", "deep-dotdot"),
    ("/Archives/%2e%2e/etc/passwd", "encoded-dotdot"),
    ("/Archives/..%2f..%2fetc%2fpasswd", "encoded-slash-dotdot"),
    ("/Archives/a\\..\\..\\etc\\passwd", "backslash-dotdot"),
    ("/cgi-bin/browse-edgar/../../etc/passwd", "cgi-dotdot"),
    ("/Archives/x.htm\r\nHost: evil.example", "header-injection"),
    ("/Archives/x.htm%0d%0aHost:%20evil", "encoded-header-injection"),
]


@pytest.mark.parametrize("url", [u for u, _ in REFUSED], ids=[i for _, i in REFUSED])
def test_refuses_urls_off_host_or_outside_edgar_paths_without_sending(
    edgar: FakeEdgar, clock: FakeClock, url: str
) -> None:
    client = make_client(edgar.base_url, clock)
    with pytest.raises(FetchError) as info:
        client.get(url.replace("{host}", edgar.base_url.split("//")[1]))
    assert not info.value.retryable
    assert edgar.requests == []
    assert client.request_count == 0


def test_accepts_full_urls_on_its_own_host(edgar: FakeEdgar, clock: FakeClock) -> None:
    client = make_client(edgar.base_url, clock)
    assert client.get(edgar.base_url + DOC).status == 200
    assert edgar.requests[0]["path"] == DOC


def test_follows_redirects_only_within_edgar(edgar: FakeEdgar, clock: FakeClock) -> None:
    client = make_client(edgar.base_url, clock)
    edgar.fail("moved.htm", 301, headers={"Location": DOC})
    resp = client.get(f"{FOLDER}/moved.htm")
    assert resp.status == 200
    assert b"Biopure 8-K" in resp.content
    assert [r["path"] for r in edgar.requests] == [f"{FOLDER}/moved.htm", DOC]
    assert all(r["headers"].get("User-Agent") == UA for r in edgar.requests)

    for location in ("http://127.0.0.1:1/Archives/x.htm", "/etc/passwd"):
        edgar.fail("away.htm", 302, headers={"Location": location})
        with pytest.raises(FetchError) as info:
            client.get(f"{FOLDER}/away.htm")
        assert not info.value.retryable
    assert len(edgar.requests) == 4  # the redirect targets were never requested


def test_endless_redirects_end(edgar: FakeEdgar, clock: FakeClock) -> None:
    edgar.fail("loop.htm", 302, count=50, headers={"Location": f"{FOLDER}/loop.htm"})
    client = make_client(edgar.base_url, clock)
    with pytest.raises(FetchError, match="redirects"):
        client.get(f"{FOLDER}/loop.htm")
    assert len(edgar.requests) <= 10
