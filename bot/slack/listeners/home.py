"""The App Home tab: published each time a person opens it, so the helpdesk's open/closed
state is current (at `deps.clock()`). `usage(team_id)` (with a store) gives the workspace's figures of the
last 7 days; None (no store, or the database is down) leaves them out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.engine.answer import ContactInfo
from bot.engine.hours import opening
from bot.slack import blocks
from bot.slack.recording import team_of
from bot.slack.replies import Deps, on


def contacts(kb: Any, now: datetime) -> list[ContactInfo]:
    """Every contact in the knowledge base with its opening state at `now`."""
    out = []
    for e in kb.entries:
        if e.kind != "contact":
            continue
        state = opening(e.hours, now) if e.hours else None
        out.append(ContactInfo(e, state.open_now if state else None, state.next_open if state else None))
    return out


def register(app: App, deps: Deps) -> None:
    usage = deps.usage

    def on_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        kb = deps.engine().kb
        view = blocks.home_view(kb, contacts(kb, deps.clock()), usage(team_of(body)) if usage else None)
        client.views_publish(user_id=event["user"], view=view)

    on(app.event("app_home_opened"), deps, on_home_opened)
