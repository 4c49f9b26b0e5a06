"""The date the tracker believes it is, from one place.

The system date by default; TRACKER_TODAY (YYYY-MM-DD) or the `--today` option fix it,
for replays, demos and tests. A clock is built once at the edge (the CLI, the demo)
and passed down; nothing deeper reads the environment or the system date itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from tracker.errors import ConfigError

ENV_TODAY = "TRACKER_TODAY"
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Clock:
    """`today()` is the only question the calendar asks of time.

    `source` says where the date comes from ("system", "TRACKER_TODAY", "--today"),
    so logs and `upcoming` can say it when the date is not the real one.
    """

    today: Callable[[], date]
    source: str = "system"

    @property
    def fixed(self) -> bool:
        return self.source != "system"


def system_clock() -> Clock:
    return Clock(date.today, "system")


def fixed_clock(day: date, source: str = "--today") -> Clock:
    return Clock(lambda: day, source)


def parse_day(value: str, key: str, where: str = "command line") -> date:
    """A YYYY-MM-DD date, or a ConfigError naming where, `key` and what is wrong."""
    text = value.strip()
    if not _DAY_RE.match(text):
        raise ConfigError(
            where, f"{value!r} is not a date: write YYYY-MM-DD, e.g. 2004-07-15", key=key
        )
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(where, f"{value!r} is not a real date ({exc})", key=key) from None


def clock_from(option: str | None, env: Mapping[str, str]) -> Clock:
    """The clock for a command: `--today` wins over TRACKER_TODAY, else the system date.

    An empty TRACKER_TODAY counts as unset (a shell's `TRACKER_TODAY= tracker ...`).
    """
    if option is not None:
        return fixed_clock(parse_day(option, "--today"), "--today")
    value = env.get(ENV_TODAY, "")
    if value.strip():
        return fixed_clock(parse_day(value, ENV_TODAY, "environment"), ENV_TODAY)
    return system_clock()
