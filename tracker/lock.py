"""One tracker process per state directory.

TinyDB is single-process: two daemons on one state would overwrite each other's
writes. The OS releases the lock when the process dies, even on SIGKILL.
"""

from __future__ import annotations

import os
from pathlib import Path

from tracker.errors import LockedError, StateError


class StateLock:
    def __init__(self, state_dir: str | Path):
        from filelock import FileLock

        self.dir = Path(state_dir)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"cannot create state directory {self.dir}: {exc.strerror}") from None
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
        except OSError as exc:
            raise StateError(
                f"cannot use state directory {self.dir}: {exc.strerror or exc} "
                f"({exc.filename or self.dir})"
            ) from None
        try:
            self._pid_file.write_text(f"{os.getpid()}\n")
        except OSError as exc:
            self._lock.release()
            raise StateError(
                f"cannot use state directory {self.dir}: {exc.strerror} ({self._pid_file})"
            ) from None
        return self

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> StateLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
