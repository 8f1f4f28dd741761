"""The HTTP endpoint: signatures, timestamps, sizes, malformed input, health."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest

from bot.slack.http import MAX_BODY
from tests.slack import payloads
from tests.slack.conftest import Bot, sign

MENTION = json.dumps(payloads.envelope(payloads.mention("<@UBOT> wat is 8290")))


def raw_request(
    bot: Bot, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> int:
    parts = urlsplit(bot.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.putrequest(method, path)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        if body:
            conn.send(body)
        return conn.getresponse().status
    finally:
        conn.close()


def test_a_correctly_signed_request_is_accepted(bot: Bot) -> None:
    assert bot.event(payloads.mention("<@UBOT> wat is 8290")).status == 200
    assert len(bot.fake.posts()) == 1


def test_a_bad_signature_is_rejected(bot: Bot) -> None:
    response = bot.post(MENTION, "application/json", secret="not-the-signing-secret")
    bot.settle()

    assert response.status == 401
    assert bot.fake.replies() == []


def test_a_stale_timestamp_is_rejected(bot: Bot) -> None:
    response = bot.post(MENTION, "application/json", timestamp=int(time.time()) - 600)
    bot.settle()

    assert response.status == 401
    assert bot.fake.replies() == []


def test_a_body_changed_after_signing_is_rejected(bot: Bot) -> None:
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign("test-signing-secret-0123456789ab", ts, MENTION),
    }
    body = MENTION.replace("8290", "8614").encode()
    assert (
        raw_request(bot, "POST", "/slack/events", body, {**headers, "Content-Length": str(len(body))}) == 401
    )


def test_a_body_above_the_limit_is_refused_before_reading(bot: Bot) -> None:
    headers = {"Content-Type": "application/json", "Content-Length": str(MAX_BODY + 1)}
    assert raw_request(bot, "POST", "/slack/events", b"", headers) == 413


def test_a_body_without_length_is_refused(bot: Bot) -> None:
    assert raw_request(bot, "POST", "/slack/events", b"", {"Content-Type": "application/json"}) == 411


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        ("", "application/json"),
        ('{"type": "event_callback", "event": "oops"}', "application/json"),
    ],
)
def test_signed_but_malformed_input_never_gives_a_500(bot: Bot, body: str, content_type: str) -> None:
    response = bot.post(body, content_type)
    bot.settle()

    assert response.status < 500
    assert bot.fake.replies() == []


def test_bytes_that_are_not_utf8_get_400(bot: Bot) -> None:
    body = b"\xff\xfe\xfd"
    headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    assert raw_request(bot, "POST", "/slack/events", body, headers) == 400


def test_slacks_url_verification_is_answered_with_the_challenge(bot: Bot) -> None:
    body = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    response = bot.post(body, "application/json")

    assert response.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.body


def test_healthz_and_unknown_paths(bot: Bot) -> None:
    health = bot.get("/healthz")
    assert (health.status, json.loads(health.body)) == (200, {"ok": True})
    assert bot.get("/nothing-here").status == 404
    assert bot.post(MENTION, "application/json", path="/elsewhere").status == 404
