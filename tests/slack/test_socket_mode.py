"""Socket Mode, end to end: the app connects out (apps.connections.open, then a WebSocket),
acknowledges each envelope, and answers through the Web API like in HTTP mode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest

from bot.engine.answer import Engine
from bot.slack.app import build_app, first_connection, socket_mode
from tests.slack import payloads
from tests.slack.conftest import ACK_SECONDS, TrackingExecutor, settings_for
from tests.slack.fake_slack import APP_TOKEN, FakeSlack
from tests.slack.fake_socket import FakeSocketMode


@pytest.fixture
def connected(fake: FakeSlack, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    ws = FakeSocketMode()
    fake.socket_url = ws.url
    settings = settings_for(fake, mode="socket", slack_app_token=APP_TOKEN, slack_signing_secret="")
    executor = TrackingExecutor()
    handler = socket_mode(build_app(settings, engine, executor=executor), settings)
    first_connection(handler, settings)  # as `serve` does: the app token checked, the URL issued
    handler.connect()
    ws.wait_connected()
    yield ws, executor
    handler.close()
    ws.close()
    executor.shutdown(wait=True)


def envelope(kind: str, payload: dict[str, Any], eid: str, retry: int = 0) -> dict[str, Any]:
    return {
        "envelope_id": eid,
        "type": kind,
        "payload": payload,
        "accepts_response_payload": kind != "events_api",
        "retry_attempt": retry,
        "retry_reason": "timeout" if retry else "",
    }


def test_connects_with_the_app_token(fake: FakeSlack, connected: Any) -> None:
    [call] = fake.to("apps.connections.open")
    assert call.authorization == f"Bearer {APP_TOKEN}"


def test_a_mention_over_socket_mode_is_acked_and_answered_once(fake: FakeSlack, connected: Any) -> None:
    ws, executor = connected
    event = payloads.envelope(payloads.mention("<@UBOT> wat is 8290"), "Ev0SOCKET01")
    ws.send(envelope("events_api", event, "env-1"))
    ws.send(envelope("events_api", event, "env-2", retry=1))  # Slack redelivers the same event

    assert sorted(ws.wait_acks(2)) == ["env-1", "env-2"]
    executor.wait_idle()
    [post] = fake.posts()
    assert post.params["channel"] == payloads.CHANNEL
    assert post.params["thread_ts"] == "1700000000.000100"
    assert "8290" in post.params["text"]


def test_the_slash_command_over_socket_mode(fake: FakeSlack, connected: Any) -> None:
    ws, executor = connected
    command = dict(parse_qsl(payloads.command("wat is 8290", fake.response_url("socket"))))
    ws.send(envelope("slash_commands", command, "env-3"))

    ws.wait_acks(1)
    executor.wait_idle()
    [reply] = fake.to("response_url")
    assert reply.params["response_type"] == "ephemeral" and "8290" in reply.params["text"]


def test_after_a_dropped_connection_the_bot_reconnects_and_answers(fake: FakeSlack, connected: Any) -> None:
    ws, executor = connected
    ws.drop()
    ws.wait_connected(count=2, timeout=60)
    assert len(fake.to("apps.connections.open")) >= 2  # a fresh URL for the new connection
    event = payloads.envelope(payloads.mention("<@UBOT> wat is 8290"), "Ev0SOCKET02")
    ws.send(envelope("events_api", event, "env-4"))
    ws.send(envelope("events_api", event, "env-5", retry=1))  # redelivered after the reconnect
    assert sorted(ws.wait_acks(2)) == ["env-4", "env-5"]
    executor.wait_idle()
    [post] = fake.posts()
    assert "8290" in post.params["text"]


def test_over_socket_mode_a_command_is_acknowledged_while_every_worker_waits_on_slack(
    fake: FakeSlack, connected: Any
) -> None:
    """As in HTTP mode (tests/slack/test_prompt_ack.py): the listener pool is full of replies
    waiting on a slow Web API, and the slash command is still acknowledged in time."""
    ws, executor = connected
    workers = executor._max_workers
    try:
        fake.hold("chat.postMessage", "response_url")
        for i in range(workers + 1):
            event = payloads.mention("<@UBOT> wat is 8290", ts=f"1700000000.{i + 1:06d}")
            ws.send(envelope("events_api", payloads.envelope(event, f"EvSocketBusy{i}"), f"env-busy-{i}"))
        fake.wait_waiting(workers)
        ws.wait_acks(workers + 1)  # the events' acknowledgements
        command = dict(parse_qsl(payloads.command("wat is 8290", fake.response_url("socket"))))
        ws.send(envelope("slash_commands", command, "env-command"))
        assert ws.wait_acks(workers + 2, timeout=ACK_SECONDS)[-1] == "env-command"
    finally:
        fake.release()
    executor.wait_idle()
    assert len(fake.posts()) == workers + 1
    [reply] = fake.to("response_url")
    assert "8290" in reply.params["text"]
