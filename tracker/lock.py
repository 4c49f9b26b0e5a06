"""One tracker process per state directory.

TinyDB is single-process: two daemons on one state would overwrite each other's
writes. The OS releases the lock when the process dies, even on SIGKILL.
"""

from __future__ import annotations

import os
from pathlib import Path

from tracker.errors import LockedError


class StateLock:
    def __init__(self, state_dir: str | Path):
        from filelock import FileLock

        self.dir = Path(state_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.dir / "tracker.lock"))
        self._pid_file = self.dir / "tracker.pid"

    def acquire(self) -> StateLock:
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            holder = self._pid_file.read_text().strip() if self._pid_file.exists() else "?"
            raise LockedError(
                f"another tracker (pid {holder}) is already using the state in "
                f"{self.dir}; stop it first, or give this one its own --state"
            ) from None
        self._pid_file.write_text(f"{os.getpid()}\n")
        return self

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> StateLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
