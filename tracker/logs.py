"""Logging set-up: readable lines or JSON on stderr, with secrets scrubbed."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import ClassVar

SECRET_VARS = ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL")


class RedactSecrets(logging.Filter):
    """Replace any secret from the environment that slips into a log record."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets = [v for v in (os.environ.get(k, "") for k in SECRET_VARS) if len(v) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            clean = message
            for secret in self.secrets:
                clean = clean.replace(secret, "[redacted]")
            if clean != message:
                record.msg, record.args = clean, ()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data)


class JournalFormatter(logging.Formatter):
    """Under systemd: the sd-daemon level prefix ("<4>") and no timestamp (journald adds
    its own), so `journalctl -p warning` filters by level."""

    PRIORITY: ClassVar[dict[int, int]] = {
        logging.DEBUG: 7,
        logging.INFO: 6,
        logging.WARNING: 4,
        logging.ERROR: 3,
        logging.CRITICAL: 2,
    }

    def format(self, record: logging.LogRecord) -> str:
        return f"<{self.PRIORITY.get(record.levelno, 6)}>{super().format(record)}"


def setup_logging(level: int = logging.INFO, fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactSecrets())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    elif os.environ.get("JOURNAL_STREAM"):
        handler.setFormatter(JournalFormatter("%(message)s"))
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%d %H:%M:%S")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler", "urllib3", "slack_sdk"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
