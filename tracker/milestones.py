"""The milestone ledger: what each company said it would do, and what changed.

From each filing we read milestone statements (product, kind, status, target
date, sentence), keep them per company, and diff a new filing against the
latest statement of each (product, kind). Cash runway and financing needs are
tracked the same way. Everything here is pure: the pipeline stores the entries.

Sensible readings of hard cases, documented in the README:
- several statements of one milestone in one filing: the most severe status wins
  (abandoned > delayed > at risk > planned > achieved), then the most precise date;
- dates without a year take the filing's year; "by year end" and "in the second
  half" are read relative to the filing date;
- a product renamed with "formerly known as" keeps its history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from tracker.models import Fact, MilestoneChange

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_RE = "|".join(m.capitalize() for m in MONTHS)

KINDS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (kind, label, re.compile(pattern, re.I))
    for kind, label, pattern in (
        (
            "crl_reply",
            "reply to FDA complete response letter",
            r"\b(repl\w*|respon(d|se|ding)|resubmi\w*|address\w*)\b[^.;]{0,80}\bcomplete response "
            r"letter\b|\bresubmission\b",
        ),
        (
            "crl",
            "FDA complete response letter",
            r"\b(receiv\w*|issu\w*|sent)\b[^.;]{0,60}\bcomplete response letter\b|\bcomplete "
            r"response letter\b[^.;]{0,40}\b(receiv|issu)\w*",
        ),
        (
            "hold_lifted",
            "clinical hold lifted",
            r"\b(lift\w*|remov\w*|releas\w*)\b[^.;]{0,60}\bclinical hold\b|"
            r"\bclinical hold\b[^.;]{0,60}\b(lifted|removed|released)\b",
        ),
        ("clinical_hold", "clinical hold", r"\bclinical hold\b"),
        ("advisory_meeting", "FDA advisory committee meeting", r"\badvisory committee\b"),
        (
            "approval",
            "regulatory approval",
            r"\b(approv\w*|marketing authori[sz]ation|clearance)\b[^.;]{0,100}\b(FDA|EMA|European "
            r"Commission|Health Canada|regulator\w*|BLA|NDA|MAA)\b|\b(FDA|EMA|European Commission|"
            r"Health Canada)\b[^.;]{0,60}\b(approv\w*|clear\w*)\b|\bPDUFA\b|\btarget action date\b",
        ),
        (
            "submission",
            "regulatory submission",
            r"\b(submit\w*|submission|fil(e|ed|es|ing))\b[^.;]{0,80}\b(BLA|NDA|sNDA|sBLA|MAA|IND|"
            r"510\(k\)|PMA|biologics license application|new drug application|investigational new "
            r"drug application|marketing authori[sz]ation application)\b",
        ),
        (
            "study_design_agreed",
            "FDA-agreed study design",
            r"\bagree\w*\b[^.;]{0,40}\bdesigns?\b|\bspecial protocol assessment\b",
        ),
        (
            "trial_result",
            "trial results",
            r"\b(top[- ]?line|primary endpoint|results? (from|of) (the|its|our)\b"
            r"[^.;]{0,40}\b(trial|study))\b",
        ),
        (
            "trial_start",
            "trial start",
            r"\b(initiat\w*|commenc\w*|start\w*|launch\w*|began|begin\w*|first patient)\b"
            r"[^.;]{0,80}\b(phase\s*(1|2|3|I|II|III)[ab]?|pivotal|clinical (trial|study)|trial)\b",
        ),
    )
)

STATUS_ORDER = ("achieved", "planned", "at_risk", "delayed", "abandoned")
_STATUS_RES = (
    (
        "abandoned",
        re.compile(
            r"\b(discontinu\w*|withdr[ae]w\w*|terminat\w*|no longer (pursu|"
            r"develop)\w*|abandon\w*)\b",
            re.I,
        ),
    ),
    (
        "delayed",
        re.compile(
            r"\b(delay\w*|postpon\w*|push\w* back|no longer expects?|later than "
            r"(previously )?(planned|expected|anticipated)|slipp?\w*|now expects?"
            r"[^.;]{0,40}\b(rather than|instead of))\b",
            re.I,
        ),
    ),
    (
        "at_risk",
        re.compile(
            r"\b(may not|might not|could not|cannot be certain|uncertain whether|"
            r"at risk|unlikely to)\b",
            re.I,
        ),
    ),
    (
        "planned",
        re.compile(
            r"\b(plans?|planned|planning|expects?|expected|intends?|anticipat\w*|"
            r"will|on track|target\w*|scheduled|(is|are) (currently )?(collecting|"
            r"formulating|preparing|working|pursuing)|goal|aims?|works? to)\b",
            re.I,
        ),
    ),
    (
        "achieved",
        re.compile(
            r"\b(received|submitted|approved|initiated|began|begun|started|"
            r"commenced|agreed|completed|announced|lifted|removed|granted|"
            r"accepted|met|reported|dosed|enrolled|placed|issued|has (been )?"
            r"\w+ed)\b",
            re.I,
        ),
    ),
)
_TARGET_RE = re.compile(
    rf"\b(?P<prep>by|in|during|before|through|until|no later than|for|around|within)?\s*"
    rf"(?:the\s+)?(?P<when>"
    rf"(?:(?:first|second|third|fourth) quarter|(?:first|second) half|[1-4]Q|Q[1-4]|H[12])"
    rf"(?:\s+of)?(?:\s+(?:fiscal\s+|calendar\s+)?\d{{4}})?"
    rf"|(?:early|mid|late|mid-|end of|the end of)\s*(?:{_MONTH_RE}\s+)?\d{{4}}"
    rf"|(?:{_MONTH_RE})(?:\s+\d{{1,2}},)?\s+\d{{4}}"
    rf"|(?:the\s+)?(?:end of (?:the )?year|year[- ]end|end of (?:the )?(?:current )?quarter)"
    rf"(?:\s+\d{{4}})?"
    rf"|(?:fiscal\s+)?\d{{4}}(?!\s*(?:shares|employees|patients))"
    rf")\b"
)
# 8-K wrapper sentences only point at the press release; the release itself says it.
_WRAPPER_RE = re.compile(r"\bpress release\b|\bExhibit 99", re.I)
_REGULATORY_RE = re.compile(
    r"\b(FDA|EMA|BLA|NDA|IND|MAA|approv\w*|clinical|trial|phase|"
    r"regulator\w*|complete response)\b",
    re.I,
)
_PRODUCT_RE = re.compile(r"\b([A-Z][A-Za-z0-9-]{2,30})(?:\(R\)|®|\(TM\)|™)")
_CODE_NAME_RE = re.compile(r"\b([A-Z]{2,5}-\d{2,6}[A-Za-z]?)\b")
_RENAME_RE = re.compile(
    r"\b([A-Z][A-Za-z0-9-]{2,30}|[A-Z]{2,5}-\d{2,6})\b(?:\(R\)|®|™)?,?\s+"
    r"\(?(?:formerly|previously) (?:known as |called )?"
    r"([A-Z][A-Za-z0-9-]{2,30}|[A-Z]{2,5}-\d{2,6})"
)


@dataclass(frozen=True)
class Statement:
    """One thing a filing says about a regulatory milestone."""

    product: str
    kind: str
    status: str
    target: str  # as written ("June 2004", "by June 30, 2004"), "" if none
    target_key: str  # sortable ("2004-06-30", "2004-06", "2004-H2", "2004"), "" if none
    sentence: str
    accession: str = ""
    filed: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.product.lower(), self.kind)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def label_of(kind: str) -> str:
    return next((label for k, label, _ in KINDS if k == kind), kind)


def subject(statement: Statement) -> str:
    base = label_of(statement.kind)
    return f"{base} ({statement.product})" if statement.product else base


def _about(st: Statement) -> str:
    return f" ({st.product})" if st.product else ""


def normalise_target(text: str, filed: date | None) -> str:
    """A sortable key for a target date; relative dates read against the filing date."""
    t = text.lower()
    year_m = re.search(r"\d{4}", t)
    year = int(year_m.group(0)) if year_m else (filed.year if filed else 0)
    if not year:
        return ""
    for i, month in enumerate(MONTHS, start=1):
        if month in t:
            day = re.search(rf"{month}\s+(\d{{1,2}}),", t)
            return f"{year}-{i:02d}-{int(day.group(1)):02d}" if day else f"{year}-{i:02d}"
    quarter = re.search(r"(first|second|third|fourth) quarter|q([1-4])|([1-4])q", t)
    if quarter:
        n = (
            quarter.group(2)
            or quarter.group(3)
            or str(("first", "second", "third", "fourth").index(quarter.group(1)) + 1)
        )
        return f"{year}-Q{n}"
    half = re.search(r"(first|second) half|h([12])", t)
    if half:
        return f"{year}-H{half.group(2) or ('1' if half.group(1) == 'first' else '2')}"
    if "year end" in t or "year-end" in t or "end of the year" in t or "end of year" in t:
        return f"{year}-12-31"
    if "early" in t:
        return f"{year}-H1"
    if "late" in t:
        return f"{year}-H2"
    if "mid" in t:
        return f"{year}-06"
    return str(year)


def _status(sentence: str) -> str:
    for status, regex in _STATUS_RES:
        if regex.search(sentence):
            return status
    return "planned"  # no tense to go by: treat as work in progress, never as done


def _target(sentence: str, match_end: int, filed: date | None) -> tuple[str, str]:
    """The date the milestone is tied to: the first date after the milestone words,
    else the last one before them."""
    best: tuple[str, str] = ("", "")
    for m in _TARGET_RE.finditer(sentence):
        when = m.group("when")
        if not m.group("prep") and (
            m.start() < match_end - 1 or re.fullmatch(r"(fiscal\s+)?\d{4}", when)
        ):
            continue  # "On February 19, 2004, ..." dates the news; it is not a target
        text = (
            f"{m.group('prep')} "
            if m.group("prep") in ("by", "before", "no later than", "through", "until")
            else ""
        ) + when
        found = (" ".join(text.split()), normalise_target(when, filed))
        if m.start() >= match_end - 1:
            return found
        best = found
    return best


def products_in(texts: Iterable[str]) -> list[str]:
    names: list[str] = []
    for text in texts:
        for m in _PRODUCT_RE.finditer(text):
            if m.group(1) not in names:
                names.append(m.group(1))
    return names


def aliases_in(texts: Iterable[str]) -> dict[str, str]:
    """{old name: new name} from "NewName (formerly OldName)" statements."""
    found: dict[str, str] = {}
    for text in texts:
        for m in _RENAME_RE.finditer(text):
            found[m.group(2)] = m.group(1)
    return found


def extract(
    sentences: Sequence[str],
    *,
    known_products: Sequence[str] = (),
    filed: date | None = None,
    accession: str = "",
) -> list[Statement]:
    """Milestone statements in a filing's (non-boilerplate) sentences, merged per key."""
    products = list(dict.fromkeys([*products_in(sentences), *known_products]))
    aliases = aliases_in(sentences)
    found: dict[tuple[str, str], Statement] = {}
    current = ""  # the product last named: "The company plans to reply..." is about it
    for sentence in sentences:
        if _WRAPPER_RE.search(sentence):
            continue
        named = _product_near(sentence, products)
        if named and _REGULATORY_RE.search(sentence):
            current = aliases.get(named, named)
        for kind, _, regex in KINDS:
            m = regex.search(sentence)
            if not m:
                continue
            product = current
            target, key = _target(sentence, m.end(), filed)
            # The verbs around the milestone words decide its status, not the whole sentence:
            # "FDA agreed to a dialogue ... in advance of the reply" is no reply.
            clause = sentence[max(0, m.start() - 80) : m.end() + 120]
            st = Statement(
                product or named,
                kind,
                _status(clause),
                target,
                key,
                sentence[:600],
                accession,
                filed.isoformat() if filed else "",
            )
            found[st.key] = _stronger(found.get(st.key), st)
            break  # one milestone per sentence: the first kind listed is the most specific
    return list(found.values())


def _product_near(sentence: str, products: Sequence[str]) -> str:
    hits = [(sentence.find(p), p) for p in products if p in sentence]
    if hits:
        return min(hits)[1]
    code = _CODE_NAME_RE.search(sentence)
    return code.group(1) if code else ""


def _stronger(old: Statement | None, new: Statement) -> Statement:
    if old is None:
        return new
    rank_old, rank_new = STATUS_ORDER.index(old.status), STATUS_ORDER.index(new.status)
    if rank_new != rank_old:
        return new if rank_new > rank_old else old
    return new if len(new.target_key) > len(old.target_key) else old


def runway_facts(facts: Iterable[Fact]) -> dict[str, str]:
    out: dict[str, str] = {}
    for fact in facts:
        if fact.kind == "cash_runway" and "runway" not in out:
            out["runway"] = str(fact.value)
        if fact.kind == "financing_needed" and "financing_need" not in out:
            out["financing_need"] = fact.text
        if fact.kind == "cash_on_hand" and "cash" not in out:
            out["cash"] = fact.text
    return out


def diff(
    previous: Sequence[dict[str, Any]], statements: Sequence[Statement], finance: dict[str, str]
) -> list[MilestoneChange]:
    """Changes between the ledger so far and a new filing's statements."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    latest_finance: dict[str, str] = {}
    renames: dict[str, str] = {}
    for entry in previous:
        if entry.get("type") == "finance":
            latest_finance[entry["field"]] = entry["value"]
        elif entry.get("type") == "alias":
            renames[entry["old"].lower()] = entry["new"].lower()
        else:
            latest[(entry["product"].lower(), entry["kind"])] = entry
    changes: list[MilestoneChange] = []
    for st in sorted(statements, key=lambda s: -STATUS_ORDER.index(s.status)):
        before = latest.get(st.key) or _match_unnamed(latest, st, renames)
        change = _compare(before, st)
        if change:
            changes.append(change)
    for field_name, word in (("runway", "Cash runway"), ("financing_need", "Financing need")):
        new = finance.get(field_name)
        old = latest_finance.get(field_name)
        kind = "runway" if field_name == "runway" else "financing_need"
        if new and old and new != old:
            changes.append(
                MilestoneChange(f"{kind}_changed", word.lower(), f"was {old}, now {new}", old, new)
            )
        elif new and not old:
            text = (
                f"operations funded {new}"
                if kind == "runway"
                else f"{new} of additional financing needed"
            )
            changes.append(MilestoneChange(kind, word.lower(), text, "", new))
    return changes


def _match_unnamed(
    latest: dict[tuple[str, str], dict[str, Any]], st: Statement, renames: dict[str, str]
) -> dict[str, Any] | None:
    """A statement without a product (or renamed) matches the only entry of its kind."""
    for (product, kind), entry in latest.items():
        if kind == st.kind and renames.get(product) == st.product.lower():
            return entry
    same_kind = [e for (p, k), e in latest.items() if k == st.kind]
    if len(same_kind) == 1 and (not st.product or not same_kind[0]["product"]):
        return same_kind[0]
    return None


def _compare(before: dict[str, Any] | None, st: Statement) -> MilestoneChange | None:
    """The change one statement makes; the product goes last so the headline reads
    "Slipped: reply to FDA complete response letter, was June 2004, now ..."."""
    name = subject(st)
    label = label_of(st.kind)
    about = _about(st)
    when = st.target or "no date given"

    def change(kind: str, text: str, old: str = "") -> MilestoneChange:
        return MilestoneChange(kind, name, text + about, old, st.target, st.sentence)

    if before is None:
        if st.status == "achieved":
            return change("achieved", label)
        words = {
            "planned": f"planned {when}" if st.target else "planned",
            "at_risk": f"at risk ({when})",
            "delayed": f"delayed ({when})",
            "abandoned": "abandoned",
        }
        return change("new", f"{label}: {words[st.status]}")
    old_target = before.get("target", "")
    old_status = before.get("status", "")
    if st.status == "achieved" and old_status != "achieved":
        return change(
            "achieved", label + (f", planned {old_target}" if old_target else ""), old_target
        )
    if st.status in ("at_risk", "delayed") and old_status in ("planned", "achieved", ""):
        if st.target:
            now = f"now may not be {st.target}" if st.status == "at_risk" else f"now {st.target}"
        else:
            now = "now at risk" if st.status == "at_risk" else "now delayed"
        if old_target:
            return change("delayed", f"{label}, was {old_target}, {now}", old_target)
        return change("at_risk", f"{label}, {now}")
    if st.status == "abandoned" and old_status != "abandoned":
        return change("abandoned", f"{label}: abandoned", old_target)
    old_key = before.get("target_key", "")
    if st.target_key and old_key and st.target_key[:7] != old_key[:7] and st.status != "achieved":
        kind = "delayed" if st.target_key > old_key else "moved"
        return change(kind, f"{label}, was {old_target}, now {st.target}", old_target)
    return None


def merge(
    entries: list[dict[str, Any]],
    accession: str,
    statements: Sequence[Statement],
    finance: dict[str, str],
    filed: str,
    aliases: dict[str, str],
    changes: Sequence[MilestoneChange],
) -> list[dict[str, Any]]:
    """The ledger with this filing's statements appended (replacing an earlier run of it)."""
    kept = [e for e in entries if e.get("accession") != accession]
    for st in statements:
        kept.append(
            {
                "type": "milestone",
                **st.to_dict(),
                "change": next((c.change for c in changes if c.subject == subject(st)), ""),
            }
        )
    for field_name, value in finance.items():
        kept.append(
            {
                "type": "finance",
                "field": field_name,
                "value": value,
                "accession": accession,
                "filed": filed,
            }
        )
    for old, new in aliases.items():
        kept.append(
            {"type": "alias", "old": old, "new": new, "accession": accession, "filed": filed}
        )
    return kept


def prior_entries(entries: list[dict[str, Any]], accession: str) -> list[dict[str, Any]]:
    """The ledger as it was before this filing, so a re-run gives the same diff."""
    return [e for e in entries if e.get("accession") != accession]


def known_products(entries: Iterable[dict[str, Any]]) -> list[str]:
    return list(
        dict.fromkeys(
            e["product"] for e in entries if e.get("type") == "milestone" and e.get("product")
        )
    )
