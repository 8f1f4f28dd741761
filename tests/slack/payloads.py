"""Request bodies as Slack sends them: Events API envelopes, slash commands, block actions."""

from __future__ import annotations

import itertools
import json
from typing import Any
from urllib.parse import urlencode

from tests.slack.fake_slack import BOT_USER, TEAM

_ids = itertools.count(1)

USER = "U0ASKER1"
CHANNEL = "C0GENERAL"
DM = "D0DIRECT1"
BSN = "123456782"  # passes the elfproef
SHARE_BUTTON = "share_answer"


def event_id() -> str:
    return f"Ev{next(_ids):08d}"


def envelope(event: dict[str, Any], eid: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": "A0DECLARATIE",
        "event": event,
        "type": "event_callback",
        "event_id": eid or event_id(),
        "event_time": 1700000000,
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def mention(
    text: str, *, ts: str = "1700000000.000100", thread_ts: str | None = None, user: str = USER
) -> dict[str, Any]:
    event = {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": CHANNEL, "team": TEAM}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def dm(
    text: str, *, ts: str = "1700000000.000200", thread_ts: str | None = None, **extra: Any
) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel_type": "im",
        "user": USER,
        "text": text,
        "ts": ts,
        "channel": DM,
        "team": TEAM,
        **extra,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def home_opened(tab: str = "home") -> dict[str, Any]:
    return {"type": "app_home_opened", "user": USER, "channel": DM, "tab": tab, "event_ts": "1700000000.1"}


def command(text: str, response_url: str, channel: str = CHANNEL) -> str:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "channel_id": channel,
            "channel_name": "general",
            "user_id": USER,
            "user_name": "asker",
            "command": "/declaratie",
            "text": text,
            "api_app_id": "A0DECLARATIE",
            "response_url": response_url,
            "trigger_id": "1337.42.abcdef",
        }
    )


def block_actions(
    button: dict[str, Any],
    response_url: str,
    *,
    channel: str = CHANNEL,
    message_ts: str = "1700000100.000001",
    thread_ts: str | None = "1700000000.000100",
    ephemeral: bool = False,
    user: str = USER,
) -> str:
    """A click on `button` (a button dict as the bot posted it)."""
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel,
        "is_ephemeral": ephemeral,
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "asker", "team_id": TEAM},
        "api_app_id": "A0DECLARATIE",
        "token": "legacy-verification-token",
        "container": container,
        "trigger_id": "1337.43.abcdef",
        "team": {"id": TEAM, "domain": "test"},
        "channel": {"id": channel, "name": "general"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "feedback",
                "text": button["text"],
                "value": button.get("value", ""),
                "action_ts": "1700000300.000001",
            }
        ],
    }
    if not ephemeral:
        message: dict[str, Any] = {"type": "message", "user": BOT_USER, "ts": message_ts, "text": "..."}
        if thread_ts:
            message["thread_ts"] = thread_ts
            container["thread_ts"] = thread_ts
        payload["message"] = message
    return urlencode({"payload": json.dumps(payload)})


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The buttons of a message by action_id."""
    return {
        el["action_id"]: el
        for b in blocks
        if b.get("type") == "actions"
        for el in b["elements"]
        if el.get("type") == "button"
    }
