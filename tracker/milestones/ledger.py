"""The ledger: a company's statements over time, the diff of a filing against it, the merge.

Extracting reads one filing; this module compares it with what came before (milestones,
cash runway, financing needs) and decides which changes are news.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from tracker.classify.facts import parse_money
from tracker.milestones.dates import end_shift, key_span, normalise_target, target_shift
from tracker.milestones.products import aliases_in
from tracker.milestones.statements import (
    EVENT_KINDS,
    NOT_PLANNED_RE,
    Statement,
    extract,
    label_of,
    subject,
)
from tracker.models import Fact, MilestoneChange

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
    "restated",  # never news: kept for the ledger's record, left out of alerts
)
_CANCEL_RE = re.compile(r"\bcancel", re.I)


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
                end_shift(old_key, new_key)
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
    previous: Sequence[dict[str, Any]],
    statements: Sequence[Statement],
    finance: dict[str, str],
    previous_filed: date | None = None,
) -> list[MilestoneChange]:
    """Changes between the ledger so far and a new filing's statements, most important first.

    `previous_filed` is the date of the company's filing before this one: an event this
    filing reports as done before that date is a restatement (a prospectus retelling last
    quarter's trial start), not news, and comes back as change "restated", last. `news()`
    leaves those out.
    """
    latest, latest_finance, renames = _ledger_view(previous)
    changes: list[MilestoneChange] = []
    for st in statements:
        before = _find_before(latest, st, renames)
        change = _compare(before, st, latest)
        if change and _restated(st, previous_filed) and change.change in ("new", "achieved"):
            change = replace(change, change="restated")
        if change:
            changes.append(change)
    changes += _finance_changes(finance, latest_finance)
    return sorted(changes, key=lambda c: _CHANGE_ORDER.index(c.change))


def _restated(st: Statement, previous_filed: date | None) -> bool:
    """An event done, whose whole date range ended before the company's previous filing."""
    if previous_filed is None or st.status != "achieved" or not st.target_key:
        return False
    span = key_span(st.target_key)
    return span is not None and span[1] < previous_filed


def news(changes: Iterable[MilestoneChange]) -> list[MilestoneChange]:
    """The changes an alert leads with: everything but restatements of old events."""
    return [c for c in changes if c.change != "restated"]


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


def _about(st: Statement) -> str:
    return f" ({st.product})" if st.product else ""


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
            if st.kind in EVENT_KINDS:
                return change("new", f"{label}: {EVENT_KINDS[st.kind]}")
            return change("achieved", label)
        if st.status == "abandoned":
            never_planned = NOT_PLANNED_RE.search(st.sentence) and not _CANCEL_RE.search(
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
    shift = target_shift(old_key, st.target_key)
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


def update(
    entries: list[dict[str, Any]],
    texts: Sequence[str],
    facts: Iterable[Fact],
    *,
    accession: str,
    filed: date | None,
    previous_filed: date | None = None,
) -> tuple[list[MilestoneChange], list[dict[str, Any]]]:
    """One filing through extract -> diff -> merge: (the news, the ledger after it).

    `texts` are the filing's content sentences; `previous_filed` the date of the
    company's filing before this one (restated events are kept in the ledger as
    "restated" and left out of the news). The pipeline and the tests both call this.
    """
    previous = prior_entries(entries, accession)
    statements = extract(
        texts, known_products=known_products(previous), filed=filed, accession=accession
    )
    finance = runway_facts(facts)
    changes = diff(previous, statements, finance, previous_filed)
    merged = merge(
        entries,
        accession,
        statements,
        finance,
        filed.isoformat() if filed else "",
        aliases_in(texts),
        changes,
    )
    return news(changes), merged
