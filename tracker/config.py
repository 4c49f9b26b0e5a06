"""Load and validate the watch config (TOML) into plain settings.

Every error names the file, the line where it can be found, the key and what is
wrong, because people edit this file by hand while the daemon runs.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.errors import ConfigError
from tracker.models import CATEGORIES, Company

log = logging.getLogger(__name__)

DEFAULT_CONFIG = "config/watch.toml"
EXAMPLE_NAME = "watch.example.toml"
DEFAULT_STATE = "state"
MODES = ("auto", "company", "latest")
# Above this many companies, one latest-filings feed is cheaper than one feed per company.
AUTO_LATEST_THRESHOLD = 20
CHANNEL_RE = re.compile(r"^(#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{6,})$")
_EDITOR_RE = re.compile(r"^[UWS][A-Z0-9]{2,20}$")
_MENTION_RE = re.compile(r"^(@here|@channel|@everyone|<@[UW][A-Z0-9]+>|<!subteam\^[A-Z0-9]+>)$")


@dataclass(frozen=True)
class EdgarSettings:
    user_agent: str
    base_url: str = "https://www.sec.gov"
    poll_interval_seconds: float = 60.0
    max_requests_per_second: float = 10.0
    timeout_seconds: float = 20.0
    cooldown_seconds: float = 600.0  # SEC asks automated tools to stay away 10 minutes
    mode: str = "auto"
    backfill: int = 0
    sweep_minutes: float = 30.0
    jitter_seconds: float | None = None  # None: a tenth of the interval, at most 5 s

    @property
    def jitter(self) -> float:
        """Random delay per interval, so trackers started together do not poll in step."""
        if self.jitter_seconds is not None:
            return self.jitter_seconds
        return min(5.0, self.poll_interval_seconds / 10)

    max_document_bytes: int = 20_000_000


@dataclass(frozen=True)
class SlackSettings:
    base_url: str = "https://slack.com/api/"
    default_channel: str = "#filings"
    category_channels: dict[str, str] = field(default_factory=dict)
    mentions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Slack user IDs (U.../W...) or user-group IDs (S...) who may change the watch list from
    # Slack. Empty: nobody may; reading commands stay open to everyone in the workspace.
    editors: tuple[str, ...] = ()


@dataclass(frozen=True)
class StateSettings:
    keep_seen_per_company: int = 2000
    keep_delivered_days: int = 90
    dir: str = ""  # resolved against the config file's folder; "" means the default


@dataclass(frozen=True)
class CalendarSettings:
    grace_days: int = 7  # days after a milestone's due date before it is called overdue


@dataclass(frozen=True)
class DigestSettings:
    """The weekly digest: off unless `schedule` ("mon 08:00") is set."""

    schedule: str = ""
    timezone: str = "UTC"

    @property
    def when(self) -> tuple[str, int, int] | None:
        """(day of week as APScheduler writes it, hour, minute), or None when off."""
        return parse_schedule(self.schedule) if self.schedule else None


@dataclass(frozen=True)
class MetricsSettings:
    listen: str = ""  # "host:port" of the Prometheus endpoint; "" means off


@dataclass(frozen=True)
class Config:
    edgar: EdgarSettings
    slack: SlackSettings
    state: StateSettings
    companies: tuple[Company, ...]
    path: str = DEFAULT_CONFIG
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)

    @property
    def mode(self) -> str:
        if self.edgar.mode != "auto":
            return self.edgar.mode
        return "latest" if len(self.companies) > AUTO_LATEST_THRESHOLD else "company"

    def company(self, cik: int) -> Company | None:
        return next((c for c in self.companies if c.cik == cik), None)

    @property
    def state_dir(self) -> str:
        """Where this config's state lives, whatever the current directory."""
        return resolve_state_dir(self.path, self.state.dir or None)


_EDGAR_KEYS: dict[str, type] = {
    "user_agent": str,
    "base_url": str,
    "poll_interval_seconds": float,
    "max_requests_per_second": float,
    "timeout_seconds": float,
    "cooldown_seconds": float,
    "mode": str,
    "backfill": int,
    "sweep_minutes": float,
    "jitter_seconds": float,
    "max_document_bytes": int,
}
_SLACK_KEYS: dict[str, type] = {
    "base_url": str,
    "default_channel": str,
    "category_channels": dict,
    "mentions": dict,
    "editors": list,
}
_STATE_KEYS: dict[str, type] = {
    "keep_seen_per_company": int,
    "keep_delivered_days": int,
    "dir": str,
}
# Sane ranges for the numbers (inclusive), with the reason a person reads. TOML accepts
# nan, inf and 1e300; any of them here used to pass check-config and crash `run`.
_LIMITS: dict[str, tuple[float, float, str]] = {
    "edgar.poll_interval_seconds": (1, 86_400, "seconds, at most a day"),
    "edgar.max_requests_per_second": (0.1, 10, "requests a second (SEC fair access: 10)"),
    "edgar.timeout_seconds": (0.1, 600, "seconds, at most 10 minutes"),
    "edgar.cooldown_seconds": (0, 86_400, "seconds, at most a day"),
    "edgar.backfill": (0, 1000, "filings"),
    "edgar.sweep_minutes": (0.1, 10_080, "minutes, at most a week"),
    "edgar.jitter_seconds": (0, 3600, "seconds, at most an hour"),
    "edgar.max_document_bytes": (10_000, 1_000_000_000, "bytes"),
    # Fewer than a feed page or two would forget filings the feeds still show every cycle;
    # the watermark keeps that safe, but it would be a pointless setting.
    "state.keep_seen_per_company": (100, 10_000_000, "filings"),
    "state.keep_delivered_days": (1, 36_500, "days"),
}
# Control characters (a CR or LF in the User-Agent would split the HTTP request's
# headers), and the invisible line separators, are refused in every string.
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_CALENDAR_KEYS: dict[str, type] = {"grace_days": int}
_DIGEST_KEYS: dict[str, type] = {"schedule": str, "timezone": str}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SCHEDULE_RE = re.compile(r"^\s*([A-Za-z]+)\s+(\d{1,2}):(\d{2})\s*$")


def parse_schedule(text: str) -> tuple[str, int, int]:
    """ "mon 08:00" -> ("mon", 8, 0); "daily 08:00" -> ("*", 8, 0). ValueError says why."""
    m = _SCHEDULE_RE.match(text)
    if not m:
        raise ValueError(f'{text!r} is not a schedule: write a day and a time, e.g. "mon 08:00"')
    word, hour, minute = m.group(1).lower(), int(m.group(2)), int(m.group(3))
    full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    if word == "daily":
        day = "*"
    elif word in _DAYS or word in full:
        day = word[:3]
    else:
        raise ValueError(f"{m.group(1)!r} is not a day (mon, tue, ... sun, or daily)")
    if hour > 23 or minute > 59:
        raise ValueError(f"{m.group(2)}:{m.group(3)} is not a time of day (00:00 to 23:59)")
    return day, hour, minute


_METRICS_KEYS: dict[str, type] = {"listen": str}
_COMPANY_KEYS: dict[str, type] = {
    "ticker": str,
    "cik": int,
    "name": str,
    "channel": str,
    "categories": list,
    "forms": list,
}


_TABLES = ("edgar", "slack", "state", "calendar", "digest", "metrics", "companies")


def parse_listen(value: str) -> tuple[str, int]:
    """ "host:port" or "[v6]:port" to (host, port); ValueError says what is wrong."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError('must be "host:port", e.g. "127.0.0.1:9464"')
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not host:
        raise ValueError('needs a host, e.g. "127.0.0.1:9464" (0.0.0.0 for every interface)')
    return host, int(port)


def config_path(cli_value: str | None) -> str:
    return cli_value or os.environ.get("TRACKER_CONFIG") or DEFAULT_CONFIG


def create_from_example(path: str) -> Path | None:
    """Create the user's config at `path` from the example beside it, if it is missing.

    config/watch.toml is the user's own file (git-ignored, so `git pull` never touches
    it); the repository ships config/watch.example.toml. Returns the example copied, or
    None when the config already exists or there is no example next to it (the caller
    then reports the missing file as usual). Exclusive create: two commands started at
    once cannot overwrite each other's copy or a file the user just wrote.
    """
    target = Path(path)
    example = target.with_name(EXAMPLE_NAME)
    if target.exists() or not example.is_file():
        return None
    try:
        with open(target, "x", encoding="utf-8") as out:
            out.write(example.read_text(encoding="utf-8"))
    except FileExistsError:
        return None
    return example


def resolve_state_dir(config_file: str, configured: str | None) -> str:
    """`[state] dir` relative to the config file's folder; by default the `state/` folder
    beside the config's folder (config/watch.toml -> state/, the repository layout), so the
    state follows the config wherever the command is run from."""
    base = Path(os.path.abspath(config_file)).parent
    if configured:
        return os.path.normpath(base / Path(configured).expanduser())
    return os.path.normpath(base.parent / DEFAULT_STATE)


_STATE_DIR_LINE = re.compile(r"""^\s*dir\s*=\s*(?:"([^"\\]*)"|'([^']*)')""")


def state_dir_for(config_file: str) -> str:
    """The state directory a config names, even when the config is invalid or unreadable:
    `tracker status` must find the running daemon's state during a rejected edit."""
    try:
        text = Path(config_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return resolve_state_dir(config_file, None)
    try:
        table = tomllib.loads(text).get("state")
        value = table.get("dir") if isinstance(table, dict) else None
        return resolve_state_dir(config_file, value if isinstance(value, str) else None)
    except tomllib.TOMLDecodeError:
        pass
    # Broken TOML elsewhere in the file: read the `dir` line of the [state] table.
    in_state = False
    for line in text.splitlines():
        header = re.match(r"^\s*\[\s*([A-Za-z_\"']+)\s*\]", line)
        if header:
            in_state = header.group(1).strip("\"'") == "state"
            continue
        m = _STATE_DIR_LINE.match(line) if in_state else None
        if m:
            return resolve_state_dir(config_file, m.group(1) or m.group(2))
    return resolve_state_dir(config_file, None)


def load_config(path: str, state_dir: str | None = None) -> Config:
    """Read and validate the config at `path`; raises ConfigError naming file, line, key.

    `state_dir` is where a refreshed ticker list may be (default: the config's own)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "file not found (create it, or pass --config PATH)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read: {exc}") from None
    return parse_config(text, path, state_dir)


def parse_config(text: str, path: str, state_dir: str | None = None) -> Config:
    """Validate TOML text as a watch config; `path` is only used in messages and to
    resolve `[state] dir`."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        raise ConfigError(
            path, f"invalid TOML: {exc}", line=int(m.group(1)) if m else None
        ) from None
    return _Validator(text, path, state_dir).config(raw)


class _Validator:
    """Turns the parsed TOML into settings, finding line numbers in the source text."""

    def __init__(self, text: str, path: str, state_dir: str | None = None):
        self.lines = text.splitlines()
        self.path = path
        self.state_dir = state_dir

    def fail(self, message: str, key: str, table: str = "", index: int = 0) -> ConfigError:
        return ConfigError(
            self.path,
            message,
            line=self.line_of(table, index, key),
            key=f"{table}.{key}" if table and not table.startswith("companies") else key,
        )

    def line_of(self, table: str, index: int, key: str) -> int | None:
        """Best-effort line of `key` inside `[table]` (the index-th `[[companies]]`)."""
        start = 0
        if table:
            name = table.split("[")[0]
            header = re.compile(rf"^\s*\[\[?\s*{re.escape(name)}\s*\]\]?")
            seen = -1
            for i, line in enumerate(self.lines):
                if header.match(line):
                    seen += 1
                    if seen == index:
                        start = i
                        break
            else:
                return None
        leaf = key.split(".")[-1].split("[")[0]
        pattern = re.compile(rf"^\s*{re.escape(leaf)}\s*=")
        for i in range(start, len(self.lines)):
            if i > start and table and re.match(r"^\s*\[", self.lines[i]):
                break
            if pattern.match(self.lines[i]):
                return i + 1
        return start + 1 if table else None

    def check_keys(
        self, data: dict[str, Any], allowed: dict[str, type], table: str, index: int = 0
    ) -> None:
        for key, value in data.items():
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(f"unknown key (known keys: {known})", key, table, index)
            want = allowed[key]
            ok = isinstance(value, want) and not (want is int and isinstance(value, bool))
            if want is float:
                ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok:
                raise self.fail(
                    f"must be {_type_word(want)}, got {_type_word(type(value))}", key, table, index
                )
            self.check_value(value, key, table, index)

    def check_value(self, value: Any, key: str, table: str, index: int = 0) -> None:
        """Numbers finite and in their range, strings without control characters."""
        if isinstance(value, str):
            bad = _CONTROL_CHARS_RE.search(value)
            if bad:
                raise self.fail(
                    f"must not contain control characters (found {bad.group()!r} at "
                    f"character {bad.start() + 1})",
                    key,
                    table,
                    index,
                )
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.check_value(item, f"{key}[{i}]", table, index)
        elif isinstance(value, dict):
            for name, item in value.items():
                self.check_value(name, f"{key}.{name}", table, index)
                self.check_value(item, f"{key}.{name}", table, index)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise self.fail(f"must be a finite number, not {value}", key, table, index)
            limits = _LIMITS.get(f"{table}.{key}")
            if limits is not None:
                low, high, unit = limits
                if not low <= value <= high:
                    bound = f"at least {low:g}" if value < low else f"at most {high:g}"
                    raise self.fail(
                        f"must be {bound} ({low:g} to {high:g} {unit}), not {value:g}",
                        key,
                        table,
                        index,
                    )

    def config(self, raw: dict[str, Any]) -> Config:
        for key in raw:
            if key not in _TABLES:
                raise self.fail(f"unknown table (known: {', '.join(_TABLES)})", key)
        for name in ("edgar", "slack", "state", "calendar", "digest", "metrics"):
            if name in raw and not isinstance(raw[name], dict):
                raise self.fail("must be a table", name)
        edgar = self.edgar(raw.get("edgar", {}))
        slack = self.slack(raw.get("slack", {}))
        state_raw = raw.get("state", {})
        self.check_keys(state_raw, _STATE_KEYS, "state")
        state = StateSettings(**state_raw)
        for key in ("keep_seen_per_company", "keep_delivered_days"):
            if getattr(state, key) < 1:
                raise self.fail("must be at least 1", key, "state")
        if "dir" in state_raw and not state.dir.strip():
            raise self.fail("must name a folder (or leave the key out)", "dir", "state")
        if self.state_dir is None:
            self.state_dir = resolve_state_dir(self.path, state.dir or None)
        companies_raw = raw.get("companies", [])
        if not isinstance(companies_raw, list):
            raise self.fail("must be an array of tables: [[companies]]", "companies")
        companies: list[Company] = []
        by_cik: dict[int, Company] = {}  # one look-up per company: 200,000 took minutes
        for i, item in enumerate(companies_raw):
            company = self.company(item, i)
            other = by_cik.get(company.cik)
            if other is not None:
                raise self.fail(
                    f"duplicate company: CIK {company.cik} is already watched ({other.label})",
                    "cik" if "cik" in item else "ticker",
                    "companies",
                    i,
                )
            by_cik[company.cik] = company
            companies.append(company)
        metrics_raw = raw.get("metrics", {})
        self.check_keys(metrics_raw, _METRICS_KEYS, "metrics")
        metrics = MetricsSettings(**metrics_raw)
        if metrics.listen:
            try:
                parse_listen(metrics.listen)
            except ValueError as exc:
                raise self.fail(str(exc), "listen", "metrics") from None
        return Config(
            edgar=edgar,
            slack=slack,
            state=state,
            companies=tuple(companies),
            path=self.path,
            calendar=self.calendar(raw.get("calendar", {})),
            digest=self.digest(raw.get("digest", {})),
            metrics=metrics,
        )

    def calendar(self, data: dict[str, Any]) -> CalendarSettings:
        self.check_keys(data, _CALENDAR_KEYS, "calendar")
        settings = CalendarSettings(**data)
        if not 0 <= settings.grace_days <= 3650:
            raise self.fail("must be between 0 and 3650 days", "grace_days", "calendar")
        return settings

    def digest(self, data: dict[str, Any]) -> DigestSettings:
        self.check_keys(data, _DIGEST_KEYS, "digest")
        settings = DigestSettings(**data)
        if settings.schedule.strip():
            try:
                parse_schedule(settings.schedule)
            except ValueError as exc:
                raise self.fail(str(exc), "schedule", "digest") from None
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(settings.timezone)
        except (ValueError, OSError, LookupError):
            raise self.fail(
                f"{settings.timezone!r} is not a time zone: use an IANA name such as "
                '"UTC", "America/New_York" or "Europe/Berlin"',
                "timezone",
                "digest",
            ) from None
        return settings

    def edgar(self, data: dict[str, Any]) -> EdgarSettings:
        self.check_keys(data, _EDGAR_KEYS, "edgar")
        ua = str(data.get("user_agent", "")).strip()
        if not ua:
            raise ConfigError(
                self.path,
                "missing: SEC fair-access rules require every request "
                'to declare who is asking, e.g. user_agent = "Example Research '
                'ops@example.com"',
                key="edgar.user_agent",
                line=self.line_of("edgar", 0, "user_agent"),
            )
        if "@" not in ua:
            # A warning, not an error: SEC asks for an address, but a declared name
            # is still a declared tool, and refusing would stop a working setup.
            log.warning(
                "%s:%s: edgar.user_agent has no contact e-mail address; SEC asks for one "
                '("Company Name admin@company.com") and may block tools without it',
                self.path,
                self.line_of("edgar", 0, "user_agent"),
            )
        values: dict[str, Any] = {
            k: (float(v) if _EDGAR_KEYS[k] is float else v) for k, v in data.items()
        }
        values["user_agent"] = ua
        settings = EdgarSettings(**values)
        if not re.match(r"^https?://[^/\s]+", settings.base_url):
            raise self.fail(
                "must be an http(s) URL such as https://www.sec.gov", "base_url", "edgar"
            )
        if settings.poll_interval_seconds < 1:
            raise self.fail("must be at least 1 second", "poll_interval_seconds", "edgar")
        if not 0 < settings.max_requests_per_second <= 10:
            raise self.fail(
                "must be above 0 and at most 10 (SEC fair-access limit)",
                "max_requests_per_second",
                "edgar",
            )
        if settings.timeout_seconds <= 0:
            raise self.fail("must be above 0", "timeout_seconds", "edgar")
        if settings.cooldown_seconds < 0:
            raise self.fail("must not be negative", "cooldown_seconds", "edgar")
        if settings.mode not in MODES:
            raise self.fail(f"must be one of {', '.join(MODES)}", "mode", "edgar")
        if settings.backfill < 0:
            raise self.fail("must not be negative", "backfill", "edgar")
        if settings.sweep_minutes <= 0:
            raise self.fail("must be above 0", "sweep_minutes", "edgar")
        if settings.jitter_seconds is not None and settings.jitter_seconds < 0:
            raise self.fail("must not be negative", "jitter_seconds", "edgar")
        if settings.max_document_bytes < 10_000:
            raise self.fail("must be at least 10000", "max_document_bytes", "edgar")
        return settings

    def slack(self, data: dict[str, Any]) -> SlackSettings:
        self.check_keys(data, _SLACK_KEYS, "slack")
        default = data.get("default_channel", "#filings")
        self.channel(default, "default_channel", "slack")
        base_url = data.get("base_url", "https://slack.com/api/")
        if not re.match(r"^https?://[^/\s]+", base_url):
            raise self.fail("must be an http(s) URL", "base_url", "slack")
        cat_channels: dict[str, str] = {}
        for cat, channel in data.get("category_channels", {}).items():
            self.category(cat, "category_channels", "slack")
            if not isinstance(channel, str):
                raise self.fail("must be a channel name", f"category_channels.{cat}", "slack")
            self.channel(channel, f"category_channels.{cat}", "slack")
            cat_channels[cat] = channel
        mentions: dict[str, tuple[str, ...]] = {}
        for cat, value in data.get("mentions", {}).items():
            self.category(cat, "mentions", "slack")
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise self.fail("must be a mention or a list of them", f"mentions.{cat}", "slack")
            for v in values:
                if not _MENTION_RE.match(v):
                    raise self.fail(
                        f'{v!r} is not a mention: use "@here", "@channel", '
                        '"<@U123ABC>" or "<!subteam^S123>"',
                        f"mentions.{cat}",
                        "slack",
                    )
            mentions[cat] = tuple(values)
        editors = data.get("editors", [])
        for editor in editors:
            if not isinstance(editor, str) or not _EDITOR_RE.match(editor):
                raise self.fail(
                    f"{editor!r} is not a Slack user ID (U0123ABCD, W0123ABCD) or user-group "
                    "ID (S0123ABCD); find it in the person's Slack profile, More, Copy member ID",
                    "editors",
                    "slack",
                )
        return SlackSettings(
            base_url=base_url,
            default_channel=default,
            category_channels=cat_channels,
            mentions=mentions,
            editors=tuple(editors),
        )

    def channel(self, value: Any, key: str, table: str, index: int = 0) -> None:
        if not isinstance(value, str) or not CHANNEL_RE.match(value):
            raise self.fail(
                f'{value!r} is not a channel: write "#name" (lower case) or a '
                "channel ID such as C0123ABCD",
                key,
                table,
                index,
            )

    def category(self, value: Any, key: str, table: str, index: int = 0) -> None:
        if value not in CATEGORIES:
            raise self.fail(
                f"unknown category {value!r} (known: {', '.join(CATEGORIES)})", key, table, index
            )

    def company(self, item: Any, i: int) -> Company:
        table = f"companies[{i}]"
        if not isinstance(item, dict):
            raise self.fail("must be a table", "companies")
        self.check_keys(item, _COMPANY_KEYS, table, i)
        ticker = item.get("ticker")
        cik = item.get("cik")
        if ticker is None and cik is None:
            raise ConfigError(
                self.path,
                "each [[companies]] needs a ticker or a cik",
                line=self.line_of(table, i, "ticker"),
                key=f"{table}",
            )
        if ticker is not None and not re.match(r"^[A-Za-z0-9.\-]{1,12}$", ticker):
            raise self.fail(f"{ticker!r} is not a ticker", "ticker", table, i)
        if cik is not None and not 0 < cik < 10**10:
            raise self.fail("must be a positive number of at most 10 digits", "cik", table, i)
        name = item.get("name")
        if cik is None:
            from tracker.tickers import TickerError, resolve_ticker

            try:
                cik, title = resolve_ticker(str(ticker), self.state_dir)
            except TickerError as exc:
                raise self.fail(str(exc), "ticker", table, i) from None
            name = name or title
        channel = item.get("channel")
        if channel is not None:
            self.channel(channel, "channel", table, i)
        categories = None
        if "categories" in item:
            for cat in item["categories"]:
                self.category(cat, "categories", table, i)
            categories = tuple(item["categories"])
        forms = None
        if "forms" in item:
            if not all(isinstance(f, str) and f.strip() for f in item["forms"]):
                raise self.fail('must be a list of form types such as "8-K"', "forms", table, i)
            forms = tuple(f.strip().upper() for f in item["forms"])
        return Company(
            cik=int(cik),
            ticker=ticker.upper() if ticker else None,
            name=name,
            channel=channel,
            categories=categories,
            forms=forms,
        )


def _type_word(t: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        dict: "a table",
        list: "a list",
        bool: "true or false",
    }.get(t, t.__name__)


def key_line(text: str, path: str, table: str, index: int, key: str) -> int | None:
    """The line of `key` in `[table]` (the index-th `[[companies]]`), for messages about a
    config that parsed: the same search the validator's errors use."""
    return _Validator(text, path).line_of(table, index, key)
