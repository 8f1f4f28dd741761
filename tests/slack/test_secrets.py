"""Tokens and the signing secret never reach a log line, an error message or the report."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.slack import payloads
from tests.slack.conftest import SECRET as TEST_SECRET
from tests.slack.conftest import Bot
from tests.slack.fake_slack import TOKEN, FakeSlack
from tests.slack.process import SECRET, serve


def scenarios(send: Callable[[dict[str, object]], object], fake: FakeSlack) -> None:
    """What a bot meets on a bad day: answers, hand-offs, Web API errors. `send` returns
    when the event has been handled."""
    send(payloads.envelope(payloads.mention("<@UBOT> wat is 8290")))
    send(payloads.envelope(payloads.dm("recept voor appeltaart")))  # handed off
    fake.fail("chat.postMessage", status=200, error="invalid_auth")
    send(payloads.envelope(payloads.mention("<@UBOT> wat is 8614")))
    fake.fail("chat.postMessage", status=500, times=3)
    send(payloads.envelope(payloads.mention("<@UBOT> wat is 0551")))


def test_a_running_bot_at_debug_level_logs_no_secret(fake: FakeSlack, tmp_path: Path) -> None:
    env = {
        "LOG_LEVEL": "DEBUG",
        "SUPPORT_CHANNEL_ID": "C0SUPPORT",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
    }
    with serve(fake, **env) as bot:

        def send(envelope: dict[str, object]) -> None:
            assert bot.send(envelope) == 200
            bot.wait_log(rf"(answered|failed for) event {envelope['event_id']}", timeout=60)

        scenarios(send, fake)
        forged = payloads.envelope(payloads.mention("<@UBOT> wat is 8290"))
        assert bot.send(forged, headers={"X-Slack-Signature": "v0=" + "0" * 64}) == 401
        log = "".join(bot.lines)
    assert "error=invalid_auth" in log and "HTTP 500" in log and "handed off" in log  # the bad day happened
    for secret in (TOKEN, SECRET):
        assert secret not in log


def test_the_bots_own_loggers_never_write_a_secret(
    start_bot: Callable[..., Bot], caplog: pytest.LogCaptureFixture
) -> None:
    """No redaction here: what the code itself passes to the logger, at DEBUG."""
    bot = start_bot()
    with caplog.at_level(logging.DEBUG, logger="declaratiebot"):

        def send(envelope: dict[str, object]) -> None:
            import json

            bot.post(json.dumps(envelope), "application/json")
            bot.settle()

        scenarios(send, bot.fake)
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "Slack Web API call failed" in text
    for secret in (TOKEN, TEST_SECRET):
        assert secret not in text


def test_the_report_never_shows_the_database_password(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env["DATABASE_URL"] = "postgresql+psycopg://bot:hunter2-secret@127.0.0.1:1/nodb"
    out = subprocess.run(
        [sys.executable, "-m", "bot", "report"], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode != 0  # nothing listens on port 1
    assert "hunter2-secret" not in out.stdout + out.stderr
    assert "DATABASE_URL" in out.stderr  # and it says which setting is wrong
