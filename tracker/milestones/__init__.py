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
- An event a filing reports as done before the company's previous filing (a prospectus
  retelling December's trial start in February) is a restatement: kept in the ledger
  with change "restated", never news (`diff(previous_filed=...)`, `news()`).
- Cash runway compares by date ("shortened"/"extended"); a financing need by amount,
  so "$8.5 million" and "$8.50 million" are the same need.

Modules
- dates: target dates (keys, ranges, shifts, display); products: product names and
  renames; statements: the kinds and extract(); ledger: update() (extract, diff and
  merge in one), diff(), merge() and the finance comparison; words: vocabulary the
  date and product readers share.
"""

from tracker.milestones.dates import normalise_target
from tracker.milestones.ledger import (
    diff,
    known_products,
    merge,
    news,
    prior_entries,
    runway_facts,
    update,
)
from tracker.milestones.products import aliases_in
from tracker.milestones.statements import KINDS, Statement, extract, label_of
from tracker.models import Fact, MilestoneChange

__all__ = [
    "KINDS",
    "Fact",
    "MilestoneChange",
    "Statement",
    "aliases_in",
    "diff",
    "extract",
    "known_products",
    "label_of",
    "merge",
    "news",
    "normalise_target",
    "prior_entries",
    "runway_facts",
    "update",
]
