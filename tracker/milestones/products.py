"""Product names in a filing: trademarks, code names, INNs, named objects and renames.

Every statement is about a product; this module finds the names a filing uses and which
one a milestone's words are about, so statements need not know how names look.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tracker.milestones.words import MONTHS, US_APPLICATION

_PRODUCT_RE = re.compile(r"\b([A-Z][A-Za-z0-9-]{2,30})(?:\(R\)|®|\(TM\)|™)")
_CODE_NAME_RE = re.compile(r"\b([A-Z]{2,5}-\d{2,6}[A-Za-z]?)\b")
# Code-shaped names of targets, diseases and standards, not products.
_NOT_PRODUCT_RE = re.compile(
    r"(COVID|SARS|MERS|GLP|HER|IL|CD|PD|CTLA|TNF|HIV|HPV|HCV|HBV|FGF|VEGF|CYP|ISO|BCMA|EGFR|KRAS|"
    r"TGF|IGF|APO|LDL|HDL|SGLT|DPP|JAK|BTK|PCSK|CAR|AAV|EQ|FORM|ICH|GCP|ICD)"
)
# International nonproprietary names by their USAN/INN stems ("brevantinib", "halrizumab").
_INN_STEMS = (
    r"(?:mab|tug|bart|nib|ciclib|parib|lisib|sib|degib|zomib|siran|rsen|vec|leucel|prazan|"
    r"gliflozin|gliptin|sartan|olol|vir)"
)
_INN_RE = re.compile(rf"\b([a-z]{{3,}}{_INN_STEMS})(?:-[a-z]{{4}})?\b")
# "A new drug application for Zelvora", "trial of Hemopure": the object names a product.
_OBJECT_NAME_RE = re.compile(
    rf"\b(?:{US_APPLICATION}|IND|MAA|applications?|trials?|study|studies|approval|candidate)"
    r"\s+(?:for|of)\s+([A-Z][a-z]{3,}[a-z0-9]*)\b(?![-\s]+[A-Z]?\d)"
)
_NOT_OBJECT_NAME_RE = re.compile(
    rf"(the|this|that|these|its|our|their|phase|patients|adults|children|people|treatment|acute|"
    rf"chronic|moderate|severe|{'|'.join(MONTHS)})",
    re.I,
)
# Code names of trials, not products: "LARK-201, a randomized ... Phase 2 trial".
_TRIAL_NAME_RE = re.compile(
    r"\b([A-Z]{2,5}-\d{2,6}[A-Za-z]?)\b(?:,?\s+(?:a|an|its|our|the)\s+[^.;]{0,80}?\b(?:randomi[sz]ed|"
    r"double-blind|placebo|open-label|pivotal|phase\s*\d|multicenter|registrational)\b"
    r"[^.;]{0,40}?\b(?:trial|study)\b|\s+(?:trial|study)\b)",
    re.I,
)
_NAME = r"[A-Z][A-Za-z0-9-]{2,30}|[A-Z]{2,5}-\d{2,6}[A-Za-z]?"
_RENAME_RE = re.compile(
    rf"\b(?P<new>{_NAME})\b(?:\(R\)|®|\(TM\)|™)?,?\s+\(?(?:formerly|previously) "
    rf"(?:known as |called |named |designated )?(?P<old>{_NAME})\b"
    rf"|\b(?P<old2>[A-Z]{{2,5}}-\d{{2,6}}[A-Za-z]?)\b,?\s+(?:now|which is now) (?:known as|named|"
    rf"called) (?P<new2>[A-Z][A-Za-z0-9-]{{2,30}})"
    rf"|\b(?P<new3>[A-Z][A-Za-z0-9-]{{2,30}})(?:\(R\)|®|\(TM\)|™)?\s+\((?P<old3>[A-Z]{{2,5}}-"
    rf"\d{{2,6}}[A-Za-z]?)\)"
    rf"|\b(?P<new4>[A-Z][A-Za-z0-9-]{{2,30}})(?:\(R\)|®|\(TM\)|™)?\s+\((?P<old4>[a-z]{{3,}}"
    rf"{_INN_STEMS})(?:-[a-z]{{4}})?(?:\s+[a-z]+)?\)"
)


def products_in(texts: Iterable[str]) -> list[str]:
    """Names marked as trademarks ("Hemopure(R)", "Zelvora™"), in order of appearance."""
    names: list[str] = []
    for text in texts:
        for m in _PRODUCT_RE.finditer(text):
            if m.group(1) not in names:
                names.append(m.group(1))
    return names


def aliases_in(texts: Iterable[str]) -> dict[str, str]:
    """{old name: new name} from "NewName (formerly OldName)" and "Brand (CODE-123)"."""
    found: dict[str, str] = {}
    for text in texts:
        for m in _RENAME_RE.finditer(text):
            old = m.group("old") or m.group("old2") or m.group("old3") or m.group("old4")
            new = m.group("new") or m.group("new2") or m.group("new3") or m.group("new4")
            if not old or not new or old == new or is_not_product(new):
                continue
            if m.group("new3") and (new.isupper() and "-" not in new and len(new) <= 5):
                continue  # "(NASDAQ)"-like capitals before a code are no brand
            found[old] = new
    return found


def objects_in(texts: Iterable[str]) -> list[str]:
    """Capitalised names that an application or trial is for ("NDA for Zelvora")."""
    return list(
        dict.fromkeys(
            m.group(1)
            for text in texts
            for m in _OBJECT_NAME_RE.finditer(text)
            if not _NOT_OBJECT_NAME_RE.fullmatch(m.group(1))
        )
    )


def inns_in(texts: Iterable[str]) -> list[str]:
    """Nonproprietary names ("brevantinib"): products too, when no brand is given."""
    return list(dict.fromkeys(m.group(1) for text in texts for m in _INN_RE.finditer(text)))


def trial_names(texts: Iterable[str]) -> set[str]:
    return {m.group(1) for text in texts for m in _TRIAL_NAME_RE.finditer(text)}


def is_not_product(name: str) -> bool:
    return bool(_NOT_PRODUCT_RE.fullmatch(name.split("-")[0].upper()))


def _code_names(text: str) -> list[tuple[int, str]]:
    return [
        (m.start(), m.group(1))
        for m in _CODE_NAME_RE.finditer(text)
        if not is_not_product(m.group(1))
    ]


def names_re(products: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for all known names (longest first), built once per filing."""
    if not products:
        return None
    names = sorted(products, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(p) for p in names) + r")\b")


def named_in(
    text: str, names: re.Pattern[str] | None, not_products: Iterable[str] = ()
) -> list[tuple[int, str]]:
    """(position, name) of every product named in a text: known names and code names."""
    hits = [(m.start(), m.group(1)) for m in names.finditer(text)] if names else []
    taken = {pos for pos, _ in hits}
    hits += [(pos, code) for pos, code in _code_names(text) if pos not in taken]
    excluded = set(not_products)
    return sorted(hit for hit in hits if hit[1] not in excluded)


def product_for(hits: list[tuple[int, str]], lo: int, hi: int, start: int) -> str:
    """The product a match at `start` is about: the nearest named before it in [lo, hi),
    else the first named after it."""
    inside = [(pos, name) for pos, name in hits if lo <= pos < hi]
    before = [name for pos, name in inside if pos <= start]
    if before:
        return before[-1]
    return inside[0][1] if inside else ""
