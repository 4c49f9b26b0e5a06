"""`tracker classify`: local files (text, HTML, full submissions) to contract JSON.

Every file gets a result or an error of its own; one bad file never stops the run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tracker.classify.engine import classify_documents
from tracker.edgar.text import NotText, decode, is_submission, split_submission, to_text
from tracker.models import Document

MAX_FILE_BYTES = 20_000_000  # the rest of a larger file is not read (memory stays bounded)


def classify_file(path: str, form: str = "") -> dict[str, Any]:
    """The contract's JSON object for one file, or {"path", "error"} with a reason."""
    result: dict[str, Any] = {"path": path, "categories": [], "evidence": {}, "facts": []}
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES)
    except OSError as exc:
        return {**result, "error": f"cannot read: {exc.strerror or exc}"}
    if not raw.strip():
        return {**result, "error": "empty file"}
    try:
        text = decode(raw)
    except NotText as exc:
        return {**result, "error": f"not a text document: {exc}"}
    items: tuple[str, ...] = ()
    if is_submission(text):
        header = text[:20000]
        m = re.search(r"CONFORMED SUBMISSION TYPE:\s*(\S+)", header)
        form = form or (m.group(1) if m else "")
        docs = [Document(d.filename, d.doc_type, "", d.text) for d in split_submission(text)]
        if not docs:
            return {**result, "error": "a submission without text documents"}
    else:
        body = to_text(text)
        form = form or _form_from_text(body)
        docs = [Document(Path(path).name, form, "", body)]
    classification = classify_documents(docs, form=form, items=items)
    result["categories"] = list(classification.categories)
    result["evidence"] = {k: list(v) for k, v in classification.evidence.items()}
    result["facts"] = [f.to_json() for f in classification.facts]
    return result


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
