"""A running bot (`declaratiebot serve --http`, its own process) takes knowledge edits
without a restart: a broken edit is refused and logged as file:line: field: message while
the last good knowledge keeps answering; the next good edit is answered from, and
`kill -HUP` reloads at once."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine.knowledge import default_dir
from tests.slack import payloads
from tests.slack.conftest import sign
from tests.slack.fake_slack import TOKEN, FakeSlack

SECRET = "live-reload-secret"
FILE = "wlz-retourcodes.yaml"
LABEL = "Er is geen (correcte) melding aanvang zorg (MAZ) aanwezig"


class Running:
    def __init__(self, proc: subprocess.Popen[str]):
        self.proc = proc
        self.lines: list[str] = []
        self.url = ""
        self._new_line = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._new_line:
                self.lines.append(line)
                found = re.search(r"POST (http://127\.0\.0\.1:\d+)/slack/events", line)
                if found and not self.url:
                    self.url = found.group(1)
                self._new_line.notify_all()

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


@pytest.fixture
def kbdir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(default_dir(), target)
    return target


@pytest.fixture
def running(fake: FakeSlack, kbdir: Path, tmp_path: Path) -> Iterator[Running]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env |= {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "HOST": "127.0.0.1",
        "KNOWLEDGE_DIR": str(kbdir),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "DECLARATIEBOT_CACHE": "off",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--http", "--port", "0"],
        env=env,
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


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_broken_edit_keeps_answering_and_a_good_edit_is_picked_up(
    running: Running, fake: FakeSlack, kbdir: Path
) -> None:
    assert LABEL in running.ask(fake, "wat is 8290")

    mark = len(running.lines)
    edit(kbdir / FILE, 'codes: ["8290"]', 'codes: "8290"\n    colour: blue')  # two mistakes
    line = (kbdir / FILE).read_text(encoding="utf-8").splitlines().index('    codes: "8290"') + 1
    problem = running.wait_log(rf"reload refused: .*{FILE}:{line}: ", after=mark)
    assert "(wlz-retourcode-8290).codes: Input should be a valid list" in problem
    running.wait_log(r"still answering with the last good knowledge base", after=mark)
    assert LABEL in running.ask(fake, "wat is 8290"), "the last good knowledge answers"

    mark = len(running.lines)
    edit(kbdir / FILE, 'codes: "8290"\n    colour: blue', 'codes: ["8290"]')
    edit(kbdir / FILE, f'label: "{LABEL}"', 'label: "Geen melding aanvang zorg (MAZ) gevonden"')
    running.wait_log(r"knowledge reloaded: \d+ entries", after=mark)
    reply = running.ask(fake, "wat is 8290")
    assert "Geen melding aanvang zorg (MAZ) gevonden" in reply and LABEL not in reply


def test_sighup_reloads_at_once(running: Running, fake: FakeSlack, kbdir: Path) -> None:
    mark = len(running.lines)
    edit(kbdir / FILE, f'label: "{LABEL}"', 'label: "MAZ ontbreekt of klopt niet"')
    running.proc.send_signal(signal.SIGHUP)
    running.wait_log(r"knowledge reloaded: \d+ entries", after=mark, timeout=10)
    assert "MAZ ontbreekt of klopt niet" in running.ask(fake, "wat is 8290")
    assert running.proc.poll() is None, "the bot is still running"
