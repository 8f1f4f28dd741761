"""The App Home tab: published each time a person opens it, so the helpdesk's open/closed
state is current. `usage` (optional) gives usage figures once they are stored."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.engine.answer import ContactInfo
from bot.engine.hours import opening
from bot.slack import blocks
from bot.slack.replies import Deps

Usage = Callable[[], Sequence[tuple[str, str]]]


def contacts(kb: Any, now: datetime) -> list[ContactInfo]:
    """Every contact in the knowledge base with its opening state at `now`."""
    out = []
    for e in kb.entries:
        if e.kind != "contact":
            continue
        state = opening(e.hours, now) if e.hours else None
        out.append(ContactInfo(e, state.open_now if state else None, state.next_open if state else None))
    return out


def register(app: App, deps: Deps, usage: Usage | None = None) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        kb = deps.engine().kb
        view = blocks.home_view(kb, contacts(kb, datetime.now(UTC)), usage() if usage else None)
        client.views_publish(user_id=event["user"], view=view)
