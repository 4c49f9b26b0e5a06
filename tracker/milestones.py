"""The milestone ledger: what each company said it would do, and what changed.

From each filing we read milestone statements (product, kind, status, target date,
sentence), keep them per company, and diff a new filing against the latest statement
of each (product, kind). Cash runway and financing needs are tracked the same way.
Everything here is pure: the pipeline stores the entries (extract -> diff -> merge).

How a sentence becomes a statement
- The sentence is cut into clauses (at ";", ", and", ", while", " and expects"...),
  so "the FDA approved X, and the company plans to launch" is two things. Each kind's
  pattern (KINDS, most specific first) states at most one milestone per sentence; a
  match overlapping a more specific kind's match is left to that kind (an IND
  clearance is no approval, a resubmission no new submission).
- Status comes from the match's own clause, words of trouble only within 100
  characters of it: hypothetical wording ("if", "whether", "could", "may", "cannot",
  "no assurance") makes no statement at all; then abandoned ("discontinue",
  "cancelled", "no longer plans to"), at risk ("may not", "unlikely to"), delayed
  ("postponed", "extended the PDUFA date", "rather than by year end") unless the
  clause reaffirms ("remains", "does not expect ... to change"). Otherwise the nearer
  of a kind-specific achievement verb ("approved", "first patient dosed", "lifted";
  not after "to", "will be", "not yet") and a planning verb decides achieved/planned.
- Events done to a company (a complete response letter, a clinical hold) count only
  when the clause says they happened; a development program only when discontinued.
- Precision over recall; these make no statement: a plan with neither a date nor an
  intention verb near it ("works to achieve FDA approval"); an at-risk statement
  without a date (risk-factor talk); a purpose ("seeking accelerated approval", "the
  path to approval"); a condition ("subject to FDA clearance of the IND", "upon
  initiation of"); what money is for ("fund operations through topline data"); a
  topic ("to discuss the topline results"). A statement naming no product is kept in
  the ledger but makes no alert unless it continues the company's only entry of its kind.

Products
- Trademarked names ("Hemopure(R)", "Zelvora™"), code names ("ABX-101", but not
  "IL-23", "COVID-19" or a trial called "LARK-201, a randomized ... trial"), INN-stem
  names ("brevantinib"), names an application or trial is for ("NDA for Zelvora"), and
  every product the ledger already knows. A sentence without one is about the product
  last named in a regulatory sentence.
- Renames: "Zelvora (formerly ABX-101)", "VELORAQ, previously known as HLV-417",
  "Brand (CODE-1)" and "Brand (inn)" make the new name inherit the old names' history,
  in the same filing (Statement.formerly) and, through the ledger's alias entries, later.

Hard cases
- Contradictions: several statements of one milestone in one filing are merged. The
  cautious reading wins: abandoned > delayed > at risk > achieved > planned (what was
  done outranks a stale plan); among equals the later date wins, then the more precise
  one ("by June 30, 2004" over "June 2004"). When two dates of equal standing do not
  overlap, the change's summary says what else the filing says (Statement.conflict).
- Dates without years take the filing's year; a plan's month or quarter already past
  at filing rolls to next year ("in January", said in November), an achievement's
  still to come rolls back ("in December", said in February). Alerts show the year
  read in ("June 2003").
- Relative dates ("by year end", "later this year", "in the current quarter", "the
  first quarter of next year") are read against the filing date and shown with what
  they were read as ("later this year (2024)").
- Target dates compare as ranges: a date inside the old one ("by the end of 2022"
  after "the second half of 2022") or a vaguer restatement is no change; a later end
  is a slip, an earlier one a move. Dates the sentence marks as old ("previously
  scheduled for", "rather than", "from ... to") are not the new target, and a
  later statement without a date keeps the last date said.
- A risk to a dated milestone is reported as a slip ("delayed": "was June 2004, now may
  not be by June 30, 2004"); "at_risk" is for milestones that had no date.
- A discontinued program is one "abandoned" change naming the open milestones it
  drops, not one change per milestone; a first "not planned" (e.g. no advisory
  committee) is recorded without an alert, as nothing was planned.
- Cash runway compares by date ("shortened"/"extended"); a financing need by amount,
  so "$8.5 million" and "$8.50 million" are the same need.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from tracker.classify.facts import parse_money
from tracker.models import Fact, MilestoneChange

__all__ = [
    "KINDS",
    "MONTHS",
    "STATUS_ORDER",
    "Fact",
    "MilestoneChange",
    "Statement",
    "aliases_in",
    "diff",
    "extract",
    "inns_in",
    "known_products",
    "label_of",
    "merge",
    "normalise_target",
    "objects_in",
    "prior_entries",
    "products_in",
    "runway_facts",
    "subject",
]

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
_US_APPLICATION = (
    r"BLA|NDA|sNDA|sBLA|PMA|510\(k\)|De Novo|biologics? license application|"
    r"new drug application|premarket approval application"
)
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
            rf"\bresubmi\w*\b[^.;]{{0,60}}\b({_US_APPLICATION}|application)\b|"
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
            rf"{_US_APPLICATION})\b|\b(FDA|Food and Drug Administration)\b[^.;]{{0,60}}"
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
            rf"\b(submit\w*|submission|fil(e|ed|es|ing))\b[^.;]{{0,80}}\b({_US_APPLICATION})\b|"
            rf"\b({_US_APPLICATION})\b[^.;]{{0,60}}\b(submission|submitted|filed)\b|"
            rf"\b(accepted|acceptance of)\b[^.;]{{0,60}}\b({_US_APPLICATION})\b",
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
_EVENT_KINDS = {"crl": "received", "clinical_hold": "placed"}

_CUE_WINDOW = 100  # characters either side of the milestone words where status words count
# Severity, for sorting; merging within a filing uses _RANK (achieved outranks planned).
STATUS_ORDER = ("achieved", "planned", "at_risk", "delayed", "abandoned")
_RANK = {"planned": 0, "achieved": 1, "at_risk": 2, "delayed": 3, "abandoned": 4}
# The order alerts show changes in (tracker.notify.message.change_lines uses the same).
_CHANGE_ORDER = (
    "delayed",
    "at_risk",
    "abandoned",
    "moved",
    "achieved",
    "runway_changed",
    "financing_need_changed",
    "runway",
    "financing_need",
    "new",
)

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
    r";\s+|\s+(?:--|–|—)\s+"  # spaced dashes join subtitle lines: "-- PDUFA date ... --"
    r"|,\s+(?:and|but|while|whereas|although|though|which|with)\s+"
    r"|\s+(?:while|whereas|but)\s+"
    r"|\s+and\s+(?=(?:that\s+)?(?:the\s+|its\s+)?(?:company|it|we|they|FDA|agency|[A-Z][\w-]+)"
    r"\s+(?:now\s+|also\s+|currently\s+|still\s+)?(?:expects?|plans?|anticipates?|intends?|will|"
    r"remains?|believes?|continues?|is|are|has|have|was|were)\b)"
    r"|\s+and\s+(?=(?:now\s+)?(?:expects?|plans?|anticipates?|intends?)\b)"
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
_NOT_PLANNED_RE = re.compile(
    r"\b(not|no longer) (currently )?(plan(s|ning)?|intend(s|ing)?|expect(s|ing)?) to "
    r"(hold|convene|schedule|require)\b",
    re.I,
)
_CANCEL_RE = re.compile(r"\bcancel", re.I)
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
    rf"year|{_MONTH_RE}|\d{{4}}))\b",
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

_PERIOD = r"(?:first|second|third|fourth) quarter|(?:first|second) half"
_SHORT_PERIOD = r"[1-4]Q|Q[1-4]|[12]H|H[12]"  # needs a year: "H1 antihistamine" is no date
_REL_YEAR = r"(?:this|next|the current|the following|the next) (?:calendar |fiscal )?year"
_YEAR = r"(?:(?:fiscal|calendar)\s+)?\d{4}"
_TARGET_RE = re.compile(
    rf"\b(?P<prep>by|in|during|before|through|until|no later than|for|around|within|as early as)?"
    rf"\s*(?:the\s+)?(?P<when>"
    rf"(?:[1-4]Q|Q[1-4]|[12]H|H[12])\s?'?\d{{2}}(?!\d)"
    rf"|(?:{_PERIOD})(?:(?:\s+of)?\s+(?:{_YEAR}|{_REL_YEAR}))?"
    rf"|(?:{_SHORT_PERIOD})(?:\s+of)?\s+(?:{_YEAR}|{_REL_YEAR})"
    rf"|(?:early|mid|late|mid-|end of|the end of)\s*(?:{_MONTH_RE}\s+)?(?:\d{{4}}|{_REL_YEAR})"
    rf"|(?:{_MONTH_RE})(?:\s+\d{{1,2}},)?\s+\d{{4}}"
    rf"|(?:end of (?:the |this )?(?:year|current quarter|quarter)|year[- ]end|mid-year)"
    rf"(?:\s+\d{{4}})?"
    rf"|(?:later|earlier) (?:this|in the) year|this year|(?:early |late |later )?next year"
    rf"|(?:current|next|coming|following) quarter|this quarter"
    rf"|(?:(?:early|mid|late|mid-)\s*)?(?:{_MONTH_RE})(?:\s+\d{{1,2}}(?!\d))?(?!,?\s+\d{{4}})"
    rf"|(?:fiscal\s+)?\d{{4}}(?!\s*(?:shares|employees|patients|sites))"
    rf")\b"
)
_NO_YEAR_MONTH_RE = re.compile(rf"^(?:(?:early|mid|late|mid-)\s*)?(?:{_MONTH_RE})(?:\s+\d+)?$")
_DEADLINE_PREPS = ("by", "before", "no later than", "through", "until")
# A date the sentence marks as the old one: "previously scheduled for June 18, 2003".
_OLD_DATE_RE = re.compile(
    r"\bfrom\s+(the\s+)?$|\b(previously|originally|formerly|instead of|rather than|"
    r"previous guidance of|had been (scheduled|planned|expected)|(was|were) (scheduled|planned|"
    r"expected))\b[^.;,]{0,30}$",
    re.I,
)
_NOT_TARGET_RE = re.compile(r"\b(ended|ending|as of|dated|at|since)\s+(the\s+)?$", re.I)
# 8-K wrapper sentences only point at the press release; the release itself says it.
_WRAPPER_RE = re.compile(r"\bpress release\b|\bExhibit 99", re.I)
_REGULATORY_RE = re.compile(
    r"\b(FDA|EMA|BLA|NDA|IND|MAA|approv\w*|clinical|trials?|phase|regulator\w*|"
    r"complete response|development)\b",
    re.I,
)
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
    rf"\b(?:{_US_APPLICATION}|IND|MAA|applications?|trials?|study|studies|approval|candidate)"
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


def _about(st: Statement) -> str:
    return f" ({st.product})" if st.product else ""


# -- dates ------------------------------------------------------------------------------------


def normalise_target(text: str, filed: date | None) -> str:
    """A sortable key for a target date; relative dates read against the filing date.

    Keys are "YYYY-MM-DD", "YYYY-MM", "YYYY-Qn", "YYYY-Hn" or "YYYY", so that both
    equality ("same target") and range comparison (see _span) are possible later.
    """
    t = " ".join(text.lower().split())
    if not t:
        return ""
    base_year = filed.year if filed else 0
    quarter_now = (filed.month - 1) // 3 + 1 if filed else 0
    if re.search(r"\b(current|this) quarter\b|\bend of the quarter\b|\bend of (the )?current q", t):
        return f"{base_year}-Q{quarter_now}" if filed else ""
    if re.search(r"\b(next|coming|following) quarter\b", t):
        if not filed:
            return ""
        return f"{base_year + quarter_now // 4}-Q{quarter_now % 4 + 1}"
    two_digit = re.search(r"(?:[1-4]q|q[1-4]|[12]h|h[12])\s?'?(\d{2})(?!\d)", t)
    year_m = re.search(r"\b(\d{4})\b", t)
    if year_m:
        year = int(year_m.group(1))
    elif two_digit:
        year = 2000 + int(two_digit.group(1))
    elif re.search(r"\b(next|the following) (calendar |fiscal )?year\b", t):
        year = base_year + 1 if filed else 0
    else:
        year = base_year
    if not year:
        return ""
    for i, month in enumerate(MONTHS, start=1):
        if re.search(rf"\b{month}\b", t):
            day = re.search(rf"{month}\s+(\d{{1,2}})\b(?!\s*(?:quarter|half))", t)
            if day and 1 <= int(day.group(1)) <= calendar.monthrange(year, i)[1]:
                return f"{year}-{i:02d}-{int(day.group(1)):02d}"
            return f"{year}-{i:02d}"
    quarter = re.search(r"(first|second|third|fourth) quarter|q([1-4])|([1-4])q", t)
    if quarter:
        n = (
            quarter.group(2)
            or quarter.group(3)
            or str(("first", "second", "third", "fourth").index(quarter.group(1)) + 1)
        )
        return f"{year}-Q{n}"
    half = re.search(r"(first|second) half|h([12])|([12])h", t)
    if half:
        n = half.group(2) or half.group(3) or ("1" if half.group(1) == "first" else "2")
        return f"{year}-H{n}"
    if re.search(r"year[- ]end|end of (the |this )?(year|\d{4})|\bend of\b", t):
        return f"{year}-12-31"
    if "mid" in t:
        return f"{year}-06"
    if re.search(r"\bearly\b", t):
        return f"{year}-H1"
    if re.search(r"\blate\b", t):
        return f"{year}-H2"
    return str(year)


def _span(key: str) -> tuple[date, date] | None:
    """The first and last day a target key stands for; None for no or a bad key."""
    try:
        year = int(key[:4])
        rest = key[5:]
        if not rest:
            return date(year, 1, 1), date(year, 12, 31)
        if rest[0] == "Q":
            q = int(rest[1])
            last = 3 * q
            return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])
        if rest[0] == "H":
            first = rest[1] == "1"
            return date(year, 1 if first else 7, 1), date(
                year, 6 if first else 12, 30 + (not first)
            )
        month = int(rest[:2])
        if len(rest) > 2:
            day = date(year, month, int(rest[3:5]))
            return day, day
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    except (ValueError, IndexError):
        return None


def _shift(old_key: str, new_key: str) -> str:
    """Whether a new target is "later" or "earlier" than the old one, or "" for the same,
    a refinement inside the old range, or a vaguer restatement around it."""
    old, new = _span(old_key), _span(new_key)
    if not old or not new or old == new:
        return ""
    if old[0] <= new[0] and new[1] <= old[1]:
        return ""  # a refinement: "by the end of 2022" inside "the second half of 2022"
    if new[0] <= old[0] and old[1] <= new[1]:
        return ""  # vaguer: "in 2024" after "in June 2024" says nothing new
    if new[1] > old[1]:
        return "later"
    if new[1] < old[1]:
        return "earlier"
    return ""


def _end_shift(old_key: str, new_key: str) -> str:
    """For a runway ("through June 2004") only the end counts: "later", "earlier" or ""."""
    old, new = _span(old_key), _span(new_key)
    if not old or not new or old[1] == new[1]:
        return ""
    return "later" if new[1] > old[1] else "earlier"


def _pretty(key: str) -> str:
    """A key as people write it, for relative dates: "Q1 2025", "H2 2024", "2024"."""
    span = _span(key)
    if not span:
        return key
    rest = key[5:]
    if not rest:
        return key[:4]
    if rest[0] in "QH":
        return f"{rest} {key[:4]}"
    if len(rest) > 2:
        return f"{span[0]:%B} {span[0].day}, {span[0].year}"
    return f"{span[0]:%B %Y}"


def _has_year(text: str) -> bool:
    return bool(re.search(r"\b\d{4}\b|(?:[1-4]Q|Q[1-4]|[12]H|H[12])\s?'?\d{2}(?!\d)", text))


def _is_relative(text: str) -> bool:
    """Words that only mean something against the filing date ("this year", "the year")."""
    return bool(re.search(r"\b(this|next|current|coming|following|the year)\b", text, re.I))


def _roll_forward(key: str, filed: date | None) -> str:
    """A yearless plan already past at filing means next year ("in January", in November)."""
    span = _span(key)
    if not span or not filed or span[1] >= filed:
        return key
    return f"{int(key[:4]) + 1}{key[4:]}"


def _roll_back(key: str, filed: date | None) -> str:
    """A yearless event reported as done cannot be after the filing ("in December", said
    in February, is last December)."""
    span = _span(key)
    if not span or not filed or span[0] <= filed:
        return key
    return f"{int(key[:4]) - 1}{key[4:]}"


def _display(prep: str, when: str, key: str) -> str:
    """The target as the alert shows it: the filing's words, plus the year we read in."""
    when = " ".join(when.split())
    if when.lower().startswith("end of"):
        when = "the " + when
    if re.fullmatch(r"(fiscal\s+)?\d{4}", when):  # "in 2004" reads better than "2004"
        return f"{prep if prep in ('in', 'during', *_DEADLINE_PREPS) else 'in'} {when}"
    if not _has_year(when) and key:
        if _is_relative(when):
            when = f"{when} ({_pretty(key)})"
        elif re.search(r"quarter|half", when, re.I):
            when = f"{when} of {key[:4]}"
        else:
            when = f"{when} {key[:4]}"
    return f"{prep} {when}" if prep in _DEADLINE_PREPS else when


def _target(clause: str, start: int, end: int, filed: date | None, status: str) -> tuple[str, str]:
    """The date the milestone is tied to: the first date after the milestone words,
    else the last one before them (which needs a preposition: "On February 19, 2004,"
    dates the news, it is no target)."""
    best = ("", "")
    for m in _TARGET_RE.finditer(clause):
        when = m.group("when")
        prep = " ".join((m.group("prep") or "").split())
        head = clause[: m.start("when")]
        if _OLD_DATE_RE.search(head) or _NOT_TARGET_RE.search(head):
            continue
        bare_year = bool(re.fullmatch(r"(fiscal\s+)?\d{4}", when))
        yearless_month = bool(_NO_YEAR_MONTH_RE.match(when))
        after = m.start() >= end - 1
        if yearless_month and not prep and not head.endswith("on "):
            continue  # "May" and names are dates only after "in", "by", "on"...
        if not prep and (not after or bare_year):
            continue
        if start <= m.start() < end:
            continue  # inside the milestone words themselves
        key = normalise_target(when, filed)
        if not key:
            continue
        if not _has_year(when) and not _is_relative(when):
            key = _roll_back(key, filed) if status == "achieved" else _roll_forward(key, filed)
        if after:
            return _display(prep, when, key), key
        best = (_display(prep, when, key), key)
    return best


# -- products ---------------------------------------------------------------------------------


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
            if not old or not new or old == new or _is_not_product(new):
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


def _trial_names(texts: Iterable[str]) -> set[str]:
    return {m.group(1) for text in texts for m in _TRIAL_NAME_RE.finditer(text)}


def _is_not_product(name: str) -> bool:
    return bool(_NOT_PRODUCT_RE.fullmatch(name.split("-")[0].upper()))


def _code_names(text: str) -> list[tuple[int, str]]:
    return [
        (m.start(), m.group(1))
        for m in _CODE_NAME_RE.finditer(text)
        if not _is_not_product(m.group(1))
    ]


def _names_re(products: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for all known names (longest first), built once per filing."""
    if not products:
        return None
    names = sorted(products, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(p) for p in names) + r")\b")


def _named(
    text: str, names: re.Pattern[str] | None, not_products: Iterable[str] = ()
) -> list[tuple[int, str]]:
    """(position, name) of every product named in a text: known names and code names."""
    hits = [(m.start(), m.group(1)) for m in names.finditer(text)] if names else []
    taken = {pos for pos, _ in hits}
    hits += [(pos, code) for pos, code in _code_names(text) if pos not in taken]
    excluded = set(not_products)
    return sorted(hit for hit in hits if hit[1] not in excluded)


def _product_for(hits: list[tuple[int, str]], lo: int, hi: int, start: int) -> str:
    """The product a match at `start` is about: the nearest named before it in [lo, hi),
    else the first named after it."""
    inside = [(pos, name) for pos, name in hits if lo <= pos < hi]
    before = [name for pos, name in inside if pos <= start]
    if before:
        return before[-1]
    return inside[0][1] if inside else ""


# -- statements -------------------------------------------------------------------------------


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
    if kind in _EVENT_KINDS:
        happened = done_re is not None and _nearest(done_re, clause, start, end, True) is not None
        return "achieved" if happened else None
    # Words of trouble count near the milestone words only: a long clause may go on
    # about something else ("... for adults at risk of disease progression").
    lo = max(0, start - _CUE_WINDOW)
    near = clause[lo : end + _CUE_WINDOW]
    abandon = _ABANDON_RE.search(near)
    if abandon and not _NOT_ABOUT_PROGRAM_RE.search(near[: abandon.start()]):
        return "abandoned"
    if _NOT_PLANNED_RE.search(near):
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
    target, key = _target(clause, start, end, filed, status)
    if kind == "approval" and not key and not re.search(r"approv|clear", m.group(0), re.I):
        return None  # "under the PDUFA, the FDA will decide...": a date or nothing
    named = _product_for(hits, lo, hi, m.start()) or _product_for(hits, 0, len(masked), m.start())
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
    trials = _trial_names(sentences)
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
    products = [p for p in products if not _is_not_product(p) and p not in trials]
    names = _names_re(products)
    found: dict[tuple[str, str], Statement] = {}
    current = ""  # the product last named: "The company plans to reply..." is about it
    for sentence in sentences:
        if _WRAPPER_RE.search(sentence):
            continue
        masked = _mask(sentence)
        hits = _named(masked, names, trials)
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
    a, b = _span(old.target_key), _span(new.target_key)
    if not b:
        return old
    if not a:
        return new
    if b[1] != a[1]:
        win, lose = (new, old) if b[1] > a[1] else (old, new)
    else:
        win, lose = (new, old) if (b[1] - b[0]) < (a[1] - a[0]) else (old, new)
    lo, hi = _span(lose.target_key), _span(win.target_key)
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


# -- finance ----------------------------------------------------------------------------------


def runway_facts(facts: Iterable[Fact]) -> dict[str, str]:
    """The first cash runway, financing need and cash figure a filing states."""
    out: dict[str, str] = {}
    for fact in facts:
        if fact.kind == "cash_runway" and "runway" not in out:
            out["runway"] = str(fact.value)
        if fact.kind == "financing_needed" and "financing_need" not in out:
            out["financing_need"] = fact.text
        if fact.kind == "cash_on_hand" and "cash" not in out:
            out["cash"] = fact.text
    return out


_FINANCE_SUBJECTS = {"cash runway": "runway", "financing need": "financing_need"}


def _same_money(a: str, b: str) -> bool:
    x, y = parse_money(a), parse_money(b)
    return x is not None and x == y


def _finance_changes(finance: dict[str, str], before: dict[str, str]) -> list[MilestoneChange]:
    changes = []
    new, old = finance.get("runway"), before.get("runway")
    if new and old and new != old:
        old_key, new_key = normalise_target(old, None), normalise_target(new, None)
        if not old_key or old_key != new_key:  # "into Q4 2024" and "into the fourth quarter..."
            word = {"later": "extended, ", "earlier": "shortened, "}.get(
                _end_shift(old_key, new_key)
            )
            changes.append(
                MilestoneChange(
                    "runway_changed", "cash runway", f"{word or ''}was {old}, now {new}", old, new
                )
            )
    elif new and not old:
        changes.append(
            MilestoneChange("runway", "cash runway", f"operations funded {new}", "", new)
        )
    new, old = finance.get("financing_need"), before.get("financing_need")
    if new and old and new != old and not _same_money(new, old):
        changes.append(
            MilestoneChange(
                "financing_need_changed", "financing need", f"was {old}, now {new}", old, new
            )
        )
    elif new and not old:
        changes.append(
            MilestoneChange(
                "financing_need",
                "financing need",
                f"{new} of additional financing needed",
                "",
                new,
            )
        )
    return changes


# -- diff ---------------------------------------------------------------------------------------


def _ledger_view(
    previous: Sequence[dict[str, Any]],
) -> tuple[dict[tuple[str, str], dict[str, Any]], dict[str, str], dict[str, str]]:
    """Latest entry per (product, kind), latest finance values, and renames {old: new}.

    A later statement without a date keeps the last date said for the milestone, so
    "plans to submit the NDA" between "in 4Q23" and "in 1Q24" does not hide the slip.
    """
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    finance: dict[str, str] = {}
    renames: dict[str, str] = {}
    for entry in previous:
        if entry.get("type") == "finance":
            finance[entry["field"]] = entry["value"]
        elif entry.get("type") == "alias":
            renames[entry["old"].lower()] = entry["new"].lower()
        elif entry.get("type") == "milestone":
            key = (entry.get("product", "").lower(), entry["kind"])
            view = dict(entry)
            old = latest.get(key) or {}
            if not view.get("target_key") and view.get("status") in (
                "planned",
                "at_risk",
                "delayed",
            ):
                view["target"] = old.get("target", "")
                view["target_key"] = old.get("target_key", "")
            latest[key] = view
    return latest, finance, renames


def _old_names(st: Statement) -> list[str]:
    return [n.strip().lower() for n in st.formerly.split(",") if n.strip()]


def _find_before(
    latest: dict[tuple[str, str], dict[str, Any]], st: Statement, renames: dict[str, str]
) -> dict[str, Any] | None:
    """The ledger entry a statement continues: same name, an old name, or the only one."""
    name = st.product.lower()
    names = [name, *_old_names(st)]
    names += [old for old, new in renames.items() if new == name]
    if name in renames:
        names.append(renames[name])
    for n in names:
        if (n, st.kind) in latest:
            return latest[(n, st.kind)]
    same_kind = [e for (p, k), e in latest.items() if k == st.kind]
    if len(same_kind) == 1 and (not st.product or not same_kind[0].get("product")):
        return same_kind[0]
    return None


def diff(
    previous: Sequence[dict[str, Any]], statements: Sequence[Statement], finance: dict[str, str]
) -> list[MilestoneChange]:
    """Changes between the ledger so far and a new filing's statements, most important first."""
    latest, latest_finance, renames = _ledger_view(previous)
    changes: list[MilestoneChange] = []
    for st in statements:
        before = _find_before(latest, st, renames)
        change = _compare(before, st, latest)
        if change:
            changes.append(change)
    changes += _finance_changes(finance, latest_finance)
    return sorted(changes, key=lambda c: _CHANGE_ORDER.index(c.change))


def _open_milestones(latest: dict[tuple[str, str], dict[str, Any]], st: Statement) -> list[str]:
    """What a discontinued program leaves undone: its planned or troubled milestones."""
    names = {st.product.lower(), *_old_names(st)} - {""}
    out = []
    for (product, kind), entry in latest.items():
        done = entry.get("status") in ("achieved", "abandoned")
        if product in names and kind != "program" and not done:
            when = f" planned {entry['target']}" if entry.get("target") else ""
            out.append(label_of(kind) + when)
    return out


def _compare(
    before: dict[str, Any] | None,
    st: Statement,
    latest: dict[tuple[str, str], dict[str, Any]],
) -> MilestoneChange | None:
    """The change one statement makes; the product goes last so the headline reads
    "Slipped: reply to FDA complete response letter, was June 2004, now ..."."""
    name = subject(st)
    label = label_of(st.kind)
    about = _about(st) + (f"; the filing also says {st.conflict}" if st.conflict else "")
    when = st.target or "no date given"

    def change(kind: str, text: str, old: str = "") -> MilestoneChange:
        return MilestoneChange(kind, name, text + about, old, st.target, st.sentence)

    if st.kind == "program":
        if not st.product or (before is not None and before.get("status") == "abandoned"):
            return None
        dropping = _open_milestones(latest, st)
        return change(
            "abandoned",
            f"{label}: discontinued" + (f", dropping {'; '.join(dropping)}" if dropping else ""),
        )
    if before is None:
        if not st.product:
            return None  # nothing to tie it to: not worth an alert
        if st.status == "achieved":
            if st.kind in _EVENT_KINDS:
                return change("new", f"{label}: {_EVENT_KINDS[st.kind]}")
            return change("achieved", label)
        if st.status == "abandoned":
            never_planned = _NOT_PLANNED_RE.search(st.sentence) and not _CANCEL_RE.search(
                st.sentence
            )
            if never_planned:
                return None  # "does not plan to hold an advisory committee": no news
            return change("abandoned", f"{label}: abandoned")
        words = {
            "planned": f"planned {when}" if st.target else "planned",
            "at_risk": f"at risk ({when})",
            "delayed": f"delayed ({when})",
        }
        return change("new", f"{label}: {words[st.status]}")
    old_target = before.get("target", "")
    old_status = before.get("status", "")
    old_key = before.get("target_key", "")
    if st.status == "achieved":
        if old_status == "achieved":
            return None
        return change(
            "achieved", label + (f", planned {old_target}" if old_target else ""), old_target
        )
    if old_status == "achieved":
        return None  # done already; a later plan of the same kind is another trial or filing
    if st.status == "abandoned":
        if old_status == "abandoned":
            return None
        return change("abandoned", f"{label}: abandoned", old_target)
    if old_status == "abandoned":
        return change("new", f"{label}: planned {when}" if st.target else f"{label}: planned")
    shift = _shift(old_key, st.target_key)
    if st.status in ("at_risk", "delayed"):
        if shift == "earlier" and st.status == "delayed":
            return change("moved", f"{label}, was {old_target}, now {st.target}", old_target)
        if old_status in ("at_risk", "delayed") and shift != "later":
            return None  # already known to be in trouble, and no worse
        if st.target:
            now = f"now may not be {st.target}" if st.status == "at_risk" else f"now {st.target}"
        else:
            now = "now at risk" if st.status == "at_risk" else "now delayed"
        if old_target:
            return change("delayed", f"{label}, was {old_target}, {now}", old_target)
        return change(st.status, f"{label}, {now}")
    if shift == "later":
        return change("delayed", f"{label}, was {old_target}, now {st.target}", old_target)
    if shift == "earlier":
        return change("moved", f"{label}, was {old_target}, now {st.target}", old_target)
    return None


# -- ledger -------------------------------------------------------------------------------------


def merge(
    entries: list[dict[str, Any]],
    accession: str,
    statements: Sequence[Statement],
    finance: dict[str, str],
    filed: str,
    aliases: dict[str, str],
    changes: Sequence[MilestoneChange],
) -> list[dict[str, Any]]:
    """The ledger with this filing's statements appended (replacing an earlier run of it).

    A statement without a product is stored under the product of the only earlier entry
    of its kind, so the timeline names it.
    """
    kept = [e for e in entries if e.get("accession") != accession]
    by_kind: dict[str, set[str]] = {}
    for e in kept:
        if e.get("type") == "milestone" and e.get("product"):
            by_kind.setdefault(e["kind"], set()).add(e["product"])
    for st in statements:
        row = {
            "type": "milestone",
            **st.to_dict(),
            "change": next((c.change for c in changes if c.subject == subject(st)), ""),
        }
        owners = by_kind.get(st.kind, set())
        if not st.product and len(owners) == 1:
            row["product"] = next(iter(owners))
        kept.append(row)
    finance_changes = {_FINANCE_SUBJECTS.get(c.subject, ""): c.change for c in changes}
    for field_name, value in finance.items():
        kept.append(
            {
                "type": "finance",
                "field": field_name,
                "value": value,
                "accession": accession,
                "filed": filed,
                "change": finance_changes.get(field_name, ""),
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
    """Products the ledger knows (and their new names), so later filings find them even
    without a trademark sign."""
    names: list[str] = []
    for e in entries:
        if e.get("type") == "milestone" and e.get("product"):
            names.append(e["product"])
        elif e.get("type") == "alias":
            names += [e["new"], e["old"]]
    return list(dict.fromkeys(names))
