"""A local EDGAR on 127.0.0.1 that speaks EDGAR's real wire formats.

It plays EDGAR for the offline demo, the tests and the benchmarks: per-company
and latest-filings Atom feeds (ISO-8859-1, children in EDGAR's order),
index.json folder listings, documents, full submissions and -index.htm pages.
Filings can be released as time passes (a replay) and faults scripted.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

BLOCK_PAGE = (
    b"<html><head><title>SEC.gov | Request Rate Threshold Exceeded</title></head>"
    b"<body><h1>Your Request Originates from an Undeclared Automated Tool</h1>"
    b"<p>Request Rate Threshold Exceeded</p></body></html>"
)
ITEM_TITLES = {
    "1.01": "Entry into a Material Definitive Agreement",
    "2.02": "Results of Operations and Financial Condition",
    "2.05": "Cost Associated with Exit or Disposal Activities",
    "3.02": "Unregistered Sales of Equity Securities",
    "5.02": "Departure of Directors or Certain Officers",
    "7.01": "Regulation FD Disclosure",
    "8.01": "Other Events",
    "9.01": "Financial Statements and Exhibits",
    "5": "Other Events",
    "7": "Financial statements and exhibits",
    "9": "Regulation FD Disclosure",
    "12": "Results of Operations and Financial Condition",
}


@dataclass
class FakeDocument:
    name: str
    doc_type: str
    content: bytes
    description: str = ""
    # Served as `content` this many times over, streamed: a 500 MB document for the
    # memory benchmark without 500 MB in the fake.
    repeat: int = 1

    @property
    def body(self) -> bytes | Repeated:
        return self.content if self.repeat == 1 else Repeated(self.content, self.repeat)


class Repeated:
    """`unit` times `count`, produced a piece at a time."""

    def __init__(self, unit: bytes, count: int):
        self.unit = unit
        self.count = count

    def __len__(self) -> int:
        return len(self.unit) * self.count

    def pieces(self) -> Iterator[bytes]:
        per = max(1, 1_000_000 // max(1, len(self.unit)))
        for done in range(0, self.count, per):
            yield self.unit * min(per, self.count - done)


@dataclass
class FakeFiling:
    cik: int
    company: str
    accession: str
    form: str
    filed: date
    documents: list[FakeDocument]
    items: tuple[str, ...] = ()
    accepted: str = ""  # "2004-02-19T08:01:02-05:00"
    other_ciks: tuple[tuple[int, str, str], ...] = ()  # (cik, name, role) also listed
    appear_at: float = 0.0  # seconds after replay start when it shows up

    @property
    def folder(self) -> str:
        return f"/Archives/edgar/data/{self.cik}/{self.accession.replace('-', '')}"

    @property
    def updated(self) -> str:
        return self.accepted or f"{self.filed.isoformat()}T16:05:00-05:00"


@dataclass
class Fault:
    match: str
    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    count: int = 1
    drop: bool = False
    delay: float = 0.0
    truncate: bool = False
    # Hostile slowness: the real answer sent one byte every `trickle` seconds, from the
    # status line on (`trickle_body`: the headers at once, then the body so).
    trickle: float = 0.0
    trickle_body: bool = False


class _QuietServer(ThreadingHTTPServer):
    """A client killed mid-request (the crash test does it on purpose) is not an error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeEdgar:
    """The local EDGAR. Use as a context manager; `base_url` goes in the config."""

    def __init__(
        self,
        filings: Iterable[FakeFiling] = (),
        *,
        names: dict[int, str] | None = None,
        clock: Any = time.monotonic,
    ):
        self._lock = threading.Lock()
        self._filings: list[FakeFiling] = list(filings)
        self._names = dict(names or {})
        self._faults: list[Fault] = []
        self._clock = clock
        self._start = clock()
        self.requests: list[dict[str, Any]] = []
        self.blocked = False
        self.block_status = 403
        self.latest_depth = 5000  # entries the latest-filings feed reaches back
        # A recorded latest-filings page served as is for start=0 (benchmarks on a real
        # 100-entry page); later pages then answer 503, as past the feed's end.
        self.latest_page: bytes | None = None
        # Hostile or unusual feeds: a company feed that reaches back only this many
        # entries (None: all), and one that ignores `count` and sends everything at once.
        self.company_depth: int | None = None
        self.company_single_page = False
        self.company_tickers: bytes | None = None  # served at /files/company_tickers.json
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FakeEdgar:
        self._start = self._clock()
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, kwargs={"poll_interval": 0.01}
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits forever for a loop never started
            self._server.shutdown()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeEdgar:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- content -------------------------------------------------------------------------------

    def add(self, filing: FakeFiling) -> None:
        """Publish a filing now (or at its appear_at, relative to start)."""
        with self._lock:
            self._filings.append(filing)

    def replay_from_now(self) -> None:
        """Count appear_at from now: for callers that set up (state, rules) after start."""
        self._start = self._clock()

    def visible(self) -> list[FakeFiling]:
        elapsed = self._clock() - self._start
        with self._lock:
            return [f for f in self._filings if f.appear_at <= elapsed]

    def fail(
        self,
        match: str,
        status: int = 500,
        *,
        count: int = 1,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        drop: bool = False,
        delay: float = 0.0,
        truncate: bool = False,
        trickle: float = 0.0,
        trickle_body: bool = False,
    ) -> None:
        """Answer the next `count` requests whose path contains `match` with a fault."""
        with self._lock:
            self._faults.append(
                Fault(
                    match,
                    status,
                    body,
                    dict(headers or {}),
                    count,
                    drop,
                    delay,
                    truncate,
                    trickle,
                    trickle_body,
                )
            )

    def requests_to(self, fragment: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if fragment in r["path"]]

    # -- rendering -----------------------------------------------------------------------------

    def company_feed(self, cik: int, start: int = 0, count: int = 40) -> bytes:
        filings = sorted(
            (f for f in self.visible() if f.cik == cik or cik in (o[0] for o in f.other_ciks)),
            key=lambda f: (f.updated, f.accession),
            reverse=True,
        )
        name = self._names.get(cik) or next((f.company for f in filings if f.cik == cik), "")
        if self.company_depth is not None:
            filings = filings[: self.company_depth]
        if self.company_single_page:
            count = max(count, len(filings))
        page = filings[start : start + count]
        out = [
            '<?xml version="1.0" encoding="ISO-8859-1" ?>',
            '  <feed xmlns="http://www.w3.org/2005/Atom">',
            "    <author>",
            "      <email>webmaster@sec.gov</email>",
            "      <name>Webmaster</name>",
            "    </author>",
            "    <company-info>",
            f"      <cik>{cik:010d}</cik>",
            f"      <conformed-name>{escape(name)}</conformed-name>",
            "    </company-info>",
        ]
        for f in page:
            form_name = "Current report" if f.form.startswith("8-K") else ""
            href = f"https://www.sec.gov{f.folder}/{f.accession}-index.htm"
            items = ""
            if f.items:
                words = (
                    ", ".join(f.items[:-1]) + (" and " if len(f.items) > 1 else "") + f.items[-1]
                )
                items = (
                    f"        <items-desc>{'items' if len(f.items) > 1 else 'item'} "
                    f"{words}</items-desc>\n"
                )
            out.append(
                "    <entry>\n"
                f'      <category label="form type" scheme="https://www.sec.gov/" '
                f'term="{escape(f.form)}" />\n'
                '      <content type="text/xml">\n'
                f"        <accession-number>{f.accession}</accession-number>\n"
                "        <act>34</act>\n"
                f"        <filing-date>{f.filed.isoformat()}</filing-date>\n"
                f"        <filing-href>{escape(href)}</filing-href>\n"
                f"        <filing-type>{escape(f.form)}</filing-type>\n"
                f"        <form-name>{'Current report' if f.form.startswith('8-K') else ''}"
                "</form-name>\n"
                f"{items}"
                f"        <size>{max(1, sum(len(d.content) for d in f.documents) // 1024)} KB"
                "</size>\n"
                "      </content>\n"
                f"      <id>urn:tag:sec.gov,2008:accession-number={f.accession}</id>\n"
                f'      <link href="{escape(href)}" rel="alternate" type="text/html" />\n'
                f'      <summary type="html"> &lt;b&gt;Filed:&lt;/b&gt; {f.filed.isoformat()} '
                f"&lt;b&gt;AccNo:&lt;/b&gt; {f.accession}</summary>\n"
                f"      <title>{escape(f.form)}  - {escape(form_name) or escape(f.form)}"
                "</title>\n"
                f"      <updated>{f.updated}</updated>\n"
                "    </entry>"
            )
        if len(filings) > start + count:
            nxt = (
                f"https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&amp;CIK={cik:010d}"
                f"&amp;type=&amp;dateb=&amp;owner=include&amp;count={count}&amp;output=atom"
                f"&amp;start={start + count}"
            )
            out.append(f'    <link href="{nxt}" rel="next" type="application/atom+xml" />')
        out.append(f"    <title>{escape(name)}  ({cik:010d})</title>")
        out.append(f"    <updated>{time.strftime('%Y-%m-%dT%H:%M:%S-05:00')}</updated>")
        out.append("  </feed>")
        return "\n".join(out).encode("iso-8859-1", "xmlcharrefreplace")

    def latest_feed(self, start: int = 0, count: int = 100) -> bytes | None:
        rows: list[tuple[FakeFiling, int, str, str]] = []
        for f in sorted(self.visible(), key=lambda f: (f.updated, f.accession), reverse=True):
            rows.append((f, f.cik, f.company, "Filer"))
            rows.extend((f, cik, name, role) for cik, name, role in f.other_ciks)
        rows = rows[: self.latest_depth]
        if start and start >= len(rows):
            return None
        out = [
            '<?xml version="1.0" encoding="ISO-8859-1" ?>',
            '<feed xmlns="http://www.w3.org/2005/Atom">',
            f"<title>Latest Filings - {time.strftime('%a, %d %b %Y %H:%M:%S')} EST</title>",
            '<link rel="alternate" href="/cgi-bin/browse-edgar?action=getcurrent"/>',
            '<link rel="self" href="/cgi-bin/browse-edgar?action=getcurrent"/>',
            "<id>https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent</id>",
            "<author><name>Webmaster</name><email>webmaster@sec.gov</email></author>",
            f"<updated>{time.strftime('%Y-%m-%dT%H:%M:%S-05:00')}</updated>",
        ]
        for f, cik, name, role in rows[start : start + count]:
            href = (
                f"https://www.sec.gov/Archives/edgar/data/{cik}/"
                f"{f.accession.replace('-', '')}/{f.accession}-index.htm"
            )
            items = "".join(
                f"\n&lt;br&gt;Item {i}: {escape(ITEM_TITLES.get(i, 'Other'))}" for i in f.items
            )
            out.append(
                "<entry>\n"
                f"<title>{escape(f.form)} - {escape(name)} ({cik:010d}) ({role})</title>\n"
                f'<link rel="alternate" type="text/html" href="{escape(href)}"/>\n'
                f'<summary type="html">\n &lt;b&gt;Filed:&lt;/b&gt; {f.filed.isoformat()} '
                f"&lt;b&gt;AccNo:&lt;/b&gt; {f.accession} &lt;b&gt;Size:&lt;/b&gt; 5 KB"
                f"{items}\n</summary>\n"
                f"<updated>{f.updated}</updated>\n"
                f'<category scheme="https://www.sec.gov/" label="form type" '
                f'term="{escape(f.form)}"/>\n'
                f"<id>urn:tag:sec.gov,2008:accession-number={f.accession}</id>\n"
                "</entry>"
            )
        out.append("</feed>")
        return "\n".join(out).encode("iso-8859-1", "xmlcharrefreplace")

    def find(self, cik: int, folder: str) -> FakeFiling | None:
        for f in self.visible():
            if f.accession.replace("-", "") == folder and (
                f.cik == cik or cik in (o[0] for o in f.other_ciks)
            ):
                return f
        return None

    def index_json(self, f: FakeFiling) -> bytes:
        stamp = f"{f.filed.isoformat()} 16:05:00"
        items = [
            {
                "last-modified": stamp,
                "name": f"{f.accession}-index-headers.html",
                "type": "text.gif",
                "size": "",
            },
            {
                "last-modified": stamp,
                "name": f"{f.accession}-index.html",
                "type": "text.gif",
                "size": "",
            },
            {"last-modified": stamp, "name": f"{f.accession}.txt", "type": "text.gif", "size": ""},
        ]
        items += [
            {
                "last-modified": stamp,
                "name": d.name,
                "type": "text.gif",
                "size": str(len(d.content)),
            }
            for d in f.documents
        ]
        return json.dumps(
            {
                "directory": {
                    "item": items,
                    "name": f.folder,
                    "parent-dir": f.folder.rsplit("/", 1)[0],
                }
            },
            indent=2,
        ).encode()

    def submission(self, f: FakeFiling) -> bytes:
        header = (
            f"<SEC-DOCUMENT>{f.accession}.txt : {f.filed:%Y%m%d}\n"
            f"<SEC-HEADER>{f.accession}.hdr.sgml : {f.filed:%Y%m%d}\n"
            f"ACCESSION NUMBER:\t\t{f.accession}\n"
            f"CONFORMED SUBMISSION TYPE:\t{f.form}\n"
            f"PUBLIC DOCUMENT COUNT:\t\t{len(f.documents)}\n"
            f"FILED AS OF DATE:\t\t{f.filed:%Y%m%d}\n\n"
            "FILER:\n\n\tCOMPANY DATA:\t\n"
            f"\t\tCOMPANY CONFORMED NAME:\t\t\t{f.company.upper()}\n"
            f"\t\tCENTRAL INDEX KEY:\t\t\t{f.cik:010d}\n"
            "</SEC-HEADER>\n"
        ).encode()
        parts = [header]
        for seq, d in enumerate(f.documents, start=1):
            parts.append(
                f"<DOCUMENT>\n<TYPE>{d.doc_type}\n<SEQUENCE>{seq}\n<FILENAME>{d.name}\n"
                f"<DESCRIPTION>{d.description or d.doc_type}\n<TEXT>\n".encode()
            )
            parts.append(d.content)
            parts.append(b"\n</TEXT>\n</DOCUMENT>\n")
        parts.append(b"</SEC-DOCUMENT>\n")
        return b"".join(parts)

    def index_page(self, f: FakeFiling) -> bytes:
        rows = "".join(
            f'<tr><td scope="row">{i}</td><td scope="row">{escape(d.description)}'
            f'</td><td scope="row"><a href="{f.folder}/{d.name}">{d.name}</a></td>'
            f'<td scope="row">{d.doc_type}</td><td scope="row">{len(d.content)}'
            "</td></tr>"
            for i, d in enumerate(f.documents, start=1)
        )
        return (
            f'<html><body><div id="formName"><strong>Form {escape(f.form)}</strong></div>'
            f'<div id="secNum">{f.accession}</div><div class="infoHead">Filing Date</div>'
            f'<div class="info">{f.filed.isoformat()}</div><table class="tableFile" '
            f'summary="Document Format Files">{rows}</table></body></html>'
        ).encode()

    # -- HTTP ----------------------------------------------------------------------------------

    def route(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes | Repeated, str]:
        if path == "/files/company_tickers.json" and self.company_tickers is not None:
            return 200, self.company_tickers, "application/json"
        try:
            return self._route(path, query)
        except ValueError:  # start=abc, count=-: EDGAR answers such queries with an error page
            return 400, b"<html>Invalid parameter</html>", "text/html"

    def _route(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes | Repeated, str]:
        if path == "/cgi-bin/browse-edgar":
            action = query.get("action", [""])[0]
            if action == "getcompany":
                raw = query.get("CIK", ["0"])[0]
                if not raw.isdigit():
                    return 400, b"<html>Invalid parameter</html>", "text/html"
                return (
                    200,
                    self.company_feed(
                        int(raw),
                        int(query.get("start", ["0"])[0] or 0),
                        int(query.get("count", ["40"])[0] or 40),
                    ),
                    "application/atom+xml",
                )
            if action == "getcurrent":
                start = int(query.get("start", ["0"])[0] or 0)
                if self.latest_page is not None:
                    body = self.latest_page if start == 0 else None
                else:
                    body = self.latest_feed(start, int(query.get("count", ["100"])[0] or 100))
                if body is None:
                    return (
                        503,
                        b"<html><title>SEC.gov | File Unavailable</title></html>",
                        "text/html",
                    )
                return 200, body, "application/atom+xml"
            return 400, b"<html>Invalid request</html>", "text/html"
        parts = path.split("/")
        # /Archives/edgar/data/<cik>/<folder>/<name>  or  /Archives/edgar/data/<cik>/<acc>.txt
        if len(parts) >= 5 and parts[1:4] == ["Archives", "edgar", "data"] and parts[4].isdigit():
            cik = int(parts[4])
            if len(parts) == 6 and parts[5].endswith(".txt"):
                f = self.find(cik, parts[5][:-4].replace("-", ""))
                if f:
                    return 200, self.submission(f), "text/plain"
            if len(parts) == 7:
                f = self.find(cik, parts[5])
                if f:
                    name = parts[6]
                    if name == "index.json":
                        return 200, self.index_json(f), "application/json"
                    if name == f"{f.accession}.txt":
                        return 200, self.submission(f), "text/plain"
                    if name in (f"{f.accession}-index.htm", f"{f.accession}-index.html"):
                        return 200, self.index_page(f), "text/html"
                    for d in f.documents:
                        if d.name == name:
                            kind = "text/html" if name.endswith(("htm", "html")) else "text/plain"
                            return 200, d.body, kind
        return 404, b"<?xml version='1.0'?><Error><Code>NoSuchKey</Code></Error>", "application/xml"

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.match in path and fault.count > 0:
                    fault.count -= 1
                    return fault
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        edgar = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without this, Nagle's algorithm and the
            # client's delayed ACK hold every response back by about 40 ms.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                split = urlsplit(self.path)
                with edgar._lock:
                    edgar.requests.append(
                        {
                            "path": self.path,
                            "time": time.monotonic(),
                            "headers": dict(self.headers.items()),
                        }
                    )
                if edgar.blocked:
                    self._send(edgar.block_status, BLOCK_PAGE, "text/html")
                    return
                fault = edgar._take_fault(self.path)
                if fault:
                    if fault.delay:
                        time.sleep(fault.delay)
                    if fault.drop:
                        self.close_connection = True
                        self.connection.close()
                        return
                    if fault.truncate:
                        status, body, kind = edgar.route(split.path, parse_qs(split.query))
                        self._send(status, body, kind, truncate=True)
                        return
                    if fault.trickle:
                        status, body, kind = edgar.route(
                            split.path, parse_qs(split.query, keep_blank_values=True)
                        )
                        self._trickle(status, body, kind, fault)
                        return
                    self._send(
                        fault.status,
                        fault.body or b"<html>error</html>",
                        "text/html",
                        fault.headers,
                    )
                    return
                status, body, kind = edgar.route(
                    split.path, parse_qs(split.query, keep_blank_values=True)
                )
                self._send(status, body, kind)

            def _trickle(
                self, status: int, body: bytes | Repeated, kind: str, fault: Fault
            ) -> None:
                """The answer one byte at a time, until sent or the client gives up."""
                head = (
                    f"HTTP/1.1 {status} OK\r\nContent-Type: {kind}\r\n"
                    f"Content-Length: {len(body)}\r\nX-Padding: {'x' * 200}\r\n\r\n"
                ).encode()
                self.close_connection = True
                try:
                    if fault.trickle_body:
                        self.wfile.write(head)
                        self.wfile.flush()
                        head = b""
                    data = head + (body if isinstance(body, bytes) else b"".join(body.pieces()))
                    for i in range(len(data)):
                        self.wfile.write(data[i : i + 1])
                        self.wfile.flush()
                        time.sleep(fault.trickle)
                except OSError:
                    pass

            def _send(
                self,
                status: int,
                body: bytes | Repeated,
                kind: str,
                headers: dict[str, str] | None = None,
                truncate: bool = False,
            ) -> None:
                try:  # the client may have gone (it timed out): nothing to answer then
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    if isinstance(body, Repeated):
                        for piece in body.pieces():
                            self.wfile.write(piece)
                    else:
                        self.wfile.write(body[: len(body) // 2] if truncate else body)
                    if truncate:
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(2)
                except OSError:
                    pass

        return Handler
