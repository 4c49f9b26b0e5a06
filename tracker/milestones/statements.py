"""Milestone statements: the kinds, and how a filing's sentences become Statements.

The reading of one filing (clauses, status words, hypotheticals, asides) is the hard
part of the ledger; it is kept here, apart from comparing filings (ledger.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from tracker.milestones.dates import MONTH_RE, find_target, key_span
from tracker.milestones.products import (
    aliases_in,
    inns_in,
    is_not_product,
    named_in,
    names_re,
    objects_in,
    product_for,
    products_in,
    trial_names,
)
from tracker.milestones.words import US_APPLICATION

_EX_US_REGULATOR = (
    r"EMA|European Medicines Agency|European Commission|CHMP|Health Canada|MHRA|PMDA|NMPA|"
    r"TGA|Swissmedic|Japan\w*|China|European Union"
)

KINDS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (kind, label, re.compile(pattern, re.I))
    for kind, label, pattern in (
        (
            "program",
            "development program",
            r"\b(discontinu(e|ed|es|ing)|terminat(e|ed|es|ing)|ceas(e|ed|es|ing)|abandon(ed|s|ing)?|"
            r"no longer (pursu|develop|advanc)\w*|deprioriti[sz]\w*|wind(ing)? down)\b"
            r"[^.;]{0,60}\b(development|program|programme|trials?|stud(y|ies))\b|"
            r"\bdecided not to (pursue|advance|develop)\b",
        ),
        (
            "crl_reply",
            "reply to FDA complete response letter",
            r"\b(resubmi\w*|repl(y|ies|ied|ying)|(?<!complete )respon(d|ds|ded|ding|se))\b"
            r"[^.;]{0,80}\b(complete response letter|CRL)\b|"
            rf"\bresubmi\w*\b[^.;]{{0,60}}\b({US_APPLICATION}|application)\b|"
            r"\bresubmission\b",
        ),
        ("crl", "FDA complete response letter", r"\bcomplete response letter\b|\bCRL\b"),
        (
            "hold_lifted",
            "clinical hold lifted",
            r"\b(lift\w*|remov\w*|releas\w*|resolv\w*)\b[^.;]{0,60}\bclinical hold\b|"
            r"\bclinical hold\b[^.;]{0,160}\b(lifted|removed|released|resolved)\b",
        ),
        ("clinical_hold", "clinical hold", r"\bclinical hold\b"),
        ("advisory_meeting", "FDA advisory committee meeting", r"\badvisory committee\b|\bAdCom\b"),
        (
            "ind",
            "IND submission",
            r"\b(submit\w*|submission|fil(e|ed|es|ing)|clear\w*|open\w*)\b[^.;]{0,80}"
            r"\b(IND|investigational new drug( application)?|CTA|clinical trial application)\b|"
            r"\b(IND|investigational new drug application)\b[^.;]{0,60}\b(submitted|filed|"
            r"cleared|clearance|accepted|went into effect|in effect|became effective|allowed)\b",
        ),
        (
            "approval_ex_us",
            "regulatory approval outside the US",
            r"\b(approv\w*|marketing authori[sz]ation|positive opinion)\b[^.;]{0,100}"
            rf"\b({_EX_US_REGULATOR})\b|\b({_EX_US_REGULATOR})\b[^.;]{{0,60}}"
            r"\b(approv\w*|authori[sz]\w*|positive opinion)\b",
        ),
        (
            "approval",
            "regulatory approval",
            r"\b(approv\w*|clearance|cleared)\b[^.;]{0,100}\b(FDA|Food and Drug Administration|"
            rf"{US_APPLICATION})\b|\b(FDA|Food and Drug Administration)\b[^.;]{{0,60}}"
            r"\b(approv\w*|clear(ed|ance))\b|\bPDUFA\b|\bPrescription Drug User Fee Act\b|"
            r"\b(target action|goal) date\b",
        ),
        (
            "submission_ex_us",
            "regulatory submission outside the US",
            r"\b(submit\w*|submission|fil(e|ed|es|ing)|validat\w*)\b[^.;]{0,80}\b(MAA|marketing "
            r"authori[sz]ation application|new drug submission|J-?NDA)\b|\b(MAA|marketing "
            r"authori[sz]ation application)\b[^.;]{0,60}\b(submitted|validated|accepted|filed)\b",
        ),
        (
            "submission",
            "regulatory submission",
            rf"\b(submit\w*|submission|fil(e|ed|es|ing))\b[^.;]{{0,80}}\b({US_APPLICATION})\b|"
            rf"\b({US_APPLICATION})\b[^.;]{{0,60}}\b(submission|submitted|filed)\b|"
            rf"\b(accepted|acceptance of)\b[^.;]{{0,60}}\b({US_APPLICATION})\b",
        ),
        (
            "study_design_agreed",
            "FDA-agreed study design",
            r"\bagree(d|s|ing)?\b[^.;]{0,60}\b(designs?|protocols?)\b|"
            r"\b(designs?|protocols?)\b[^.;]{0,40}\bagreed\b|"
            r"\breached (an )?agreement\b[^.;]{0,80}\b(designs?|protocols?)\b|"
            r"\bspecial protocol assessment\b|\bSPA\b",
        ),
        (
            "trial_result",
            "trial results",
            r"\b(top[- ]?line|(co-)?primary (efficacy )?endpoints?|results? (from|of) (the|its|our|"
            r"this)\b[^.;]{0,40}\b(trial|study))\b",
        ),
        (
            "trial_start",
            "trial start",
            r"\b(initiat\w*|commenc\w*|start\w*|launch\w*|began|begun|begin\w*|first (patient|"
            r"subject|participant|volunteer)s?)\b[^.;]{0,80}\b(phase\s*(1|2|3|I|II|III|1/2|I/II)"
            r"[ab]?|pivotal|registrational|clinical (trial|study)|trial|study)\b",
        ),
    )
)
_KIND_NAMES = frozenset(k for k, _, _ in KINDS)
# Things that happen to a company: they count only when the filing says they happened.
EVENT_KINDS = {"crl": "received", "clinical_hold": "placed"}

_CUE_WINDOW = 100  # characters either side of the milestone words where status words count
# Severity, for sorting; merging within a filing uses _RANK (achieved outranks planned).
STATUS_ORDER = ("achieved", "planned", "at_risk", "delayed", "abandoned")
_RANK = {"planned": 0, "achieved": 1, "at_risk": 2, "delayed": 3, "abandoned": 4}

# Words that stand next to milestone words without being about them; blanked out
# (same length, so offsets stay valid) before any pattern is matched.
_MASK_RE = re.compile(
    r"\b(pre|post)-(BLA|NDA|IND|approval|marketing)\b|\bIND-enabling\b|"
    r"\b(extended|delayed|sustained|modified|immediate)[- ]release\b|\bhalf-life extended\b|"
    r"\bFDA[- ](approved|cleared|accepted|registered)\b|"
    r"\b(without|avoid\w*|minimi[sz]\w*|prevent\w*) (any |further )?delays?\b|"
    r"\((Nasdaq|NYSE|AMEX|OTC|TSX)[^)]{0,40}\)",
    re.I,
)
_CLAUSE_RE = re.compile(
    # "(?<!\s)": a match starts only where a run of blanks starts; without it every blank
    # of a long run was tried again (quadratic time).
    r";\s+|(?<!\s)\s+(?:--|–|—)\s+"  # spaced dashes join subtitle lines: "-- PDUFA date ... --"
    r"|,\s+(?:and|but|while|whereas|although|though|which|with)\s+"
    r"|(?<!\s)\s+(?:while|whereas|but)\s+"
    r"|(?<!\s)\s+and\s+(?=(?:that\s+)?(?:the\s+|its\s+)?(?:company|it|we|they|FDA|agency|[A-Z][\w-]+)"
    r"\s+(?:now\s+|also\s+|currently\s+|still\s+)?(?:expects?|plans?|anticipates?|intends?|will|"
    r"remains?|believes?|continues?|is|are|has|have|was|were)\b)"
    r"|(?<!\s)\s+and\s+(?=(?:now\s+)?(?:expects?|plans?|anticipates?|intends?)\b)"
)
_HYPOTHETICAL_START_RE = re.compile(r"^\W*(if|unless|even if|should|in the event)\b", re.I)
_WHETHER_RE = re.compile(r"\b(whether|if or when|when or if)\b", re.I)
_HYPOTHETICAL_RE = re.compile(
    r"\b(if|unless|even if|in the event that|no assurance|cannot assure|can be no|"
    r"no guarantee|cannot guarantee)\b",
    re.I,
)
_MODAL_RE = re.compile(  # lowercase only: "May 2024" is a month
    r"\b(may|might|could|would)\b(?!\s+not\b)|\b(cannot|can't|unable to)\b|"
    r"\b(did|does|do|will) not (approve|grant|accept|clear|lift)\b"
)
_ABANDON_RE = re.compile(
    r"\b(discontinu(e|ed|es|ing)|withdr(aw|awn|ew|awing|aws)|terminat(e|ed|es|ing)|"
    r"abandon(ed|s|ing)?|cancel(l?ed|l?ing|s)?|decided not to|no longer (plans?|intends?)|"
    r"no longer (pursu|develop|advanc)\w*|will not (hold|convene|pursue|submit|seek|advance))\b",
    re.I,
)
# "Does not plan to hold an advisory committee": abandoned, but news only if it was planned.
NOT_PLANNED_RE = re.compile(
    r"\b(not|no longer) (currently )?(plan(s|ning)?|intend(s|ing)?|expect(s|ing)?) to "
    r"(hold|convene|schedule|require)\b",
    re.I,
)
_NOT_ABOUT_PROGRAM_RE = re.compile(
    r"\b(patients?|subjects?|participants?|volunteers?)\b[^.;]{0,40}$", re.I
)
_RISK_RE = re.compile(
    r"\b(may not|might not|could not|cannot be certain|uncertain whether|unlikely to|"
    r"at risk(?! (of|for)\b)|not be able to|no assurance)\b",
    re.I,
)
_REAFFIRM_RE = re.compile(
    r"\b(remains?|remained|unchanged|reaffirm\w*|continues? to (expect|anticipate|plan|target)|"
    r"on track|on schedule)\b|\bnot (expect|anticipate)\w*\b[^.;]{0,60}\b(change|affect|impact|"
    r"delay)\b",
    re.I,
)
_OLD_DATE_WORDS = (
    r"(?:in|by|during|before|until|the end of|the|for|of|on|\s)*"  # glue between marker and date
)
_DELAY_RE = re.compile(
    r"\b(delay(s|ed|ing)?|postpon\w*|push(ed|es|ing)? (back|out)|behind schedule|"
    r"later than (previously )?(planned|expected|anticipated|guided)|slipp?(ed|ing|s)?|"
    r"no longer expects?|extend(ed|s|ing)?\b[^.;]{0,60}\b(PDUFA|review|goal date|action date|"
    r"target date|timeline)|extension of the (PDUFA|review|goal|action|target)|"
    rf"(rather than|instead of) {_OLD_DATE_WORDS}(end|first|second|third|fourth|early|mid|late|"
    rf"year|{MONTH_RE}|\d{{4}}))\b",
    re.I,
)
_HEDGE_BEFORE_RE = re.compile(r"\b(may|might|could|would|can)\s+(be\s+)?$")
_PLAN_RE = re.compile(
    r"\b(plans?|planned|planning|intends?|intended|expects?|expected|expecting|anticipat\w*|"
    r"will|shall|on track|targets?|targeted|targeting|scheduled?|preparing|"
    r"(is|are) (currently )?(collecting|formulating|preparing|working|pursuing)|goal|aims?)\b",
    re.I,
)
# A plan without a date is news only when said as an intention.
_INTENT_RE = re.compile(
    r"\b((plans?|planned|planning|intends?|intended|expects?|expected|scheduled|preparing|"
    r"on track) to|anticipat\w*|will|(is|are) (currently )?(collecting|formulating|preparing))\b",
    re.I,
)
# "Seeking approval", "for accelerated approval": the purpose of something else.
_PURPOSE_RE = re.compile(
    r"\b(seek(ing|s)?|for|to support|in support of|supporting|toward|towards|to obtain|"
    r"to achieve|achieve)\s+((the|its|our|potential|accelerated|full|conditional|marketing|"
    r"regulatory|FDA|U\.S\.)\s+){0,3}$",
    re.I,
)
# Words right before the milestone that make it an aside, not a statement about it: a
# condition ("subject to FDA clearance of the IND", "upon initiation of"), what money is
# for ("fund operations through topline data"), or a topic ("to discuss the results").
_ASIDE_BEFORE_RE = re.compile(
    r"(\b(subject to|upon|pending|contingent (up)?on|conditioned on|following|after|prior to|"
    r"in advance of|ahead of|to discuss|discuss(ing)?|to review|the path to|a path to|"
    r"requirements? for|milestone payments?( upon| on)?)\s+((the|its|our|a|an|potential|"
    r"successful|FDA|regulatory|U\.S\.)\s+){0,3}"
    r"|\b(fund|funds|funding|finance|financing|sufficient|runway|proceeds)\b[^.;]{0,80}"
    r"\b(through|until|into|past|beyond)\b[^.;]{0,60})$",
    re.I,
)
_NOT_DONE_BEFORE_RE = re.compile(
    r"\b(to be|will be|would be|could be|may be|might be|should be|can be|must be|"
    r"to have been|yet to be|not( yet)?( been| be)?|never|to|will|would|could|may|might|shall|"
    r"should|must|can|cannot|expected|expects? (the \w+ )?to)\s+$",
    re.I,
)
_DONE: dict[str, re.Pattern[str]] = {
    kind: re.compile(pattern, re.I)
    for kind, pattern in {
        "crl_reply": r"\b(resubmitted|replied|responded|submitted (its |a |the |our )?(formal )?"
        r"(reply|response|resubmission)|completed (its |the |our )?(reply|response|resubmission)|"
        r"accepted (the |its |our )?resubmission)\b",
        "crl": r"\b(received|receipt of|issued|sent)\b",
        "hold_lifted": r"\b(lifted|removed|released|resolved|lift of|removal of)\b",
        "clinical_hold": r"\b(placed|imposed|put|issued|received)\b|\b(is|are|was|were|remains?|"
        r"remained) (currently |still )?(on|under) (a )?(partial |full )?clinical hold\b",
        "advisory_meeting": r"\b(held|convened|voted|met|recommended|concluded)\b",
        "approval_ex_us": r"\b(approved|granted|received|authori[sz]ed)\b",
        "approval": r"\b(approved|cleared|authori[sz]ed|granted (marketing |accelerated |full )?"
        r"(approval|authori[sz]ation)|received (\w+ ){0,2}(approval|authori[sz]ation|clearance))\b",
        "submission_ex_us": r"\b(submitted|filed|validated|accepted|completed)\b",
        "ind": r"\b(submitted|filed|cleared|accepted|went into effect|in effect|became effective|"
        r"is effective|allowed|opened)\b",
        "submission": r"\b(submitted|filed|completed (the |its |our )?(rolling )?submission|"
        r"accepted|acceptance|under review)\b",
        "study_design_agreed": r"\b(agreed|reached (an )?agreement|concurred|granted|received|"
        r"obtained)\b",
        "trial_result": r"\b(reported|announced|met|achieved|did not (meet|achieve)|failed to "
        r"(meet|achieve)|missed|showed|demonstrated|presented|released|read out)\b",
        "trial_start": r"\b(initiated|commenced|started|began|begun|launched|dosed|enrolled|"
        r"treated|opened|(was|were|been) randomi[sz]ed|randomi[sz]ed (the|its|our) first)\b",
    }.items()
}

# 8-K wrapper sentences only point at the press release; the release itself says it.
_WRAPPER_RE = re.compile(r"\bpress release\b|\bExhibit 99", re.I)
_REGULATORY_RE = re.compile(
    r"\b(FDA|EMA|BLA|NDA|IND|MAA|approv\w*|clinical|trials?|phase|regulator\w*|"
    r"complete response|development)\b",
    re.I,
)


@dataclass(frozen=True)
class Statement:
    """One thing a filing says about a regulatory milestone."""

    product: str
    kind: str
    status: str
    target: str  # as written, year added when inferred ("June 2004", "by June 30, 2004")
    target_key: str  # sortable ("2004-06-30", "2004-06", "2004-Q1", "2004-H2", "2004"), or ""
    sentence: str
    accession: str = ""
    filed: str = ""
    formerly: str = ""  # the product's old names, ", "-joined, when this filing renames it
    conflict: str = ""  # another target this filing gives for the same milestone

    @property
    def key(self) -> tuple[str, str]:
        return (self.product.lower(), self.kind)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def label_of(kind: str) -> str:
    """The words people read for a kind ("reply to FDA complete response letter")."""
    return next((label for k, label, _ in KINDS if k == kind), kind)


def subject(statement: Statement) -> str:
    """What a change is about; MilestoneChange.subject and merge() match on it."""
    base = label_of(statement.kind)
    return f"{base} ({statement.product})" if statement.product else base


def _mask(sentence: str) -> str:
    return _MASK_RE.sub(lambda m: " " * len(m.group(0)), sentence)


def _clauses(text: str) -> list[tuple[int, int]]:
    bounds = [0]
    for m in _CLAUSE_RE.finditer(text):
        bounds += [m.start(), m.end()]
    bounds.append(len(text))
    return [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]


def _clause_of(clauses: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    lo = next((a for a, b in clauses if a <= start < b), 0)
    hi = next((b for a, b in clauses if a < end <= b), clauses[-1][1])
    return lo, max(hi, end)


def _is_hypothetical(clause: str, start: int, end: int) -> bool:
    """Conditions, doubts and modals before the milestone words make it a supposition."""
    head = clause[max(0, start - _CUE_WINDOW) : end]
    return bool(
        _HYPOTHETICAL_START_RE.search(clause)
        or _WHETHER_RE.search(clause)
        or _HYPOTHETICAL_RE.search(head)
        or _MODAL_RE.search(head)
    )


def _nearest(regex: re.Pattern[str], clause: str, start: int, end: int, done: bool) -> int | None:
    """Distance from the milestone words to the nearest cue of `regex` (None: no cue).
    Achievement verbs after "to", "will be", "not"... are plans or negations, not done."""
    best: int | None = None
    for m in regex.finditer(clause):
        if done and _NOT_DONE_BEFORE_RE.search(clause[: m.start()][-40:]):
            continue
        if m.end() <= start:
            dist = start - m.end()
        elif m.start() >= end:
            dist = m.start() - end
        else:
            dist = 0
        best = dist if best is None else min(best, dist)
    return best


def _status(kind: str, clause: str, start: int, end: int) -> str | None:
    """What the clause says of the milestone at clause[start:end]; None: nothing firm."""
    if _is_hypothetical(clause, start, end):
        return None
    if kind == "program":
        head = clause[:start]
        return None if _NOT_ABOUT_PROGRAM_RE.search(head) else "abandoned"
    done_re = _DONE.get(kind)
    if kind in EVENT_KINDS:
        happened = done_re is not None and _nearest(done_re, clause, start, end, True) is not None
        return "achieved" if happened else None
    # Words of trouble count near the milestone words only: a long clause may go on
    # about something else ("... for adults at risk of disease progression").
    lo = max(0, start - _CUE_WINDOW)
    near = clause[lo : end + _CUE_WINDOW]
    abandon = _ABANDON_RE.search(near)
    if abandon and not _NOT_ABOUT_PROGRAM_RE.search(near[: abandon.start()]):
        return "abandoned"
    if NOT_PLANNED_RE.search(near):
        return "abandoned"
    if _RISK_RE.search(near):
        return "at_risk"
    if not _REAFFIRM_RE.search(clause):
        delay = _DELAY_RE.search(near)
        if delay:
            return "at_risk" if _HEDGE_BEFORE_RE.search(near[: delay.start()]) else "delayed"
    done = _nearest(done_re, clause, start, end, True) if done_re else None
    plan = _nearest(_PLAN_RE, clause, start, end, False)
    if done is not None and (plan is None or done <= plan):
        return "achieved"
    return "planned"


def _statement_at(
    kind: str,
    masked: str,
    sentence: str,
    m: re.Match[str],
    clauses: list[tuple[int, int]],
    hits: list[tuple[int, str]],
    current: str,
    aliases: dict[str, str],
    filed: date | None,
    accession: str,
) -> Statement | None:
    """The statement one kind's match makes, or None when it says nothing firm."""
    lo, hi = _clause_of(clauses, m.start(), m.end())
    clause = masked[lo:hi]
    start, end = m.start() - lo, m.end() - lo
    anchor = m.start()
    if kind.startswith("approval"):  # "FDA ... approval": what stands before "approval"
        word = re.search(r"approv|authori[sz]ation|clearance", m.group(0), re.I)
        anchor += word.start() if word else 0
        if _PURPOSE_RE.search(masked[:anchor]):
            return None  # "seeking accelerated approval": the purpose of a submission
    if _ASIDE_BEFORE_RE.search(masked[:anchor][-200:]):
        return None
    status = _status(kind, clause, start, end)
    if status is None:
        return None
    target, key = find_target(clause, start, end, filed, status)
    if kind == "approval" and not key and not re.search(r"approv|clear", m.group(0), re.I):
        return None  # "under the PDUFA, the FDA will decide...": a date or nothing
    named = product_for(hits, lo, hi, m.start()) or product_for(hits, 0, len(masked), m.start())
    product = aliases.get(named, named) if named else current
    formerly = ", ".join(old for old, new in aliases.items() if new == product)
    if status == "planned" and not key:
        near = clause[max(0, start - _CUE_WINDOW) : end + _CUE_WINDOW]
        if not (product and _INTENT_RE.search(near)):
            return None  # "works to achieve FDA approval": no date, no commitment
    if status == "at_risk" and not key:
        return None  # "could delay the start of trials": a risk factor, not news
    return Statement(
        product,
        kind,
        status,
        target,
        key,
        sentence[:600],
        accession,
        filed.isoformat() if filed else "",
        formerly,
    )


def extract(
    sentences: Sequence[str],
    *,
    known_products: Sequence[str] = (),
    filed: date | None = None,
    accession: str = "",
) -> list[Statement]:
    """Milestone statements in a filing's (non-boilerplate) sentences, merged per key."""
    aliases = aliases_in(sentences)
    trials = trial_names(sentences)
    products = list(
        dict.fromkeys(
            [
                *products_in(sentences),
                *known_products,
                *aliases.values(),
                *aliases.keys(),
                *inns_in(sentences),
                *objects_in(sentences),
            ]
        )
    )
    products = [p for p in products if not is_not_product(p) and p not in trials]
    names = names_re(products)
    found: dict[tuple[str, str], Statement] = {}
    current = ""  # the product last named: "The company plans to reply..." is about it
    for sentence in sentences:
        if _WRAPPER_RE.search(sentence):
            continue
        masked = _mask(sentence)
        hits = named_in(masked, names, trials)
        if hits and _REGULATORY_RE.search(masked):
            current = aliases.get(hits[0][1], hits[0][1])
        clauses = _clauses(masked)
        taken: list[tuple[int, int]] = []
        for kind, _, regex in KINDS:
            for m in regex.finditer(masked):
                if any(m.start() < b and a < m.end() for a, b in taken):
                    continue  # a more specific kind already read these words
                st = _statement_at(
                    kind, masked, sentence, m, clauses, hits, current, aliases, filed, accession
                )
                if st is not None:
                    taken.append(m.span())
                    found[st.key] = _prefer(found.get(st.key), st)
                    break
    return _fold_programs(list(found.values()))


def _prefer(old: Statement | None, new: Statement) -> Statement:
    """Two statements of one milestone in one filing: the cautious, then the later, then
    the more precise reading wins; disagreeing dates of equal standing are noted."""
    if old is None:
        return new
    if _RANK[new.status] != _RANK[old.status]:
        return new if _RANK[new.status] > _RANK[old.status] else old
    a, b = key_span(old.target_key), key_span(new.target_key)
    if not b:
        return old
    if not a:
        return new
    if b[1] != a[1]:
        win, lose = (new, old) if b[1] > a[1] else (old, new)
    else:
        win, lose = (new, old) if (b[1] - b[0]) < (a[1] - a[0]) else (old, new)
    lo, hi = key_span(lose.target_key), key_span(win.target_key)
    if lo and hi and (lo[1] < hi[0] or hi[1] < lo[0]) and win.status != "achieved":
        return replace(win, conflict=lose.target)
    return win


def _fold_programs(statements: list[Statement]) -> list[Statement]:
    """A discontinued program says it all: its other open statements in the filing go."""
    dropped = {st.product.lower() for st in statements if st.kind == "program" and st.product}
    return [
        st
        for st in statements
        if st.kind == "program" or st.product.lower() not in dropped or st.status == "achieved"
    ]
