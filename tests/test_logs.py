"""Log output: JSON lines on request, and secrets redacted whatever a record holds."""

from __future__ import annotations

import io
import json
import logging

from bot.logs import REDACTED, Redact, handler

SECRET = "s1gning-secret-abcdef"
BOT = "xoxb-1111-2222-abcdefABCDEF"


def emit(fmt: str, *records: tuple[str, tuple[object, ...]], exc: BaseException | None = None) -> str:
    out = io.StringIO()
    log = logging.getLogger(f"test.logs.{fmt}")
    log.propagate = False
    log.handlers = [handler(fmt, secrets=[SECRET], stream=out)]
    log.setLevel(logging.DEBUG)
    for msg, args in records:
        log.info(msg, *args)
    if exc is not None:
        try:
            raise exc
        except Exception:
            log.exception("failed with %s", SECRET)
    return out.getvalue()


def test_tokens_and_secrets_are_redacted_in_messages_arguments_and_tracebacks() -> None:
    text = emit(
        "text",
        ("token %s in an argument", (BOT,)),
        (f"secret {SECRET} and app token xapp-1-A0-123-abc in the message", ()),
        exc=RuntimeError(f"boom with {BOT}"),
    )
    assert BOT not in text and SECRET not in text and "xapp-1-A0-123-abc" not in text
    assert text.count(REDACTED) == 5
    assert "RuntimeError: boom with [redacted]" in text  # the traceback is kept, cleaned


def test_json_lines_have_time_level_logger_message_and_exc() -> None:
    out = emit("json", ("answered %s", ("event Ev1",)), exc=ValueError("bad"))
    lines = [json.loads(line) for line in out.splitlines()]
    assert [ln["message"] for ln in lines] == ["answered event Ev1", "failed with [redacted]"]
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert lines[1]["level"] == "ERROR" and "ValueError: bad" in lines[1]["exc"]


def test_short_or_empty_secrets_are_not_used_as_patterns() -> None:
    f = Redact(["", "abc"])
    assert f.clean("abc abc") == "abc abc"  # an unset or tiny value would redact everything
