"""Slack listeners, one module per kind; each has `register(app, deps)`."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, commands, events, files, home, installs
from bot.slack.replies import Deps


def register_listeners(app: App, deps: Deps) -> None:
    events.register(app, deps)
    commands.register(app, deps)
    actions.register(app, deps)
    home.register(app, deps)
    files.register(app, deps)
    installs.register(app, deps)
