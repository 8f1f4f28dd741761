"""Tokens and the signing secret never reach a log line, an error message or the report."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.engine.answer import Engine
from bot.logs import configure_logging
from bot.slack.app import log_secrets, start
from bot.store.db import loggable_url, url_secrets
from tests.slack import payloads
from tests.slack.conftest import SECRET as TEST_SECRET
from tests.slack.conftest import Bot, Response, settings_for
from tests.slack.fake_slack import TOKEN, FakeSlack
from tests.slack.process import SECRET, serve

APP_TOKEN = "xapp-1-A0DECLARATIE-1-0123456789abcdef"
WRONG_TOKEN = "xoxb-0000-1111-notaccepted0123"  # well formed, refused by auth.test


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


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://bot:hunter2-secret@127.0.0.1:1/nodb",  # nothing listens on port 1
        "postgresql+psycopg://bot:hunter2-secret@127.0.0.1:notaport/nodb",
        "postgresql+psycopg://bot:hunter2-secret@127.0.0.1:1/nodb?bogus=1",
        "sqlite://bot:hunter2-secret@/x.db",
        "postgresql+psycopg://bot@127.0.0.1:1/nodb?password=hunter2-secret",
        "postgresql+psycopg://bot@127.0.0.1:1/nodb?sslmode=disable&password=hunter2-secret&bogus=1",
    ],
)
def test_the_report_never_shows_the_database_password(tmp_path: Path, url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env["DATABASE_URL"] = url
    out = subprocess.run(
        [sys.executable, "-m", "bot", "report"], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode != 0
    assert "hunter2-secret" not in out.stdout + out.stderr
    assert "DATABASE_URL" in out.stderr  # and it says which setting is wrong


def test_a_database_password_in_the_query_string_is_never_logged_by_serve_or_report(
    fake: FakeSlack, pg_url: str
) -> None:
    """libpq takes `?password=` as well as `user:password@`; trust auth ignores it here."""
    url = f"{pg_url}&password=hunter2-secret"
    with serve(fake, DATABASE_URL=url, LOG_LEVEL="DEBUG") as bot:
        assert "8290" in bot.ask(fake, "wat is 8290")
        log = "".join(bot.lines)
    assert "store: postgresql+psycopg://root@127.0.0.1:5432/test?options=***&password=***" in log or (
        "store: postgresql+psycopg://postgres@127.0.0.1:5432/test?options=***&password=***" in log
    ), log
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--format", "json"],
        env={**env, "DATABASE_URL": url, "LOG_LEVEL": "DEBUG"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "questions" in json.loads(out.stdout)["summary"]
    for text in (log, out.stdout, out.stderr):
        assert "hunter2-secret" not in text


def test_the_database_password_from_any_part_of_the_url_is_redacted_and_hidden() -> None:
    url = "postgresql+psycopg://bot:p%40ss-word1@db:5432/x?sslpassword=key-secret9&options=-cfoo%3Dbar"
    assert url_secrets(url) == ("p%40ss-word1", "key-secret9", "p@ss-word1")
    assert url_secrets("postgresql://bot@db/x?PASSWORD=abc%2Bdef+1") == (
        "abc%2Bdef+1",
        "abc+def+1",
        "abc+def 1",
    )
    assert url_secrets(None) == () and url_secrets("sqlite:////tmp/x.db") == ()
    assert loggable_url(url) == "postgresql+psycopg://bot:***@db:5432/x?sslpassword=***&options=***"
    assert loggable_url("sqlite:////var/lib/bot.db") == "sqlite:////var/lib/bot.db"
    assert loggable_url("sqlite:///bot.db") == "sqlite:///bot.db"
    settings = Settings(slack_bot_token=TOKEN, slack_signing_secret=TEST_SECRET, database_url=url)
    assert {TOKEN, TEST_SECRET, "p@ss-word1", "key-secret9"} <= set(log_secrets(settings))


def test_nothing_logged_answered_or_raised_holds_a_secret_at_debug(
    start_bot: Callable[..., Bot],
    engine: Engine,
    fake: FakeSlack,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Logging set up as `serve` does it (JSON lines, redaction, the SDKs at INFO at most),
    at DEBUG; then a bad day, start-up failures included. Searched: every record as the code
    made it (before redaction), every line written, every HTTP answer, every message posted
    and every configuration error."""
    root = logging.getLogger()
    before = (list(root.handlers), root.level, {n: logging.getLogger(n).level for n in SDKS})
    configure_logging("DEBUG", "json", secrets=(TOKEN, TEST_SECRET, APP_TOKEN))
    made = Keep()
    root.handlers.insert(0, made)  # first: it sees each record before the redaction does
    texts: list[str] = []
    try:
        bot = start_bot(slack_app_token=APP_TOKEN)
        responses: list[Response] = []

        def send(envelope: dict[str, object]) -> None:
            responses.append(bot.post(json.dumps(envelope), "application/json"))
            bot.settle()

        scenarios(send, fake)
        mention = json.dumps(payloads.envelope(payloads.mention("<@UBOT> wat is 8290")))
        responses.append(bot.post(mention, "application/json", secret="not-the-secret"))
        responses.append(bot.post(mention, "application/json", timestamp=int(time.time()) - 3600))
        responses.append(bot.command("wat is 8290"))
        for problem in start_failures(engine, fake):
            texts.append(problem)
            logging.getLogger("declaratiebot").error("declaratiebot serve: %s", problem)
    finally:
        root.handlers[:] = before[0]
        root.setLevel(before[1])
        for name, level in before[2].items():
            logging.getLogger(name).setLevel(level)

    assert [r.status for r in responses[-3:-1]] == [401, 401]  # the bad day happened
    assert any("Slack Web API call failed" in t for t in made.texts)
    texts += made.texts
    texts += [r.body for r in responses] + [c.texts() for c in fake.calls]
    lines = capsys.readouterr().err.splitlines()
    written = [json.loads(line) for line in lines if line.startswith("{")]
    assert written and all({"time", "level", "logger", "message"} <= set(w) for w in written)
    texts += lines
    assert not [line for line in lines if "appeltaart" in line]  # nor what people asked (SECURITY.md)
    for secret in (TOKEN, TEST_SECRET, APP_TOKEN, WRONG_TOKEN):
        assert not [t for t in texts if secret in t], secret


SDKS = ("slack_bolt", "slack_sdk")


class Keep(logging.Handler):
    """Every record's message and traceback as the code made them (before redaction)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(logging.Formatter("%(name)s %(message)s").format(record))


def start_failures(engine: Engine, fake: FakeSlack) -> list[str]:
    """The configuration errors a start with bad secrets gives (what `serve` prints)."""
    problems = []
    try:
        start(settings_for(fake, slack_bot_token=WRONG_TOKEN), engine)
    except ConfigError as exc:
        problems.append(str(exc))
    env = {
        "SLACK_BOT_TOKEN": f"Bearer {TOKEN}",  # pasted with its header: malformed
        "SLACK_APP_TOKEN": f" {APP_TOKEN} x",
        "SLACK_SIGNING_SECRET": f"{TEST_SECRET} {TEST_SECRET}",
    }
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env, mode="socket")
    problems.append(str(raised.value))
    assert len(problems) == 2 and "SLACK_BOT_TOKEN" in problems[0]
    assert all(f"{name} is malformed" in problems[1] for name in env)
    return problems


@pytest.mark.parametrize(
    ("token", "says"),
    [
        (f"Bearer {WRONG_TOKEN}", "SLACK_BOT_TOKEN is malformed"),
        (WRONG_TOKEN, "SLACK_BOT_TOKEN was not accepted"),
    ],
)
def test_a_start_with_a_bad_token_names_the_variable_not_the_value(
    fake: FakeSlack, tmp_path: Path, token: str, says: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "LOG_"))}
    env |= {
        "SLACK_BOT_TOKEN": token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "DEBUG",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
    }
    out = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--http", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert says in out.stderr
    for secret in (WRONG_TOKEN, SECRET):
        assert secret not in out.stdout + out.stderr
