"""Slack's OAuth installation and state stores, in the same database as everything else.

With SLACK_CLIENT_ID / SLACK_CLIENT_SECRET, `declaratiebot serve --http` serves the install
flow and keeps one installation per workspace here, so one deployment serves many workspaces.
slack_sdk owns these tables (slack_installations, slack_bots, slack_oauth_states); they are
created if missing, under the same schema lock as the migrations.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.store.db import schema_lock
from bot.store.deadline import Deadline
from bot.store.events import Store

STATE_EXPIRATION_SECONDS = 600  # an install started must be finished within 10 minutes


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, with the lookups Bolt makes for every request before it is
    acknowledged (which token answers this workspace?) under a deadline: a database gone
    silent makes them fail in 2 s (Slack retries the event later) instead of holding the
    request, and with it one of the server's threads, indefinitely."""

    def __init__(self, *args: Any, deadline: Deadline | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.deadline = deadline or Deadline(name="installations")

    def find_bot(self, **kwargs: Any) -> Bot | None:
        find = super().find_bot
        return self.deadline.call(lambda: find(**kwargs))

    def find_installation(self, **kwargs: Any) -> Installation | None:
        find = super().find_installation
        return self.deadline.call(lambda: find(**kwargs))


def oauth_stores(
    store: Store, client_id: str, *, state_expiration_seconds: int = STATE_EXPIRATION_SECONDS
) -> tuple[InstallationStore, SQLAlchemyOAuthStateStore]:
    """The installation store and OAuth state store for Bolt's OAuthSettings, on `store.engine`."""
    installations = InstallationStore(client_id=client_id, engine=store.engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=state_expiration_seconds, engine=store.engine)
    with store.engine.begin() as connection:
        schema_lock(connection)
        installations.metadata.create_all(connection)
        states.metadata.create_all(connection)
    return installations, states
