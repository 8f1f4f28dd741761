"""`declaratiebot serve` as an admin runs it: a real process, failing fast on bad configuration."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.store import QuestionRecord, open_store
from bot.store.schema import questions
from tests.slack import payloads
from tests.slack.conftest import sign
from tests.slack.fake_slack import TOKEN, FakeSlack
from tests.slack.process import serve

CMD = [sys.executable, "-m", "bot"]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    return subprocess.run([*CMD, *args], env={**clean, **env}, capture_output=True, text=True, timeout=60)


def test_serve_without_tokens_names_the_missing_variables() -> None:
    out = run("serve", env={})
    assert out.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in out.stderr and "SLACK_APP_TOKEN is not set" in out.stderr


def test_serve_http_without_the_signing_secret_names_it() -> None:
    out = run("serve", "--http", env={"SLACK_BOT_TOKEN": "xoxb-1-2-3"})
    assert out.returncode == 2
    assert "SLACK_SIGNING_SECRET is not set" in out.stderr
    assert "SLACK_APP_TOKEN" not in out.stderr


def test_serve_with_a_token_slack_refuses_says_so_without_printing_it(fake: FakeSlack) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-wrong-SECRET", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.api_url}
    out = run("serve", "--http", "--port", "0", env=env)
    assert out.returncode == 2
    assert "SLACK_BOT_TOKEN" in out.stderr and "invalid_auth" in out.stderr
    assert "xoxb-wrong-SECRET" not in out.stderr + out.stdout


def test_serve_with_an_app_token_slack_refuses_says_so_in_one_line(fake: FakeSlack, tmp_path: Path) -> None:
    """Socket Mode: apps.connections.open refuses the app-level token. One line names
    SLACK_APP_TOKEN and what Slack said, exit 2 like any configuration problem, no
    traceback, and the token itself is not printed."""
    wrong = "xapp-1-A0WRONG-1-SECRET"
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_APP_TOKEN": wrong,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
    }
    out = run("serve", env=env)
    assert out.returncode == 2, out.stderr
    [line] = [ln for ln in out.stderr.splitlines() if "SLACK_APP_TOKEN" in ln]
    assert "was not accepted" in line and "apps.connections.open (invalid_auth)" in line
    assert "Traceback" not in out.stderr
    assert wrong not in out.stderr + out.stdout
    [asked] = fake.to("apps.connections.open", ok_only=False)
    assert asked.authorization == f"Bearer {wrong}"


def test_serve_with_an_unreachable_api_url_names_it() -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1-2-3",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
    }
    out = run("serve", "--http", "--port", "0", env=env)
    assert out.returncode == 2
    assert "SLACK_API_URL" in out.stderr


@pytest.mark.parametrize("port", ["-1", "70000", "abc"])
def test_a_bad_port_option_is_refused(port: str) -> None:
    out = run("serve", "--http", "--port", port, env={})
    assert out.returncode == 2 and "--port" in out.stderr


def test_ask_never_imports_slack() -> None:
    code = (
        "import sys\n"
        "from bot.cli import main\n"
        "main(['ask', 'wat is 8290'])\n"
        "slack = [m for m in sys.modules if m.startswith(('slack_bolt', 'slack_sdk', 'bot.slack'))]\n"
        "print('SLACK LOADED' if slack else 'no slack')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().endswith("no slack")


def test_serve_http_runs_the_app_end_to_end(fake: FakeSlack) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "real-process-secret",
        "SLACK_API_URL": fake.api_url,
        "HOST": "127.0.0.1",
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    proc = subprocess.Popen(
        [*CMD, "serve", "--http", "--port", "0"], env={**clean, **env}, stderr=subprocess.PIPE, text=True
    )
    address: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            found = re.search(r"POST (http://127\.0\.0\.1:\d+)/slack/events", line)
            if found and not ready.is_set():
                address.append(found.group(1))
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(60), "the server did not start"
        url = address[0]
        with urllib.request.urlopen(url + "/healthz", timeout=30) as r:
            assert r.status == 200
        body = json.dumps(payloads.envelope(payloads.mention("<@UBOT> wat is 8290")))
        ts = str(int(time.time()))
        request = urllib.request.Request(
            url + "/slack/events",
            data=body.encode(),
            headers={
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": sign("real-process-secret", ts, body),
            },
        )
        with urllib.request.urlopen(request, timeout=30) as r:
            assert r.status == 200
        [post] = fake.wait_for("chat.postMessage")
        assert post.params["thread_ts"] == "1700000000.000100" and "8290" in post.params["text"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_wires_store_questions_log_format_and_the_retention_purge(
    fake: FakeSlack, tmp_path: Path
) -> None:
    """What `serve` reads must reach what it starts: STORE_QUESTIONS=off keeps no question
    text, LOG_FORMAT=json writes JSON lines, and the purge runs by itself at start with
    RETENTION_DAYS."""
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    seeded = open_store(url)
    now = datetime.now(UTC)
    for days in (40, 20):  # older and younger than RETENTION_DAYS=30
        seeded.record_question(
            QuestionRecord("T1", "channel", True, "nl", 90, text="oud", at=now - timedelta(days=days))
        )
    seeded.close()
    env = {"DATABASE_URL": url, "STORE_QUESTIONS": "off", "LOG_FORMAT": "json", "RETENTION_DAYS": "30"}
    with serve(fake, **env) as bot:
        purged = bot.wait_log(r"retention: deleted 1 rows older than 30 days", timeout=60)
        assert "8290" in bot.ask(fake, "wat is 8290 voor BSN 111222333")
        store = open_store(url, upgrade=False)
        try:
            for _ in range(600):  # the question is recorded just after its reply
                with store.engine.connect() as conn:
                    texts = list(conn.execute(select(questions.c.text).order_by(questions.c.id)).scalars())
                if len(texts) == 2:
                    break
                time.sleep(0.1)
        finally:
            store.close()
        lines = list(bot.lines)
    assert texts == ["oud", None], "the 40-day-old row purged; the new question stored without its text"
    assert json.loads(purged)["logger"] == "declaratiebot.store"
    assert lines and all(json.loads(line)["message"] for line in lines), "every line is a JSON object"
