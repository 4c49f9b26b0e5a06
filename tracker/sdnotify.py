"""systemd's notification protocol: one datagram to $NOTIFY_SOCKET per message.

The protocol is a few lines (an AF_UNIX datagram of "KEY=value" lines), so it is written
here rather than taken from a package: the one on PyPI for it (sdnotify) has not been
released since 2017 and is no shorter. Without NOTIFY_SOCKET (not under systemd, or not
Type=notify) every call does nothing, so the daemon runs the same anywhere.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)

# A datagram larger than this is refused by some kernels' default buffers; STATUS= is a
# one-line summary, so it is trimmed rather than sent in pieces.
MAX_STATUS = 1000


class Notifier:
    """Sends READY=1, WATCHDOG=1 and STATUS= to systemd when it asked for them."""

    def __init__(self, address: str | None = None):
        address = os.environ.get("NOTIFY_SOCKET", "") if address is None else address
        # "@name" is Linux's abstract namespace: the name starts with a NUL byte.
        self.address = "\0" + address[1:] if address.startswith("@") else address
        self._sock: socket.socket | None = None
        self._warned = False

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    @property
    def watchdog_seconds(self) -> float | None:
        """WatchdogSec as systemd passed it (WATCHDOG_USEC), if it is meant for us."""
        usec = os.environ.get("WATCHDOG_USEC", "")
        pid = os.environ.get("WATCHDOG_PID", "")
        if not usec.isdigit() or (pid and pid != str(os.getpid())):
            return None
        return int(usec) / 1_000_000

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")

    def status(self, text: str) -> None:
        self.send(f"STATUS={text}")

    def stopping(self) -> None:
        self.send("STOPPING=1")

    def send(self, *lines: str) -> None:
        """One datagram; a failure is logged once and never stops the daemon."""
        if not self.enabled:
            return
        payload = "\n".join(_one_line(line) for line in lines).encode("utf-8", "replace")
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(payload, self.address)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("cannot notify systemd at NOTIFY_SOCKET: %s", exc.strerror or exc)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _one_line(line: str) -> str:
    """A newline inside a value would start a new assignment: flatten it, and trim."""
    flat = " ".join(line.split("\n"))
    return flat[:MAX_STATUS]
