"""Which documents of a filing to read, and reading them.

index.json names the files but not their types, so types come from the file
name (filers call press releases ex99, ex991, ex99-1, dex991, ...). When the
folder cannot be listed or holds nothing readable, the full submission .txt
gives every document with its declared type in one request.
"""

from __future__ import annotations

import json
import logging
import re

from tracker.edgar.client import EdgarClient
from tracker.edgar.text import NotText, decode, is_submission, split_submission, to_text
from tracker.errors import FetchError
from tracker.models import Document, Filing

log = logging.getLogger(__name__)

MAX_DOCUMENTS = 6
_SAFE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_SKIP_RE = re.compile(
    r"(-index\.html?$|-index-headers\.html?$|^R\d+\.htm$|^FilingSummary|\.(xml|xsd|json|js|css|zip|"
    r"jpe?g|gif|png|pdf|xlsx?|sgml|paper)$)",
    re.I,
)
_EX99_RE = re.compile(r"ex(?:hibit)?[-_]?99(?:[-_.d]?(\d{1,2}))?(?!\d)", re.I)
_EXHIBIT_RE = re.compile(r"(?<![a-z])d?ex(?:hibit)?[-_]?(\d{1,2})(?:[-_.d](\d{1,2}))?", re.I)
_RELEASE_NAME_RE = re.compile(r"press|release|news", re.I)
_SUBMISSION_RE = re.compile(r"^\d{10}-\d{2}-\d{6}")


def folder(filing: Filing) -> str:
    return f"/Archives/edgar/data/{filing.cik}/{filing.accession.replace('-', '')}"


def index_page_url(client: EdgarClient, filing: Filing) -> str:
    """The -index.htm page people open; the feed's link when it is on our host."""
    if filing.index_url.startswith(client.base_url + "/"):
        return filing.index_url
    return client.url_for(f"{folder(filing)}/{filing.accession}-index.htm")


def guess_type(name: str, form: str) -> str:
    m99 = _EX99_RE.search(name)
    if m99:
        return f"EX-99.{int(m99.group(1))}" if m99.group(1) else "EX-99"
    m = _EXHIBIT_RE.search(name)
    if not m:
        # Press releases are filed as EX-99; some filers just name them so.
        return "EX-99" if _RELEASE_NAME_RE.search(name) else form
    number = m.group(1).lstrip("0") or "0"
    return f"EX-{number}.{m.group(2).lstrip('0') or '0'}" if m.group(2) else f"EX-{number}"


def choose(names: list[str], form: str) -> list[tuple[str, str]]:
    """(name, type) of the documents worth reading: primary first, then EX-99s."""
    primary: list[tuple[str, str]] = []
    exhibits: list[tuple[str, str]] = []
    for name in names:
        if not _SAFE_NAME_RE.match(name) or _SKIP_RE.search(name) or _SUBMISSION_RE.match(name):
            if not _SAFE_NAME_RE.match(name):
                log.warning("ignoring unsafe document name in index.json: %r", name[:100])
            continue
        if not name.lower().endswith((".htm", ".html", ".txt")):
            continue
        doc_type = guess_type(name, form)
        if doc_type == form:
            primary.append((name, doc_type))
        elif doc_type.startswith("EX-99"):
            exhibits.append((name, doc_type))
    if not primary and not exhibits:
        return []
    # The main document is the one named for the form ("d8k.htm", "form424b5.htm"); other
    # documents without an exhibit number (a "press_release.htm") are read too, after
    # the press releases, because a filer's naming is no promise.
    primary.sort(key=lambda p: not _names_form(p[0], form))
    ordered = primary[:1] + sorted(exhibits, key=lambda e: _natural(e[0])) + primary[1:]
    return ordered[:MAX_DOCUMENTS]


def _names_form(name: str, form: str) -> bool:
    compact = re.sub(r"[^a-z0-9]", "", form.lower())
    return bool(compact) and compact in re.sub(r"[^a-z0-9]", "", name.lower())


def fetch_documents(client: EdgarClient, filing: Filing) -> list[Document]:
    """Read a filing's primary document and press releases as text.

    Raises FetchError when nothing could be read; the caller retries next cycle.
    """
    base = folder(filing)
    try:
        listing = client.get(f"{base}/index.json", max_bytes=2_000_000)
        names = [
            str(item.get("name", "")) for item in json.loads(listing.content)["directory"]["item"]
        ]
    except FetchError as exc:
        if exc.retryable:
            raise
        names = []
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning(
            "%s: index.json is not a directory listing; reading the full submission",
            filing.accession,
        )
        names = []
    chosen = choose(names, filing.form)
    if not chosen:
        return _from_submission(client, filing)
    documents = []
    for name, doc_type in chosen:
        url = client.url_for(f"{base}/{name}")
        try:
            resp = client.get(url)
        except FetchError as exc:
            if exc.status != 404:
                raise
            # index.json lists it, so it is on its way (EDGAR publishes a folder's files
            # over a few moments): worth another try next cycle.
            raise FetchError(
                f"{filing.accession}: {name} is listed but not there yet", url=url, status=404
            ) from exc
        try:
            text = to_text(decode(resp.content))
        except NotText:
            log.warning("%s: %s is not text; skipped", filing.accession, name)
            continue
        if resp.truncated:
            log.warning(
                "%s: %s is larger than the size limit; read its beginning only",
                filing.accession,
                name,
            )
        documents.append(Document(name=name, doc_type=doc_type, url=url, text=text))
    if not documents:
        return _from_submission(client, filing)
    return documents


def _from_submission(client: EdgarClient, filing: Filing) -> list[Document]:
    url = client.url_for(f"/Archives/edgar/data/{filing.cik}/{filing.accession}.txt")
    resp = client.get(url)
    try:
        text = decode(resp.content)
    except NotText as exc:
        raise FetchError(f"{url} is not text: {exc}", url=url, retryable=False) from exc
    if not is_submission(text):
        return [
            Document(
                name=f"{filing.accession}.txt", doc_type=filing.form, url=url, text=to_text(text)
            )
        ]
    docs = [
        Document(
            name=d.filename or f"{filing.accession}.txt",
            doc_type=d.doc_type or filing.form,
            url=url,
            text=d.text,
        )
        for d in split_submission(text)
    ]
    if not docs:
        raise FetchError(f"{url} holds no text documents", url=url, retryable=False)
    keep = [d for d in docs if d.doc_type == docs[0].doc_type or d.doc_type.startswith("EX-99")]
    return keep[:MAX_DOCUMENTS]


def _natural(name: str) -> list[object]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name.lower())]
