"""`tracker watch add/remove/list`: edit the watch config's [[companies]] in place.

People keep notes in this file and the daemon re-reads it before every cycle, so edits
are made on the text, line by line, instead of re-serialising a parsed document: every
byte outside the edited table stays as the user wrote it. Each result is checked twice
before it replaces the file: it must parse to exactly the old document plus or minus one
company (guarding against an unusual layout fooling the line scan), and it must pass
`parse_config` (so a bad channel or category never reaches the daemon).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from tracker.atomicfile import replace_file
from tracker.config import Config, load_config, parse_config, state_dir_for
from tracker.configcheck import form_problem
from tracker.errors import ConfigError
from tracker.models import Company
from tracker.tickers import TickerError, resolve_ticker, tickers

_COMPANY_HEADER = re.compile(r"""^\s*\[\[\s*(companies|"companies"|'companies')\s*\]\]\s*(#.*)?$""")
_ANY_HEADER = re.compile(r"^\s*\[")
_CIK = re.compile(r"^\d+$")
_TICKER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9.\-]{1,12}$")
_KEY_ORDER = ("ticker", "cik", "name", "channel", "categories", "forms")
_COLUMNS = ("TICKER", "CIK", "NAME", "CHANNEL", "CATEGORIES", "FORMS")
_UNCHANGED = "nothing was changed"


@dataclass(frozen=True)
class WatchRow:
    """One line of `watch list`; None means "not set" (default channel, all categories)."""

    cik: int
    ticker: str | None
    name: str | None
    channel: str | None
    categories: tuple[str, ...] | None
    forms: tuple[str, ...] | None


class WatchError(ValueError):
    """A watch edit was refused; one line naming the file, as the CLI prints it verbatim."""

    def __init__(self, path: str, message: str, *, line: int | None = None):
        self.path = path
        self.line = line
        self.reason = message
        super().__init__(f"{path if line is None else f'{path}:{line}'}: {message}")


@dataclass(frozen=True)
class _Ident:
    """What the user typed, sorted into the one lookup that applies to it."""

    cik: int | None = None
    ticker: str | None = None


@dataclass(frozen=True)
class _Span:
    """Lines [start, end) owned by one [[companies]] table, comments included."""

    start: int
    end: int


# --- public API -------------------------------------------------------------------------


def list_watch(path: str, state_dir: str | None = None) -> list[WatchRow]:
    """Rows as the daemon will see them, so `watch list` never shows an unvalidated guess."""
    try:
        config = load_config(path, state_dir)
    except ConfigError as exc:
        raise WatchError(path, _what(exc), line=exc.line) from None
    return [_row(company) for company in config.companies]


def watch_rows(config: Config) -> list[WatchRow]:
    """Rows of an already loaded config (the daemon's running one, while the file is bad)."""
    return [_row(company) for company in config.companies]


def add_watch(
    path: str,
    ident: str,
    *,
    channel: str | None = None,
    categories: list[str] | None = None,
    forms: list[str] | None = None,
    state_dir: str | None = None,
    name: str | None = None,
) -> WatchRow:
    """Append one [[companies]] table after the last one; refuses duplicates and bad values.

    `state_dir` holds a refreshed ticker list, if any (default: the config's state dir).
    `name` labels a CIK that the ticker snapshot does not know (a delisted filer), as
    EDGAR names it; a ticker or a known CIK keeps the snapshot's name.
    """
    sd = state_dir or state_dir_for(path)
    entry = _new_entry(_parse_ident(ident, path), path, channel, categories, forms, sd)
    if name and "name" not in entry:
        entry["name"] = name
    with _edit_lock(path):
        original, text = _read(
            path,
            missing="does not exist; create it first (copy "
            "config/watch.toml: the tracker needs its [edgar] user_agent)",
        )
        doc = _parse_toml(text, path)
        tables = _company_tables(doc, path)
        _refuse_duplicate(tables, entry["cik"], path, sd)
        lines = text.splitlines(keepends=True)
        spans = _spans(lines, len(tables), path)
        at = spans[-1].end if spans else len(lines)
        block = _render(entry, _newline(lines))
        new_lines = _inserted(lines, at, block)
        new_text = "".join(new_lines)
        added = len(new_lines) - len(lines)
        _check_structure(doc, new_text, [*tables, entry], path)
        config = _validated(
            new_text,
            path,
            lambda n: n if n <= at else (None if n <= at + added else n - added),
            sd,
        )
        _replace(path, original, new_text)
    return _row(config.companies[len(tables)])


def remove_watch(path: str, ident: str, state_dir: str | None = None) -> WatchRow:
    """Delete one company's whole table, with its comments, leaving the others untouched."""
    sd = state_dir or state_dir_for(path)
    target = _parse_ident(ident, path)
    with _edit_lock(path):
        original, text = _read(path, missing="does not exist")
        doc = _parse_toml(text, path)
        tables = _company_tables(doc, path)
        index = _find(tables, target, ident, path, sd)
        lines = text.splitlines(keepends=True)
        span = _spans(lines, len(tables), path)[index]
        start, end = _widened(lines, span)
        new_text = "".join(lines[:start] + lines[end:])
        removed = end - start
        _check_structure(doc, new_text, tables[:index] + tables[index + 1 :], path)
        _validated(new_text, path, lambda n: n if n <= start else n + removed, sd)
        _replace(path, original, new_text)
    return _row_from_table(tables[index], sd)


def row_json(row: WatchRow) -> dict[str, Any]:
    """One company for `watch list --json`; null means not set (default channel, all)."""
    return {
        "ticker": row.ticker,
        "cik": row.cik,
        "name": row.name,
        "channel": row.channel,
        "categories": list(row.categories) if row.categories is not None else None,
        "forms": list(row.forms) if row.forms is not None else None,
    }


def format_rows(rows: list[WatchRow]) -> str:
    """Aligned columns, so a long watch list can be scanned by eye in a terminal."""
    if not rows:
        return "(no companies watched)"
    table = [list(_COLUMNS)] + [_cells(row) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(_COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in table
    )


# --- identifying companies ---------------------------------------------------------------


def _parse_ident(ident: str, path: str) -> _Ident:
    """Digits are a CIK (SEC pads them to 10); anything else must look like a ticker."""
    value = ident.strip()
    if _CIK.match(value):
        cik = int(value)
        if not 0 < cik < 10**10:
            raise WatchError(
                path, f"{ident!r} is not a CIK (1 to 10 digits, not all zero); {_UNCHANGED}"
            )
        return _Ident(cik=cik)
    if _TICKER.match(value):
        return _Ident(ticker=value.upper())
    raise WatchError(
        path,
        f"{ident!r} is neither a ticker (e.g. MRNA, BRK.B) nor a CIK "
        f"(e.g. 0000815508); {_UNCHANGED}",
    )


def _new_entry(
    target: _Ident,
    path: str,
    channel: str | None,
    categories: list[str] | None,
    forms: list[str] | None,
    sd: str | None,
) -> dict[str, Any]:
    """Always write the CIK: it keeps working after a ticker changes or leaves SEC's list."""
    entry: dict[str, Any] = {}
    if target.ticker is not None:
        try:
            cik, title = resolve_ticker(target.ticker, sd)
        except TickerError as exc:
            raise WatchError(path, f"{exc}; {_UNCHANGED}") from None
        entry.update(ticker=target.ticker, cik=cik, name=title)
    else:
        assert target.cik is not None
        known = _snapshot_entry(target.cik, sd)
        if known:
            entry.update(ticker=known[0], cik=target.cik, name=known[1])
        else:
            entry.update(cik=target.cik)
    if channel is not None:
        entry["channel"] = channel.strip()
    if categories is not None:
        entry["categories"] = [c.strip() for c in categories]
    if forms is not None:
        entry["forms"] = [f.strip().upper() for f in forms]
        # check-config refuses a form that no filing has ("8K"); so does the edit that
        # would write it, instead of leaving a company that is silently never alerted.
        for form in entry["forms"]:
            problem = form_problem(form)
            if problem:
                raise WatchError(path, f"{problem}; {_UNCHANGED}")
    return entry


def _snapshot_entry(cik: int, sd: str | None) -> tuple[str, str] | None:
    """The snapshot lists the most traded class first, so its first ticker is the one to show."""
    return next(((t, title) for t, (c, title) in tickers(sd).items() if c == cik), None)


def _resolved(ticker: Any, sd: str | None) -> tuple[int, str] | None:
    """Ticker-only entries still count as their CIK; an unknown one just cannot match by CIK."""
    if not isinstance(ticker, str):
        return None
    try:
        return resolve_ticker(ticker, sd)
    except TickerError:
        return None


def _cik_of(table: dict[str, Any], sd: str | None) -> int | None:
    cik = table.get("cik")
    if isinstance(cik, int) and not isinstance(cik, bool):
        return cik
    found = _resolved(table.get("ticker"), sd)
    return found[0] if found else None


def _same_ticker(a: Any, b: str) -> bool:
    """SEC writes BRK-B where people write BRK.B; both mean the same listing."""
    return isinstance(a, str) and a.upper().replace(".", "-") == b.upper().replace(".", "-")


def _refuse_duplicate(tables: list[dict[str, Any]], cik: int, path: str, sd: str | None) -> None:
    for table in tables:
        if _cik_of(table, sd) == cik:
            raise WatchError(path, f"{_label(table)} (CIK {cik}) is already watched; {_UNCHANGED}")


def _find(
    tables: list[dict[str, Any]], target: _Ident, ident: str, path: str, sd: str | None
) -> int:
    """A written ticker wins over a resolved one, in case the file pins an older CIK."""
    if target.ticker is not None:
        for i, table in enumerate(tables):
            if _same_ticker(table.get("ticker"), target.ticker):
                return i
        found = _resolved(target.ticker, sd)
        cik = found[0] if found else None
    else:
        cik = target.cik
    for i, table in enumerate(tables):
        if cik is not None and _cik_of(table, sd) == cik:
            return i
    watched = ", ".join(_label(t) for t in tables) or "none"
    raise WatchError(path, f"{ident!r} is not watched (watched: {watched})")


def _label(table: dict[str, Any]) -> str:
    ticker = table.get("ticker")
    return str(ticker).upper() if ticker else f"CIK {table.get('cik')}"


# --- reading and checking ----------------------------------------------------------------


def _read(path: str, *, missing: str) -> tuple[bytes, str]:
    """Bytes, not read_text: universal newlines would silently turn CRLF files into LF."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise WatchError(path, missing) from None
    except OSError as exc:
        raise WatchError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        return raw, raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WatchError(path, f"not UTF-8 text ({exc.reason}); {_UNCHANGED}") from None


def _parse_toml(text: str, path: str) -> dict[str, Any]:
    """Editing text we cannot parse could cut the user's half-finished work in two."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WatchError(path, f"invalid TOML, fix it by hand first: {exc}; {_UNCHANGED}") from None


def _company_tables(doc: dict[str, Any], path: str) -> list[dict[str, Any]]:
    companies = doc.get("companies", [])
    if not isinstance(companies, list) or not all(isinstance(t, dict) for t in companies):
        raise WatchError(
            path,
            "companies must be written as [[companies]] tables to be edited "
            f"by command; {_UNCHANGED}",
        )
    return companies


def _check_structure(
    old: dict[str, Any], new_text: str, companies: list[dict[str, Any]], path: str
) -> None:
    """The line scan trusts layout; the parser does not. Disagreement means hands off."""
    try:
        new = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        new = None
    rest_old = {k: v for k, v in old.items() if k != "companies"}
    if (
        new is None
        or new.get("companies", []) != companies
        or {k: v for k, v in new.items() if k != "companies"} != rest_old
    ):
        raise WatchError(
            path,
            "the [[companies]] tables are laid out in a way this command "
            f"cannot edit safely; edit the file by hand ({_UNCHANGED})",
        )


def _validated(
    new_text: str, path: str, old_line: Callable[[int], int | None], sd: str | None
) -> Config:
    """Report lines as they are in the file on disk, not in the text we declined to write."""
    try:
        return parse_config(new_text, path, sd)
    except ConfigError as exc:
        what = _what(exc)
        line = old_line(exc.line) if exc.line is not None else None
        if exc.line is not None and line is None:
            what = f"new entry: {what}"
        raise WatchError(path, f"{what}; {_UNCHANGED}", line=line) from None


def _what(exc: ConfigError) -> str:
    return f"{exc.key}: {exc.reason}" if exc.key else exc.reason


# --- locating and editing lines ----------------------------------------------------------


def _is_blank(line: str) -> bool:
    return not line.strip()


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _spans(lines: list[str], count: int, path: str) -> list[_Span]:
    """Comments directly above a header belong to that company, except above the first one,
    where they usually introduce the section (or end the previous table) instead."""
    headers = [i for i, line in enumerate(lines) if _ANY_HEADER.match(line)]
    companies = [i for i in headers if _COMPANY_HEADER.match(lines[i])]
    if len(companies) != count:
        raise WatchError(
            path,
            "cannot find every [[companies]] table in the text; edit the "
            f"file by hand ({_UNCHANGED})",
        )
    spans = []
    for header in companies:
        following = next((i for i in headers if i > header), len(lines))
        previous = max((i for i in headers if i < header), default=None)
        start = header
        if previous in companies:
            while start > 0 and _is_comment(lines[start - 1]):
                start -= 1
        spans.append(_Span(start, _table_end(lines, header, following)))
    return spans


def _table_end(lines: list[str], header: int, following: int) -> int:
    """Comments right after the last key (`# forms = ...`) are part of the table; a comment
    block that runs into the next header introduces that header instead."""
    last = header
    for i in range(header + 1, following):
        if not _is_blank(lines[i]) and not _is_comment(lines[i]):
            last = i
    end = last + 1
    while end < following and _is_comment(lines[end]):
        end += 1
    if end == following < len(lines):
        return last + 1
    return end


def _widened(lines: list[str], span: _Span) -> tuple[int, int]:
    """Take one neighbouring blank line along, so no double gap or trailing gap is left."""
    start, end = span.start, span.end
    blank_before = start == 0 or _is_blank(lines[start - 1])
    blank_after = end == len(lines) or _is_blank(lines[end])
    if blank_before and blank_after:
        if end < len(lines):
            end += 1
        elif start > 0:
            start -= 1
    return start, end


def _newline(lines: list[str]) -> str:
    return "\r\n" if lines and lines[0].endswith("\r\n") else "\n"


def _render(entry: dict[str, Any], newline: str) -> list[str]:
    """tomlkit does the quoting, so names with quotes or non-ASCII still round-trip."""
    body = [
        f"{key} = {tomlkit.item(entry[key]).as_string()}{newline}"
        for key in _KEY_ORDER
        if key in entry
    ]
    return [f"[[companies]]{newline}", *body]


def _inserted(lines: list[str], at: int, block: list[str]) -> list[str]:
    """Blank lines around the new table only where none exist, to match the file's rhythm."""
    newline = _newline(lines)
    before = list(lines[:at])
    if before and not before[-1].endswith(("\n", "\r")):
        before[-1] += newline
    if before and not _is_blank(before[-1]):
        block = [newline, *block]
    if at < len(lines) and not _is_blank(lines[at]):
        block = [*block, newline]
    return before + block + lines[at:]


# --- writing -----------------------------------------------------------------------------


@contextlib.contextmanager
def _edit_lock(path: str) -> Iterator[None]:
    """Two `watch add` runs at once would each append to the text they read and the second
    os.replace would drop the first one's company, so edits of one file are serialised with
    flock. The lock file lives in the temp dir, keyed by the config's real path, so config/
    gets no litter and a read-only config dir still works; the daemon never needs it because
    it only reads, and os.replace gives it either the old or the new file. Editors ignore the
    lock, which is why _replace also compares the file with what was read."""
    key = hashlib.sha256(os.path.realpath(path).encode()).hexdigest()[:16]
    lock_path = os.path.join(tempfile.gettempdir(), f"tracker-watch-{key}.lock")
    try:
        fd = os.open(lock_path, os.O_RDONLY | os.O_CREAT, 0o600)
    except OSError:
        yield  # someone else's lock file we cannot open: fall back on the compare check
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _replace(path: str, original: bytes, text: str) -> None:
    """Readers see the old file or the new one, never half; a symlinked config stays a link."""
    target = Path(os.path.realpath(path))
    try:
        if target.read_bytes() != original:
            raise WatchError(
                path,
                f"the file changed while it was being edited; run the command again ({_UNCHANGED})",
            )
        mode = stat.S_IMODE(target.stat().st_mode)
        replace_file(target, text.encode("utf-8"), mode)
    except OSError as exc:
        raise WatchError(path, f"cannot write: {exc.strerror or exc}; {_UNCHANGED}") from None


# --- rows --------------------------------------------------------------------------------


def _row(company: Company) -> WatchRow:
    return WatchRow(
        cik=company.cik,
        ticker=company.ticker,
        name=company.name,
        channel=company.channel,
        categories=company.categories,
        forms=company.forms,
    )


def _row_from_table(table: dict[str, Any], sd: str | None) -> WatchRow:
    """Mirrors parse_config's normalisation, for a removed table that may not have been valid;
    cik is 0 only for a ticker-only entry whose ticker SEC's list does not know."""
    ticker = table.get("ticker")
    resolved = None if "cik" in table else _resolved(ticker, sd)
    categories = table.get("categories")
    forms = table.get("forms")
    return WatchRow(
        cik=_cik_of(table, sd) or 0,
        ticker=ticker.upper() if isinstance(ticker, str) else None,
        name=table.get("name") or (resolved[1] if resolved else None),
        channel=table.get("channel"),
        categories=tuple(categories) if isinstance(categories, list) else None,
        forms=tuple(str(f).strip().upper() for f in forms) if isinstance(forms, list) else None,
    )


def _cells(row: WatchRow) -> list[str]:
    return [
        row.ticker or "-",
        str(row.cik),
        row.name or "-",
        row.channel or "(default)",
        ",".join(row.categories) if row.categories is not None else "(all)",
        ",".join(row.forms) if row.forms is not None else "(all)",
    ]
