"""A captured, correctly signed request sent again: after 5 minutes it is refused, and
inside the window its event is not answered a second time."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from slack_sdk import signature

from tests.slack import payloads
from tests.slack.conftest import SECRET, Bot, sign


def capture(body: str) -> dict[str, str]:
    """The headers Slack sent with `body`, signed now: what an eavesdropper would replay."""
    ts = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(SECRET, ts, body),
    }


def replay(bot: Bot, body: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(bot.url + "/slack/events", body.encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            status = int(r.status)
    except urllib.error.HTTPError as e:
        status = int(e.code)
    bot.settle()
    return status


def test_a_signed_request_replayed_after_five_minutes_is_refused(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = json.dumps(payloads.envelope(payloads.mention("<@UBOT> wat is 8290")))
    headers = capture(body)
    assert replay(bot, body, headers) == 200
    assert len(bot.fake.posts()) == 1
    later = time.time() + 5 * 60 + 1  # the same bytes, 5 minutes and a second on
    monkeypatch.setattr(signature.Clock, "now", lambda self: later)
    assert replay(bot, body, headers) == 401
    fresh = json.dumps(payloads.envelope(payloads.mention("<@UBOT> wat is 8290")))
    assert replay(bot, fresh, capture(fresh)) == 401  # the bot's clock moved: a stale stamp fails too
    assert len(bot.fake.posts()) == 1


def test_a_replay_inside_the_window_gets_no_second_reply(bot: Bot) -> None:
    body = json.dumps(payloads.envelope(payloads.mention("<@UBOT> wat is 8290")))
    headers = capture(body)
    assert [replay(bot, body, headers) for _ in range(3)] == [200, 200, 200]
    assert (
        replay(bot, body, {**headers, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
        == 200
    )
    assert len(bot.fake.posts()) == 1
