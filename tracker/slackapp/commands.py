"""`/tracker` slash commands: the CLI's watch, timeline, upcoming and status, from Slack.

The people who decide what to watch live in Slack. Reading is open to everyone who can
type the command; changing the watch list is for the configured editors only, and goes
through the same comment-keeping editor and validation as `tracker watch`, so a command
from Slack can never write a config the daemon would reject. Everything an answer quotes
(command text, company names, filing sentences) is escaped, so no argument can ping a
channel or disguise a link.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from tracker.config import CHANNEL_RE, Config
from tracker.models import CATEGORIES
from tracker.notify.message import escape

log = logging.getLogger(__name__)

MAX_TEXT = 500  # a command is a few words; anything longer is refused whole, unread
MAX_ANSWER = 3500  # Slack shows about 4,000 characters of a message before "show more"

USAGE = """\
*/tracker* commands
• `/tracker watch list`: the watched companies
• `/tracker watch add TICKER_OR_CIK [#channel] [categories]`: watch a company \
(editors only), e.g. `/tracker watch add BPUR #biopure fda,financing`
• `/tracker watch remove TICKER_OR_CIK`: stop watching (editors only)
• `/tracker timeline TICKER_OR_CIK`: the company's regulatory milestones as tracked
• `/tracker upcoming [DAYS]`: milestones due in the next DAYS days (default 90)
• `/tracker status`: last and next poll, pending and failed alerts
• `/tracker help`: this text"""

_CHANNEL_LINK = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_ANY_LINK = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class SlashCommand:
    """One `/tracker ...` as Slack delivered it; `user_id` is "" when the envelope had none."""

    text: str
    user_id: str
    channel_id: str = ""
    channel_name: str = ""


@dataclass(frozen=True)
class Answer:
    """What the person sees: only them (ephemeral) unless the command changed something."""

    text: str
    in_channel: bool = False


@dataclass(frozen=True)
class Workspace:
    """What a command may read and write; `config()` is the daemon's last good config."""

    config_path: str
    state_dir: str
    config: Callable[[], Config]
    group_members: Callable[[str], frozenset[str]] = lambda group: frozenset()
    company_name: Callable[[Config, str, int], str | None] = lambda config, state_dir, cik: None
    today: Callable[[], date] = date.today  # the run's one clock (--today, TRACKER_TODAY)


class CommandError(ValueError):
    """A refusal with a reason already fit to show (escaped by the caller)."""


def answer(command: SlashCommand, where: Workspace) -> Answer:
    """Run one command; never raises, so every envelope gets an answer."""
    try:
        return _dispatch(command, where)
    except _Refusal as exc:
        return Answer(str(exc))
    except CommandError as exc:
        return Answer(escape(str(exc)))
    except Exception:
        log.exception("slack: /tracker %r from %s failed", command.text[:80], command.user_id)
        return Answer("Sorry, that failed on the tracker's side; the error is in its log.")


def _dispatch(command: SlashCommand, where: Workspace) -> Answer:
    if len(command.text) > MAX_TEXT:
        raise CommandError(
            f"That command is {len(command.text)} characters long; /tracker takes at most "
            f"{MAX_TEXT}. Try /tracker help."
        )
    words = _words(command.text)
    if not words or words[0].lower() == "help":
        return Answer(USAGE)
    verb = words[0].lower()
    if verb == "watch":
        sub = words[1].lower() if len(words) > 1 else ""
        if sub == "list":
            return _watch_list(where)
        if sub in ("add", "remove"):
            _require_editor(command, where.config(), where)
            if len(words) < 3:
                raise CommandError(f"Missing company: /tracker watch {sub} TICKER_OR_CIK")
            if sub == "add":
                return _watch_add(command, where, words[2], words[3:])
            if len(words) > 3:
                raise CommandError(f"Too many words after {words[2]}: watch remove takes one.")
            return _watch_remove(command, where, words[2])
        raise CommandError(
            f"Unknown watch subcommand {sub!r}: use watch list, watch add or watch remove."
            if sub
            else "watch what? Use watch list, watch add or watch remove."
        )
    if verb == "timeline":
        if len(words) != 2:
            raise CommandError("Usage: /tracker timeline TICKER_OR_CIK")
        return _timeline(where, words[1])
    if verb == "upcoming":
        return _upcoming(where, words[1:])
    if verb == "status":
        return _status(where)
    raise CommandError(f"Unknown subcommand {words[0][:40]!r}. Try /tracker help.")


def _words(text: str) -> list[str]:
    """Split the text; Slack's channel links become #name, other links and mentions are refused.

    Slack escapes &, < and > in command text and may turn "#biopure" into
    <#C0123|biopure>; a user mention or a URL is never a valid argument, so it is refused
    rather than passed on to the config.
    """
    text = _CHANNEL_LINK.sub(lambda m: f"#{m.group(2)}" if m.group(2) else m.group(1), text)
    if _ANY_LINK.search(text):
        raise CommandError("Mentions and links are not arguments of /tracker. Try /tracker help.")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.split()


def _require_editor(command: SlashCommand, config: Config, where: Workspace) -> None:
    editors = config.slack.editors
    if not editors:
        raise CommandError(
            "Nobody may change the watch list from Slack: the tracker's config names no "
            "editors ([slack] editors). Ask whoever runs the tracker."
        )
    user = command.user_id
    if user and (user in editors or any(user in where.group_members(g) for g in _groups(editors))):
        return
    people = ", ".join(f"<@{e}>" if e[0] in "UW" else f"<!subteam^{e}>" for e in editors)
    who = "this request has no Slack user" if not user else "you are not one of them"
    raise _Refusal(f"Only the tracker's editors may change the watch list ({who}): {people}.")


class _Refusal(CommandError):
    """A refusal whose text is already Slack markup (editor mentions), not to be escaped."""


def _groups(editors: tuple[str, ...]) -> list[str]:
    return [e for e in editors if e.startswith("S")]


def _watch_list(where: Workspace) -> Answer:
    from tracker.watchlist import WatchError, format_rows, list_watch

    try:
        rows = list_watch(where.config_path, where.state_dir)
    except WatchError:
        rows = None
    if rows is None:  # the file on disk is being edited badly: show what the daemon runs
        from tracker.watchlist import watch_rows

        rows = watch_rows(where.config())
    return Answer(f"```{escape(_clip(format_rows(rows)))}```")


def _watch_add(command: SlashCommand, where: Workspace, ident: str, rest: list[str]) -> Answer:
    from tracker.watchlist import WatchError, add_watch

    channel: str | None = None
    categories: list[str] = []
    for word in rest:
        if word.startswith("#") or CHANNEL_RE.match(word):
            if channel is not None:
                raise CommandError("Give at most one channel.")
            channel = word
            if not CHANNEL_RE.match(word):
                raise CommandError(f"{word!r} is not a channel name (lower case, like #biopure).")
            continue
        for cat in filter(None, word.lower().split(",")):
            if cat not in CATEGORIES:
                raise CommandError(f"Unknown category {cat!r}; known: {', '.join(CATEGORIES)}.")
            categories.append(cat)
    name = None
    if ident.isdigit() and 0 < int(ident) < 10**10:
        name = where.company_name(where.config(), where.state_dir, int(ident))
    try:
        row = add_watch(
            where.config_path,
            ident,
            channel=channel,
            categories=categories or None,
            state_dir=where.state_dir,
            name=name,
        )
    except WatchError as exc:
        raise CommandError(f"Not added: {exc.reason}") from None
    target = row.channel or where.config().slack.default_channel
    label = _label(row.name, row.ticker, row.cik)
    log.info("slack: %s added %s (CIK %d) -> %s", command.user_id, label, row.cik, target)
    cats = f" ({', '.join(row.categories)})" if row.categories else ""
    return Answer(
        f"<@{command.user_id}> added {escape(label)} → {escape(target)}{escape(cats)}; "
        "the first poll takes a baseline, then new filings are alerted.",
        in_channel=True,
    )


def _watch_remove(command: SlashCommand, where: Workspace, ident: str) -> Answer:
    from tracker.watchlist import WatchError, remove_watch

    try:
        row = remove_watch(where.config_path, ident, where.state_dir)
    except WatchError as exc:
        raise CommandError(f"Not removed: {exc.reason}") from None
    label = _label(row.name, row.ticker, row.cik)
    log.info("slack: %s removed %s (CIK %d)", command.user_id, label, row.cik)
    return Answer(f"<@{command.user_id}> stopped watching {escape(label)}.", in_channel=True)


def _timeline(where: Workspace, ident: str) -> Answer:
    from tracker.state import State
    from tracker.timeline import render_timeline

    cik, label = _company(where, ident)
    entries = State(where.state_dir).ledger(cik)
    body = render_timeline(entries)
    head = f"*{escape(label)}* (CIK {cik}): milestones as tracked"
    return Answer(f"{head}\n```{escape(_clip(body))}```")


def _upcoming(where: Workspace, args: list[str]) -> Answer:
    days = 90
    if args:
        if len(args) > 1 or not args[0].isdigit() or not 0 < int(args[0]) <= 3660:
            raise CommandError("Usage: /tracker upcoming [DAYS], DAYS from 1 to 3660")
        days = int(args[0])
    text = _upcoming_text(where, days)
    return Answer(f"```{escape(_clip(text))}```")


def _upcoming_text(where: Workspace, days: int) -> str:
    from tracker.calendar.upcoming import build_calendar, render_calendar
    from tracker.state import State

    cal = build_calendar(where.config(), State(where.state_dir), where.today(), days)
    return render_calendar(cal)


def _status(where: Workspace) -> Answer:
    from tracker.status import collect_status, render_status

    data = collect_status(where.state_dir, where.config_path)
    return Answer(f"```{escape(_clip(render_status(data)))}```")


def _company(where: Workspace, ident: str) -> tuple[int, str]:
    """As `tracker timeline` finds it, in the daemon's running config."""
    from tracker.tickers import TickerError, find_company

    try:
        return find_company(where.config().companies, ident, where.state_dir)
    except TickerError as exc:
        raise CommandError(str(exc)) from None


def _label(name: str | None, ticker: str | None, cik: int) -> str:
    if name and ticker:
        return f"{name} ({ticker})"
    return name or ticker or f"CIK {cik}"


def _clip(text: str) -> str:
    if len(text) <= MAX_ANSWER:
        return text
    kept = text[:MAX_ANSWER].rsplit("\n", 1)[0]
    hidden = text[len(kept) :].count("\n")
    return f"{kept}\n… {hidden} more lines: run the same command with `tracker` on the host"
