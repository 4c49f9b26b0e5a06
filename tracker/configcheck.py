"""`tracker check-config`'s checks beyond validation: mistakes that load fine but watch
the wrong thing, or nothing.

A valid config can still be wrong: ticker "PFE" with Amgen's CIK alerts on Amgen under
Pfizer's name, `forms = ["8K"]` never matches EDGAR's "8-K", an empty watch list polls
nothing. The daemon does not refuse these (a ticker can change hands before the bundled
list knows it, and refusing would stop a working setup); check-config, which a person
runs on purpose, does: errors exit 2, warnings are printed and exit 0.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from tracker.config import Config, key_line
from tracker.forms import EVERY_FORM
from tracker.tickers import tickers


@dataclass(frozen=True)
class Finding:
    """One problem, as `file:line: key: message`."""

    level: str  # "error" or "warning"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.level}: {self.message}"


@cache
def form_types() -> tuple[str, ...]:
    text = resources.files("tracker").joinpath("data", "form_types.txt").read_text("utf-8")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _squash(form: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", form.upper())


def form_problem(form: str) -> str | None:
    """None when `form` is a real EDGAR form type or a prefix of one (after any "/A");
    else the message, with the nearest real one."""
    if form.strip() == EVERY_FORM:
        return None  # forms = ["*"]: every form, the routine ones too (tracker.forms)
    base = form.upper().removesuffix("/A")
    known = form_types()
    if any(k.startswith(base) for k in known):
        return None
    # Same letters and digits without the punctuation ("8K", "DEF14A", "SC13D") first.
    same = [k for k in known if _squash(k) == _squash(base)]
    near = same or difflib.get_close_matches(base, known, n=1, cutoff=0.6)
    hint = f'; did you mean "{near[0]}"?' if near else ""
    return f'"{form}" is not an EDGAR form type, so it would never match a filing{hint}'


def check(config: Config, state_dir: str | None = None) -> list[Finding]:
    """The checks, in file order; `state_dir` holds a refreshed ticker list, if any."""
    path = config.path
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        text = ""

    def where(index: int, key: str) -> str:
        line = key_line(text, path, f"companies[{index}]", index, key)
        return f"{path}:{line}" if line else path

    findings: list[Finding] = []
    if not config.companies:
        findings.append(
            Finding(
                "warning",
                path,
                "no companies are watched: the tracker would poll nothing "
                "(add some with `tracker watch add TICKER`)",
            )
        )
    table = tickers(state_dir)
    by_cik: dict[int, tuple[str, str]] = {}
    for ticker, (cik, title) in table.items():
        by_cik.setdefault(cik, (ticker, title))
    for i, company in enumerate(config.companies):
        listed = table.get(company.ticker.replace(".", "-")) if company.ticker else None
        if listed and listed[0] != company.cik:
            other = by_cik.get(company.cik)
            named = f" ({other[1]}, ticker {other[0]})" if other else ""
            findings.append(
                Finding(
                    "error",
                    where(i, "ticker"),
                    f"companies[{i}]: ticker {company.ticker} is CIK {listed[0]} ({listed[1]}) "
                    f"in SEC's ticker list, but cik = {company.cik}{named}: alerts would "
                    "carry one company's name for the other's filings; fix the ticker or the cik",
                )
            )
        elif company.cik not in by_cik:
            findings.append(
                Finding(
                    "warning",
                    where(i, "cik"),
                    f"companies[{i}]: CIK {company.cik} is not in SEC's ticker list (a "
                    "delisted or private filer is fine; otherwise check the number, or run "
                    "`tracker tickers refresh`)",
                )
            )
        for form in company.forms or ():
            problem = form_problem(form)
            if problem:
                findings.append(
                    Finding("error", where(i, "forms"), f"companies[{i}].forms: {problem}")
                )
    return findings
