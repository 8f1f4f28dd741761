"""Several instances on one PostgreSQL database, and PostgreSQL going away mid-run.

These run against the real PostgreSQL server on 127.0.0.1:5432 (database `test`) and skip
with the reason where it is not reachable; `.ci/run` starts it on this machine.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from sqlalchemy import distinct, func
from sqlalchemy import select as sql_select

from bot.store import open_store
from bot.store.schema import questions
from tests.slack import payloads
from tests.slack.conftest import ACK_SECONDS, SECRET, Bot, Response, sign
from tests.slack.fake_slack import TOKEN, FakeSlack
from tests.slack.process import Running


@dataclass
class Instance:
    """`declaratiebot serve --http` as its own process; its log read as it comes (so the
    pipe never fills up), its port the one it bound itself (port 0: no race for a port)."""

    running: Running

    @property
    def process(self) -> subprocess.Popen[str]:
        return self.running.proc

    @property
    def url(self) -> str:
        return self.running.url

    def post_event(self, envelope: dict[str, object], retry: int | None = None) -> Response:
        body = json.dumps(envelope)
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(SECRET, ts, body),
        }
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
        request = urllib.request.Request(f"{self.url}/slack/events", body.encode(), headers, method="POST")
        with urllib.request.urlopen(request, timeout=30) as r:
            return Response(r.status, r.read().decode())


@pytest.fixture
def instances(fake: FakeSlack, pg_url: str) -> Iterator[Callable[[int], list[Instance]]]:
    """start(n): n instances on one database. Afterwards: none of them logged an error or a
    traceback, from start to shutdown."""
    started: list[Instance] = []

    def start(n: int) -> list[Instance]:
        open_store(pg_url).close()  # migrate once up front, so the instances start alike
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": pg_url,
            "HOST": "127.0.0.1",
            "LOG_LEVEL": "INFO",  # the address it listens on is an INFO line
        }
        for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SUPPORT_CHANNEL_ID"):
            env.pop(name, None)
        new = []
        for _ in range(n):
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--http", "--port", "0"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            new.append(Instance(Running(process)))
            started.append(new[-1])
        for inst in new:
            inst.running.wait_log(r"POST http://127\.0\.0\.1:\d+/slack/events", timeout=60)
            assert inst.url, "".join(inst.running.lines)
        return new

    yield start
    for inst in started:
        inst.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            inst.process.wait(timeout=10)
        if inst.process.poll() is None:
            inst.process.kill()
    for inst in started:
        inst.running.done.wait(10)  # the whole log, to the end
        bad = [line for line in inst.running.lines if " ERROR " in line or "Traceback" in line]
        assert not bad, "".join(bad)


def recorded(pg_url: str) -> tuple[int, int]:
    """(questions recorded, distinct events they belong to)."""
    store = open_store(pg_url, upgrade=False)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(sql_select(func.count(), func.count(distinct(questions.c.ref)))).one()
            return int(rows[0]), int(rows[1])
    finally:
        store.close()


def settle(fake: FakeSlack, pg_url: str, expected: int, timeout: float = 120) -> None:
    """Wait until `expected` questions are recorded (each after its reply was posted), then
    a moment longer, so a second reply to any of them would have arrived too."""
    deadline = time.monotonic() + timeout
    while recorded(pg_url)[1] < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)


def test_a_retry_delivered_to_the_other_instance_gets_no_second_reply(
    instances: Callable[[int], list[Instance]], fake: FakeSlack, pg_url: str
) -> None:
    a, b = instances(2)
    envelope = payloads.envelope(payloads.mention("<@UBOT> wat is 8290"))
    assert a.post_event(envelope).status == 200
    assert b.post_event(envelope, retry=1).status == 200
    # and once more at the same moment on both: still nobody answers again
    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda inst: inst.post_event(envelope, retry=2).status, (a, b)))
    assert statuses == [200, 200]
    settle(fake, pg_url, 1)
    assert len(fake.posts()) == 1
    assert recorded(pg_url) == (1, 1)


def test_200_events_over_both_instances_at_once_are_each_answered_and_recorded_once(
    instances: Callable[[int], list[Instance]], fake: FakeSlack, pg_url: str
) -> None:
    a, b = instances(2)
    envelopes = [
        payloads.envelope(payloads.mention("<@UBOT> wat is 8290", ts=f"1700000000.{i:06d}"))
        for i in range(200)
    ]
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda i: (a, b)[i % 2].post_event(envelopes[i]).status, range(200)))
    assert statuses == [200] * 200
    settle(fake, pg_url, 200)
    threads = sorted(p.params["thread_ts"] for p in fake.posts())
    assert threads == sorted(e["event"]["ts"] for e in envelopes)  # each event answered, none twice
    assert recorded(pg_url) == (200, 200)  # 200 distinct events, each recorded once


# ---------------------------------------------------------------- PostgreSQL goes away


class Outage:
    """A TCP relay in front of PostgreSQL that can be cut and restored, as a network or a
    server outage looks to the bot: connections dropped, new ones refused. Or frozen: every
    connection stays open and nothing is forwarded either way, no reset (a partition, a
    proxy that hangs), until `thaw()`."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.up = threading.Event()
        self.up.set()
        self.flowing = threading.Event()
        self.flowing.set()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        self.up.clear()
        with self.lock:
            for pair in self.pairs:
                for s in pair:
                    with contextlib.suppress(OSError):
                        s.close()
            self.pairs.clear()

    def restore(self) -> None:
        self.up.set()

    def freeze(self) -> None:
        self.flowing.clear()

    def thaw(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self.cut()
        self.flowing.set()
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            server = socket.create_connection(self.target)
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                self.flowing.wait()
                ready, _, _ = select.select([a, b], [], [], 1.0)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    self.flowing.wait()  # frozen: held, not forwarded, not dropped
                    (b if s is a else a).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()


def test_answers_go_on_while_postgresql_is_unreachable_and_recording_resumes(
    start_bot: Callable[..., Bot], pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    relay = Outage(("127.0.0.1", 5432))
    store = open_store(pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{relay.port}"))
    try:
        bot = start_bot(store=store)
        bot.event(payloads.mention("<@UBOT> wat is 8290", ts="1700000000.000001"), eid="EvBefore")
        relay.cut()
        with caplog.at_level(logging.WARNING):
            bot.event(payloads.mention("<@UBOT> wat is 8290", ts="1700000000.000002"), eid="EvDuring")
            bot.event(payloads.home_opened())
        assert len(bot.fake.posts(channel=payloads.CHANNEL)) == 2, "answered while the database was down"
        assert "could not record question of EvDuring" in caplog.text
        assert bot.fake.to("views.publish"), "the Home tab opens without its figures"
        relay.restore()
        bot.event(payloads.mention("<@UBOT> wat is 8614", ts="1700000000.000003"), eid="EvAfter")
        assert len(bot.fake.posts(channel=payloads.CHANNEL)) == 3
        with store.engine.connect() as conn:
            refs = sorted(r for (r,) in conn.execute(sql_select(questions.c.ref)))
        assert refs == ["EvAfter", "EvBefore"]
    finally:
        store.close()
        relay.close()


def test_a_database_gone_silent_holds_up_neither_the_ack_nor_the_answer_and_recording_resumes(
    start_bot: Callable[..., Bot], pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The pooled connection stays open but nothing comes back: without a deadline of its
    own, dedupe (before the acknowledgement) would wait for it indefinitely."""
    relay = Outage(("127.0.0.1", 5432))
    store = open_store(pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{relay.port}"))
    try:
        bot = start_bot(store=store)
        bot.event(payloads.mention("<@UBOT> wat is 8290", ts="1700000000.000001"), eid="EvBefore")
        relay.freeze()
        with caplog.at_level(logging.WARNING):
            mention = payloads.mention("<@UBOT> wat is 8290", ts="1700000000.000002")
            response = bot.event(mention, eid="EvFrozen", timeout=ACK_SECONDS)
            assert response.status == 200, "acknowledged before Slack gives up"
            bot.event(payloads.home_opened(), timeout=ACK_SECONDS)
        assert len(bot.fake.posts(channel=payloads.CHANNEL)) == 2, "answered while the database was silent"
        assert bot.fake.to("views.publish"), "the Home tab opens without its figures"
        assert "dedupe of EvFrozen falls back to this process" in caplog.text
        # the deadline (StoreTimeout) or the driver's own 2 s connect timeout, whichever fires
        # first on a busy machine: either way the loss is logged with the event id
        lost = r"could not record question of EvFrozen: (StoreTimeout|OperationalError)"
        assert re.search(lost, caplog.text)
        relay.thaw()
        bot.event(payloads.mention("<@UBOT> wat is 8614", ts="1700000000.000003"), eid="EvAfter")
        assert len(bot.fake.posts(channel=payloads.CHANNEL)) == 3
        with store.engine.connect() as conn:
            refs = {r for (r,) in conn.execute(sql_select(questions.c.ref))}
        # EvFrozen's late write may land once the relay forwards again: late, not lost
        assert {"EvBefore", "EvAfter"} <= refs <= {"EvBefore", "EvFrozen", "EvAfter"}
    finally:
        relay.thaw()
        store.close()
        relay.close()


def test_with_many_workspaces_a_silent_database_does_not_hold_up_the_token_lookup(
    start_bot: Callable[..., Bot], pg_url: str
) -> None:
    """Bolt looks the workspace's token up in the database before the acknowledgement."""
    from tests.slack.test_oauth_install import OTHER_TEAM, from_team, install

    relay = Outage(("127.0.0.1", 5432))
    store = open_store(pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{relay.port}"))
    try:
        bot = start_bot(
            store=store, slack_bot_token="", slack_client_id="111.222", slack_client_secret="cs-1"
        )
        install(bot, OTHER_TEAM)
        relay.freeze()
        mention = from_team(payloads.mention("<@UBOT> wat is 8290", ts="1700000000.000002"), OTHER_TEAM)
        response = bot.post(mention, "application/json", timeout=ACK_SECONDS)
        bot.settle()
        # answered before Slack gives up, with an error status: Slack delivers the event again
        assert response.status == 400
        assert bot.fake.posts() == []  # no token, no answer
        relay.thaw()
        mention = from_team(payloads.mention("<@UBOT> wat is 8290", ts="1700000000.000003"), OTHER_TEAM)
        assert bot.post(mention, "application/json").status == 200
        bot.settle()
        [reply] = bot.fake.posts()
        assert reply.authorization == f"Bearer xoxb-installed-{OTHER_TEAM.lower()}"
    finally:
        relay.thaw()
        store.close()
        relay.close()
