"""The app in HTTP mode on a free loopback port, talking to a fake Slack Web API.

`Bot.event(...)`, `.command(...)`, `.action(...)` send correctly signed requests over real
HTTP; `.settle()` waits until every listener the app started in the background has
finished, so what reached the fake Web API can be asserted exactly (no sleeping).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from bot.config import Settings
from bot.engine.answer import Engine
from bot.slack.app import build_app
from bot.slack.http import make_server
from bot.store.events import Store
from tests.slack import payloads
from tests.slack.fake_slack import TOKEN, FakeSlack, manifest_scopes
from tests.store.conftest import fresh_schema, postgres_or_skip

SECRET = "test-signing-secret-0123456789ab"
ACK_SECONDS = 3  # Slack gives up on a request not acknowledged within 3 seconds, and retries it
SUPPORT = "C0SUPPORT"


def sign(secret: str, timestamp: str, body: str) -> str:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


class TrackingExecutor(ThreadPoolExecutor):
    """The app's listener executor, counting the work in flight so tests can wait for it."""

    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self._pending = 0
        self._cond = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._cond:
            self._pending += 1

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                with self._cond:
                    self._pending -= 1
                    self._cond.notify_all()

        return super().submit(run)

    def wait_idle(self, timeout: float = 60) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self._pending == 0, timeout), "listeners did not finish"


@dataclass
class Response:
    status: int
    body: str


@dataclass
class Bot:
    url: str
    fake: FakeSlack
    executor: TrackingExecutor
    engine: Engine

    def post(
        self,
        body: str,
        content_type: str,
        *,
        secret: str = SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
        path: str = "/slack/events",
        timeout: float = 30,
    ) -> Response:
        """POST `body` signed; `timeout`: how long to wait for the answer (Slack: ACK_SECONDS)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        request = urllib.request.Request(
            self.url + path,
            data=body.encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": sign(secret, ts, body),
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as r:
                return Response(r.status, r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            return Response(e.code, e.read().decode("utf-8"))

    def get(self, path: str) -> Response:
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as r:
                return Response(r.status, r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            return Response(e.code, e.read().decode("utf-8"))

    def event(self, event: dict[str, Any], *, eid: str | None = None, **kwargs: Any) -> Response:
        response = self.post(json.dumps(payloads.envelope(event, eid)), "application/json", **kwargs)
        self.settle()
        return response

    def command(self, text: str, **kwargs: Any) -> Response:
        body = payloads.command(text, self.fake.response_url("command"), **kwargs)
        response = self.post(body, "application/x-www-form-urlencoded")
        self.settle()
        return response

    def action(self, button: dict[str, Any], **kwargs: Any) -> Response:
        body = payloads.block_actions(button, self.fake.response_url("action"), **kwargs)
        response = self.post(body, "application/x-www-form-urlencoded")
        self.settle()
        return response

    def settle(self) -> None:
        self.executor.wait_idle()


# the soak test's measurements, shown at the end of the run (not in a captured print)
SOAK_REPORTS = pytest.StashKey[list[dict[str, Any]]]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for report in config.stash.get(SOAK_REPORTS, []):
        terminalreporter.section("soak")
        terminalreporter.write_line(
            "{events} events ({deliveries} deliveries) in {seconds} s: ack median {ack_median_ms} ms, "
            "p99 {ack_p99_ms} ms; RSS {rss_baseline_mb} MB after warm-up, peak {rss_peak_mb} MB "
            "(+{rss_growth_mb} MB)".format(**report)
        )


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty schema on the real PostgreSQL, as a URL: skipped with the reason where none
    is reachable, failed instead with REQUIRE_POSTGRES=1 (see tests/store/conftest.py)."""
    with fresh_schema(postgres_or_skip()) as url:
        yield url


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """Slack's Web API, granting the app exactly the bot scopes of app.yaml."""
    server = FakeSlack(scopes=manifest_scopes()).start()
    yield server
    server.stop()


def settings_for(fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "mode": "http",
        "slack_bot_token": TOKEN,
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.api_url,
        "support_channel_id": SUPPORT,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def start_bot(
    fake: FakeSlack, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Bot]]:
    """start_bot(store=None, clock=None, **settings overrides) -> a running Bot (stopped after
    the test); `clock` fixes the time the helpdesk's open/closed state is told at."""
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)  # Bolt reads these itself
    running: list[tuple[Any, TrackingExecutor]] = []

    def start(
        store: Store | None = None, clock: Callable[[], datetime] | None = None, **overrides: Any
    ) -> Bot:
        executor = TrackingExecutor()
        app = build_app(settings_for(fake, **overrides), engine, executor=executor, store=store, clock=clock)
        server = make_server(app, "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.append((server, executor))
        host, port = server.server_address[:2]
        return Bot(f"http://{host!s}:{port}", fake, executor, engine)

    yield start
    for server, executor in running:
        server.shutdown()
        server.server_close()
        executor.shutdown(wait=True)


@pytest.fixture
def bot(start_bot: Callable[..., Bot]) -> Bot:
    return start_bot()
