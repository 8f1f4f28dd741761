"""`declaratiebot serve --http` as its own process, for tests that need the real thing:
its log lines as they come, its address, signed events sent to it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.slack import payloads
from tests.slack.conftest import sign
from tests.slack.fake_slack import TOKEN, FakeSlack

SECRET = "process-signing-secret-0123"


class Running:
    def __init__(self, proc: subprocess.Popen[str]):
        self.proc = proc
        self.lines: list[str] = []
        self.url = ""
        self._new_line = threading.Condition()
        self.done = threading.Event()  # set when the process closed its stderr
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        try:
            for line in self.proc.stderr:
                with self._new_line:
                    self.lines.append(line)
                    found = re.search(r"POST (http://127\.0\.0\.1:\d+)/slack/events", line)
                    if found and not self.url:
                        self.url = found.group(1)
                    self._new_line.notify_all()
        finally:
            self.done.set()

    def wait_log(self, pattern: str, after: int = 0, timeout: float = 30) -> str:
        """The first log line from index `after` on that matches `pattern`."""

        def found() -> str | None:
            return next((ln for ln in self.lines[after:] if re.search(pattern, ln)), None)

        with self._new_line:
            assert self._new_line.wait_for(lambda: found() is not None, timeout), (
                pattern,
                self.lines[after:],
            )
            line = found()
            assert line is not None
            return line

    def send(self, envelope: dict[str, Any], headers: dict[str, str] | None = None) -> int:
        """POST a correctly signed event; the HTTP status."""
        body = json.dumps(envelope)
        ts = str(int(time.time()))
        all_headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(SECRET, ts, body),
            **(headers or {}),
        }
        request = urllib.request.Request(self.url + "/slack/events", body.encode(), all_headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return int(r.status)
        except urllib.error.HTTPError as e:
            return int(e.code)

    def ask(self, fake: FakeSlack, question: str) -> str:
        """Mention the bot with `question`; the text of its reply."""
        before = len(fake.posts())
        body = json.dumps(payloads.envelope(payloads.mention(f"<@UBOT> {question}")))
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(SECRET, ts, body),
        }
        request = urllib.request.Request(self.url + "/slack/events", body.encode(), headers)
        with urllib.request.urlopen(request, timeout=30) as r:
            assert r.status == 200
        posts = fake.wait_for("chat.postMessage", before + 1)
        return json.dumps([posts[-1].params["text"], posts[-1].params["blocks"]], ensure_ascii=False)


@contextmanager
def serve(fake: FakeSlack, **env: str) -> Iterator[Running]:
    """Run `declaratiebot serve --http` on a free port against `fake` until the block ends."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    clean |= {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "HOST": "127.0.0.1",
        **env,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--http", "--port", "0"],
        env=clean,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    bot = Running(proc)
    try:
        bot.wait_log(r"POST http://127\.0\.0\.1:\d+/slack/events", timeout=60)
        yield bot
    finally:
        proc.terminate()
        proc.wait(timeout=30)
