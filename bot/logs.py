"""Logging for `declaratiebot serve`: text lines or JSON lines (LOG_FORMAT=json), with
secrets redacted on the way out.

Nothing in the bot logs a token on purpose; the redaction is the belt to those braces:
anything shaped like a Slack token (xoxb-, xoxp-, xapp-, xoxe-, ...) and the configured
secrets themselves are replaced by "[redacted]" in every record the handler writes,
message, arguments and traceback alike.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

FORMATS = ("text", "json")
TOKEN = re.compile(r"\bx(?:ox[abposer]|app)-[A-Za-z0-9-]+")
REDACTED = "[redacted]"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Redact(logging.Filter):
    """Replace Slack tokens and the given secrets in a record's message and traceback."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.clean(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


class JsonLines(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and exc."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            record.exc_text = record.exc_text or self.formatException(record.exc_info)
        if record.exc_text:
            out["exc"] = record.exc_text
        return json.dumps(out, ensure_ascii=False)


def handler(fmt: str = "text", secrets: Iterable[str] = (), stream: object = None) -> logging.Handler:
    """A stream handler (stderr by default) with the format and the redaction."""
    h = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    h.setFormatter(JsonLines() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    h.addFilter(Redact(secrets))
    return h


def configure_logging(level: str, fmt: str = "text", secrets: Iterable[str] = ()) -> None:
    """The root logger at `level`, writing through `handler(fmt, secrets)`."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(fmt, secrets))
    root.setLevel(level)
    # the SDKs log request payloads (questions, tokens in headers) at DEBUG: INFO at most
    for name in ("slack_bolt", "slack_sdk"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))
