"""The project's exceptions: each says what went wrong and whether retrying can help."""

from __future__ import annotations


class TrackerError(Exception):
    """Base of every error the CLI turns into a one-line message."""


class ConfigError(TrackerError):
    """The watch config is missing or invalid; the message names file, line and key."""

    def __init__(self, path: str, message: str, *, line: int | None = None, key: str | None = None):
        self.path = path
        self.line = line
        self.key = key
        self.reason = message
        where = path if line is None else f"{path}:{line}"
        what = f"{key}: {message}" if key else message
        super().__init__(f"{where}: {what}")


class FetchError(TrackerError):
    """An EDGAR request failed; `retryable` says whether the next cycle may succeed."""

    def __init__(
        self, message: str, *, url: str = "", status: int | None = None, retryable: bool = True
    ):
        self.url = url
        self.status = status
        self.retryable = retryable
        super().__init__(message)


class EdgarBlocked(FetchError):
    """SEC answered with a block page or 403; all EDGAR requests pause for a cool-down."""


class NotifyError(TrackerError):
    """Posting an alert failed; permanent errors need a person (token, channel, invite)."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        uncertain: bool = False,
    ):
        self.permanent = permanent
        self.retry_after = retry_after
        # No answer came back (timeout, dropped connection): the post may have landed.
        self.uncertain = uncertain
        super().__init__(message)


class StateError(TrackerError):
    """The state directory cannot be read or written; the last good state is untouched."""


class LockedError(TrackerError):
    """Another tracker process already holds this state directory."""


class CredentialError(TrackerError):
    """A credential from the environment was refused (the Slack token): like a bad config,
    only a person can fix it, so the CLI exits 2. The message never holds the secret."""
