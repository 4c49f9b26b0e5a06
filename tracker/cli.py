"""The command line: the one place that turns errors into messages and exit codes.

Heavy stacks (scheduler, Slack, HTML parser, feed parser) are imported inside the
commands that use them, so `tracker --help` and `tracker watch list` start fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn

from tracker import __version__
from tracker.errors import (
    ConfigError,
    CredentialError,
    LockedError,
    StateError,
    TrackerError,
)

log = logging.getLogger("tracker")


class Exit(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2


class UsageError(TrackerError):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(Exit.USAGE)


def add_global_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """The options every command takes, before or after the command name.

    The top-level parser holds the defaults; each command's parser repeats the options
    with SUPPRESS defaults, so a value given after the command wins and an absent one
    never overwrites a value given before it.
    """

    def default(value: Any) -> Any:
        return value if top else argparse.SUPPRESS

    g = parser.add_argument_group("global options (before or after the command)")
    g.add_argument(
        "--config",
        default=default(None),
        help="watch config (default config/watch.toml, env TRACKER_CONFIG)",
    )
    g.add_argument(
        "--state",
        default=default(None),
        help="state directory (env TRACKER_STATE; default: the config's [state] dir, "
        "else state/ beside the config's folder)",
    )
    g.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        default=default(None),
        help="the date the tracker believes it is, for replays (env TRACKER_TODAY)",
    )
    if not top:  # the top-level parser has its own --version, before any command
        g.add_argument("--version", action="version", version=f"tracker {__version__}")
    g.add_argument("--log-format", choices=("text", "json"), default=default("text"))
    g.add_argument(
        "-v", "--verbose", action="store_true", default=default(False), help="debug logging"
    )
    g.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="warnings and errors only",
    )


class _Commands:
    """Adds command parsers that all accept the global options."""

    def __init__(self, parser: argparse.ArgumentParser, dest: str, metavar: str):
        self.sub = parser.add_subparsers(dest=dest, metavar=metavar, parser_class=_Parser)

    def add(self, name: str, help: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = self.sub.add_parser(name, help=help, description=help)
        add_global_options(p)
        return p


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="tracker",
        description="Watch SEC EDGAR for new filings of chosen "
        "companies, tell what they mean and post alerts to Slack.",
    )
    p.add_argument("--version", action="version", version=f"tracker {__version__}")
    add_global_options(p, top=True)
    sub = _Commands(p, "command", "COMMAND")
    sub.add("demo", "the whole pipeline offline on Biopure's 2003-2004 filings")
    sub.add("poll", "one poll cycle now, then exit")
    sub.add("run", "the daemon: poll on the configured interval until stopped")
    c = sub.add("classify", "classify local filing documents")
    c.add_argument("files", nargs="+", metavar="FILE")
    c.add_argument("--json", action="store_true", help="one JSON object per line per file")
    c.add_argument("--form", default="", help="form type, when the file does not say it")
    w = sub.add("watch", "edit the watch list in the config, keeping its comments")
    wsub = _Commands(w, "watch_command", "ACTION")
    wa = wsub.add("add", "watch a company")
    wa.add_argument("ident", metavar="TICKER_OR_CIK")
    wa.add_argument("--channel")
    wa.add_argument("--categories", help="comma-separated: fda,financing,workforce,...")
    wa.add_argument(
        "--forms",
        help='comma-separated form types, e.g. 8-K,424B; "*" for every form '
        "(default: all but routine ownership and plan forms)",
    )
    wr = wsub.add("remove", "stop watching a company")
    wr.add_argument("ident", metavar="TICKER_OR_CIK")
    wl = wsub.add("list", "the companies watched")
    wl.add_argument("--json", action="store_true", help="a JSON array of the companies")
    t = sub.add("timeline", "a company's regulatory milestone history")
    t.add_argument("ident", metavar="TICKER_OR_CIK")
    t.add_argument("--json", action="store_true")
    t.add_argument(
        "--svg", metavar="FILE", help="also draw the slip chart into FILE (SVG; - for stdout)"
    )
    u = sub.add("upcoming", "open milestones with a target date in the next N days")
    u.add_argument("--days", type=int, default=90, help="the window, in days (default 90)")
    u.add_argument("--company", metavar="TICKER_OR_CIK", help="one watched company only")
    u.add_argument("--json", action="store_true")
    d = sub.add("digest", "the weekly digest now: --print it, or --post it to each channel")
    how = d.add_mutually_exclusive_group(required=True)
    how.add_argument("--print", action="store_true", help="on standard output")
    how.add_argument("--post", action="store_true", help="to each channel, through the sink")
    s = sub.add("status", "last and next poll, newest filings, pending alerts; health")
    s.add_argument("--json", action="store_true")
    sub.add("check-config", "validate the config and exit 0 or 2")
    ta = sub.add("test-alert", "post one clearly marked sample alert")
    ta.add_argument("--channel")
    tk = sub.add("tickers", "the ticker-to-CIK list")
    tksub = _Commands(tk, "tickers_command", "ACTION")
    tksub.add("refresh", "download SEC's company_tickers.json into the state dir")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return Exit.USAGE
    from tracker.logs import setup_logging

    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    setup_logging(level, args.log_format)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        # A malformed --today or TRACKER_TODAY is refused by every command, not only by
        # those that happen to ask the date: a replay script with a typo must stop here.
        _clock(args)
        return int(COMMANDS[args.command](args))
    except ConfigError as exc:
        print(f"tracker: config error: {exc}", file=sys.stderr)
        return Exit.USAGE
    except (UsageError, CredentialError) as exc:
        print(f"tracker: {exc}", file=sys.stderr)
        return Exit.USAGE
    except (LockedError, StateError, TrackerError) as exc:
        print(f"tracker: {exc}", file=sys.stderr)
        return Exit.FAILURE
    except KeyboardInterrupt:
        return Exit.FAILURE
    except PermissionError as exc:
        # A file or directory the tracker may not write (a read-only state directory...).
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"tracker: {where}{exc.strerror}", file=sys.stderr)
        return Exit.FAILURE
    except BrokenPipeError:
        # The reader (`| head`) went away: stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return Exit.FAILURE


def _config_path(args: argparse.Namespace, *, create: bool = False) -> str:
    """The config to use. With `create`, for commands that cannot work without one, the
    default config/watch.toml is created from config/watch.example.toml on first use
    (said on stderr). Only the default: a --config or TRACKER_CONFIG path that does not
    exist is an error, since it is likely a typo."""
    from tracker.config import config_path, create_from_example

    path = config_path(args.config)
    if create and not args.config and not os.environ.get("TRACKER_CONFIG"):
        example = create_from_example(path)
        if example is not None:
            print(
                f"tracker: created {path} from {example}; edit it (edgar.user_agent, "
                "your companies) and check it with `tracker check-config`",
                file=sys.stderr,
            )
    return path


def _state_dir(args: argparse.Namespace, *, reading: bool = False) -> str:
    """--state, else TRACKER_STATE, else the config's own state directory. A command that
    reads the state names it on stderr, so nobody wonders which state it read."""
    from tracker.config import state_dir_for

    found: str = args.state or os.environ.get("TRACKER_STATE") or state_dir_for(_config_path(args))
    if reading and not getattr(args, "_state_named", False):
        args._state_named = True
        log.info("state directory: %s", found)
    return found


def _existing_state_dir(args: argparse.Namespace) -> str:
    """The state directory for a command that only reads it: a missing one is an error.

    Reading must not create it: a mistyped --state would otherwise answer "nothing
    tracked yet" from a fresh empty folder and leave that folder behind.
    """
    found = _state_dir(args, reading=True)
    if not os.path.isdir(found):
        raise StateError(
            f"no state in {found} yet: run `tracker poll` first, or check --state / the "
            "config's [state] dir"
        )
    return found


def _clock(args: argparse.Namespace) -> Any:
    """The one clock of this run: --today, else TRACKER_TODAY, else the system date."""
    from tracker.calendar.clock import clock_from

    return clock_from(args.today, os.environ)


def _load(args: argparse.Namespace) -> Any:
    from tracker.config import load_config

    path = _config_path(args, create=True)  # first: the state dir is read from it
    return load_config(path, _state_dir(args))


def _poller(args: argparse.Namespace, config: Any) -> Any:
    from tracker import clients
    from tracker.pipeline import Poller
    from tracker.state import State

    state = State(_state_dir(args, reading=True))
    return Poller(
        config,
        state,
        clients.edgar_client(config.edgar),
        clients.sink(config),
        today=_clock(args).today,
    )


def _check_slack(sink: Any, state: Any = None) -> None:
    """Ask Slack whether the token is good before anything waits on it.

    A rejected token raises CredentialError (exit 2), kept in the state so `status` reports
    it; Slack unreachable is only a warning: alerts wait in the outbox until it answers.
    """
    from tracker.errors import CredentialError, NotifyError

    check = getattr(sink, "check_auth", None)
    if check is None:  # the console or a webhook: no token to check
        return
    try:
        who = check()
    except CredentialError as exc:
        if state is not None:
            state.update_status(slack_token_rejected=str(exc))
        raise
    except NotifyError as exc:
        log.warning(
            "could not check the Slack token (%s); going on, alerts wait in the outbox "
            "until Slack answers",
            exc,
        )
        return
    log.info("Slack token accepted (%s)", who)
    if state is not None and state.status().get("slack_token_rejected"):
        state.update_status(slack_token_rejected=None)


# -- commands ------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from tracker.demo import run_demo

    delivered = run_demo(config_path=_config_path(args))
    return Exit.OK if delivered else Exit.FAILURE


def cmd_poll(args: argparse.Namespace) -> int:
    from tracker.lock import StateLock

    config = _load(args)
    with StateLock(_state_dir(args)):
        poller = _poller(args, config)
        try:
            report = poller.run_cycle()
        finally:
            poller.state.close()
    log.log(logging.INFO if report.ok else logging.WARNING, "%s", report.summary())
    return Exit.OK


def cmd_run(args: argparse.Namespace) -> int:
    from tracker.daemon import Daemon
    from tracker.lock import StateLock
    from tracker.slackapp.commands import Workspace
    from tracker.slackapp.listener import CommandListener, app_token

    config = _load(args)
    token = app_token(os.environ)  # a malformed app token is exit 2 before anything starts
    with StateLock(_state_dir(args)):
        poller = _poller(args, config)
        _check_slack(poller.sink, poller.state)
        daemon = Daemon(config, poller)
        listener = None
        if token is not None:
            where = Workspace(
                _config_path(args),
                _state_dir(args),
                lambda: daemon.config,
                today=_clock(args).today,
            )
            listener = CommandListener(
                token, config.slack.base_url, where, bot_token=os.environ.get("SLACK_BOT_TOKEN")
            )
            listener.start()
        try:
            return daemon.run()
        finally:
            if listener is not None:
                listener.stop()
            daemon.poller.state.close()


def cmd_check_config(args: argparse.Namespace) -> int:
    from tracker.configcheck import check

    config = _load(args)
    findings = check(config, _state_dir(args))
    for finding in findings:
        print(f"tracker: {finding}", file=sys.stderr)
    errors = sum(1 for f in findings if f.level == "error")
    if errors:
        print(f"{config.path}: {errors} error(s); see above", file=sys.stderr)
        return Exit.USAGE
    warnings = len(findings)
    print(
        f"{config.path}: OK ({len(config.companies)} companies, mode {config.mode}, "
        f"every {config.edgar.poll_interval_seconds:g}s, "
        + (
            f"weekly digest {config.digest.schedule} {config.digest.timezone}"
            if config.digest.schedule.strip()
            else "weekly digest off"
        )
        + (f", {warnings} warning(s)" if warnings else "")
        + ")"
    )
    return Exit.OK


def cmd_classify(args: argparse.Namespace) -> int:
    from tracker.classify.files import classify_file

    failed = 0
    for path in args.files:
        result = classify_file(path, form=args.form)
        if result.get("error"):
            failed += 1
            print(f"tracker: {path}: {result['error']}", file=sys.stderr)
        if args.json:
            print(json.dumps(result, ensure_ascii=False), flush=True)
        else:
            print(_classification_text(result), flush=True)
    return Exit.FAILURE if failed else Exit.OK


def _classification_text(result: dict[str, Any]) -> str:
    if result.get("error"):
        return f"{result['path']}: error: {result['error']}\n"
    lines = [f"{result['path']}: {', '.join(result['categories']) or '(no category)'}"]
    for cat, sentences in result["evidence"].items():
        for sentence in sentences[:2]:
            lines.append(f"  [{cat}] {sentence[:300]}")
    for fact in result["facts"]:
        lines.append(f"  fact {fact['kind']} = {fact['value']!r}  ({fact['text']})")
    return "\n".join(lines) + "\n"


def cmd_watch(args: argparse.Namespace) -> int:
    from tracker import watchlist

    path = _config_path(args, create=True)
    action = args.watch_command
    if action is None:
        raise UsageError("watch needs an action: add, remove or list")
    try:
        if action == "list":
            rows = watchlist.list_watch(path, _state_dir(args))
            if args.json:
                print(json.dumps([watchlist.row_json(r) for r in rows], ensure_ascii=False))
            else:
                print(watchlist.format_rows(rows))
            return Exit.OK
        if action == "add":
            cats = _csv(args.categories)
            if cats is not None and not cats:
                raise UsageError("--categories needs at least one category")
            row = watchlist.add_watch(
                path,
                args.ident,
                channel=args.channel,
                categories=cats,
                forms=_csv(args.forms),
                state_dir=_state_dir(args),
            )
            who = " ".join(filter(None, [row.ticker, f"CIK {row.cik}", row.name]))
            print(
                f"watching {who} (in {path}; a running daemon picks it up at its next poll, "
                "starting with a baseline)"
            )
            return Exit.OK
        row = watchlist.remove_watch(path, args.ident, _state_dir(args))
        who = " ".join(filter(None, [row.ticker, f"CIK {row.cik}", row.name]))
        print(f"no longer watching {who} (in {path})")
        return Exit.OK
    except watchlist.WatchError as exc:
        print(f"tracker: {exc}", file=sys.stderr)
        return Exit.USAGE


def _csv(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def resolve_company(args: argparse.Namespace, ident: str) -> tuple[int, str]:
    """CIK and label from the config's companies, a CIK, or the ticker list."""
    from tracker.config import load_config
    from tracker.tickers import TickerError, find_company

    try:
        companies = load_config(_config_path(args), _state_dir(args)).companies
    except ConfigError:
        companies = ()  # a bad edit on disk: a CIK or the ticker list still answers
    try:
        return find_company(companies, ident, _state_dir(args))
    except TickerError as exc:
        raise UsageError(str(exc)) from None


def cmd_timeline(args: argparse.Namespace) -> int:
    from tracker.state import State
    from tracker.timeline import render_timeline, timeline_rows

    cik, label = resolve_company(args, args.ident)
    state = State(_existing_state_dir(args), migrate=False)
    try:
        entries = state.ledger(cik)
    finally:
        state.close()
    if args.svg:
        from tracker.calendar.svg import slip_chart

        chart = slip_chart(label, entries, _clock(args).today())
        if args.svg == "-":
            sys.stdout.write(chart)
            return Exit.OK
        try:
            Path(args.svg).write_text(chart, encoding="utf-8")
        except OSError as exc:
            raise TrackerError(
                f"cannot write the slip chart to {args.svg}: {exc.strerror}"
            ) from None
        print(f"slip chart written to {args.svg}", file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                {"cik": cik, "company": label, "milestones": timeline_rows(entries)},
                ensure_ascii=False,
            )
        )
    else:
        print(f"{label} (CIK {cik}): regulatory milestones as tracked\n")
        print(render_timeline(entries))
    return Exit.OK


def cmd_upcoming(args: argparse.Namespace) -> int:
    from tracker.calendar.upcoming import build_calendar, render_calendar
    from tracker.state import State

    if args.days < 0:
        raise UsageError(f"--days must not be negative, got {args.days}")
    today = _clock(args).today()
    config = _load(args)
    companies = None
    if args.company:
        wanted = args.company.strip().upper()
        companies = tuple(
            c
            for c in config.companies
            if (c.ticker or "").upper() == wanted or (wanted.isdigit() and int(wanted) == c.cik)
        )
        if not companies:
            raise UsageError(
                f"--company {args.company}: not a watched company (tracker watch list)"
            )
    cal = build_calendar(config, State(_existing_state_dir(args)), today, args.days, companies)
    print(json.dumps(cal.to_json(), ensure_ascii=False) if args.json else render_calendar(cal))
    return Exit.OK


def cmd_digest(args: argparse.Namespace) -> int:
    from tracker.calendar.digest import digest_alerts
    from tracker.notify.notice import console_text
    from tracker.notify.sinks import make_sink
    from tracker.state import State

    today = _clock(args).today()
    config = _load(args)
    alerts = digest_alerts(config, State(_existing_state_dir(args)), today)
    if args.print:
        if not alerts:
            print(f"(nothing to digest for the week to {today.isoformat()})")
        for alert in alerts:
            print(console_text(alert) + "\n")
        return Exit.OK
    sink = make_sink(dict(os.environ), config.slack.base_url)
    for alert in alerts:
        sink.post(alert)
        print(f"digest posted to {alert.channel} via {sink.name}", file=sys.stderr)
    if not alerts:
        print("nothing to digest this week: no alerts and nothing due", file=sys.stderr)
    return Exit.OK


def cmd_status(args: argparse.Namespace) -> int:
    from tracker.status import collect_status, render_status

    data = collect_status(_state_dir(args, reading=True), _config_path(args))
    print(json.dumps(data, ensure_ascii=False) if args.json else render_status(data))
    # Monitoring reads the exit status: 1 (never 2, which means bad usage) needs a person.
    return Exit.OK if data["health"]["ok"] else Exit.FAILURE


def cmd_test_alert(args: argparse.Namespace) -> int:
    from tracker import clients
    from tracker.notify.testalert import sample_alert

    config = _load(args)
    channel = args.channel or config.slack.default_channel
    sink = clients.sink(config)
    _check_slack(sink)
    ts = sink.post(sample_alert(channel))
    where = f"{channel} via {sink.name}" + (f" (ts {ts})" if ts else "")
    print(f"test alert sent to {where}", file=sys.stderr)
    return Exit.OK


def cmd_tickers(args: argparse.Namespace) -> int:
    from tracker.clients import keep_cooldown
    from tracker.edgar.client import EdgarClient
    from tracker.state import State, atomic_write
    from tracker.tickers import SNAPSHOT_NAME, validate_snapshot

    if args.tickers_command != "refresh":
        raise UsageError("tickers needs an action: refresh")
    config = _load(args)
    client = EdgarClient(
        config.edgar.base_url,
        config.edgar.user_agent,
        max_rps=config.edgar.max_requests_per_second,
        allowed=("/files/company_tickers.json",),
    )
    state = State(_state_dir(args, reading=True))
    keep_cooldown(client, state)
    resp = client.get("/files/company_tickers.json")
    try:
        rows = validate_snapshot(resp.content)
    except (ValueError, TypeError, AttributeError) as exc:
        raise TrackerError(
            f"EDGAR's company_tickers.json was not usable ({exc}); the ticker "
            "list in use is unchanged"
        ) from None
    target = state.dir / SNAPSHOT_NAME
    atomic_write(target, resp.content)
    print(f"{rows} tickers saved to {target}")
    return Exit.OK


COMMANDS = {
    "demo": cmd_demo,
    "poll": cmd_poll,
    "run": cmd_run,
    "classify": cmd_classify,
    "watch": cmd_watch,
    "timeline": cmd_timeline,
    "upcoming": cmd_upcoming,
    "digest": cmd_digest,
    "status": cmd_status,
    "check-config": cmd_check_config,
    "test-alert": cmd_test_alert,
    "tickers": cmd_tickers,
}
