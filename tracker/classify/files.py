"""`tracker classify`: local files (text, HTML, full submissions) to contract JSON.

Every file gets a result or an error of its own; one bad file never stops the run.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from tracker.classify.engine import classify_documents
from tracker.edgar.text import NotText, decode, is_submission, split_submission, to_text
from tracker.models import Document

MAX_FILE_BYTES = 20_000_000  # the rest of a larger file is not read (memory stays bounded)


def classify_file(path: str, form: str = "", filed: date | None = None) -> dict[str, Any]:
    """The contract's JSON object for one file, or {"path", "error"} with a reason.

    `form` is the document's own type when known: "8-K", "424B4", "10-Q"..., an exhibit
    ("EX-99.1": read as the press release of an 8-K) or "PR" (a newswire release).
    """
    result: dict[str, Any] = {"path": path, "categories": [], "evidence": {}, "facts": []}
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES)
    except OSError as exc:
        return {**result, "error": f"cannot read: {exc.strerror or exc}"}
    if not raw.strip():
        return {**result, "error": "empty file"}
    try:
        docs, form = read_as_filed(Path(path).name, raw, form)
    except NotText as exc:
        return {**result, "error": f"not a text document: {exc}"}
    if not docs:
        return {**result, "error": "a submission without text documents"}
    classification = classify_documents(docs, form=form, filed=filed)
    result["categories"] = list(classification.categories)
    result["evidence"] = {k: list(v) for k, v in classification.evidence.items()}
    result["facts"] = [f.to_json() for f in classification.facts]
    return result


def read_as_filed(name: str, raw: bytes, form: str = "") -> tuple[list[Document], str]:
    """A local file's documents as the tracker meets them in a filing, and that form.

    A full submission is split into its documents; an exhibit is the press release of
    an 8-K; "PR" is a release outside any filing; without a form, the document's
    cover names it. Raises NotText for binary input.
    """
    text = decode(raw)
    if is_submission(text):
        m = re.search(r"CONFORMED SUBMISSION TYPE:\s*(\S+)", text[:20000])
        form = form or (m.group(1) if m else "")
        return [Document(d.filename, d.doc_type, "", d.text) for d in split_submission(text)], form
    body = to_text(text)
    upper = form.upper()
    if upper.startswith("EX-"):
        return [Document(name, upper, "", body)], "8-K"
    if upper == "PR":
        return [Document(name, "PR", "", body)], ""
    form = form or _form_from_text(body)
    return [Document(name, form, "", body)], form


def _form_from_text(text: str) -> str:
    """The form a lone document names on its cover ("FORM 10-Q", "Rule 424(b)(5)")."""
    head = text[:5000]
    m = re.search(r"Rule\s+424\(b\)\((\d)\)", head, re.I)
    if m:
        return f"424B{m.group(1)}"
    cover = _COVER_FORM_RE.search(head)
    return cover.group(1) if cover else ""


_COVER_FORM_RE = re.compile(
    r"(?m)^\s*FORM\s+(10-Q|10-K|8-K|S-1|S-3|F-1|F-3|20-F|40-F|6-K|SB-2)(?:/A)?\s*$"
)
