"""Slack's OAuth installation and state stores, in the same database as everything else.

With SLACK_CLIENT_ID / SLACK_CLIENT_SECRET, `declaratiebot serve --http` serves the install
flow and keeps one installation per workspace here, so one deployment serves many workspaces.
slack_sdk owns these tables (slack_installations, slack_bots, slack_oauth_states); they are
created if missing, under the same schema lock as the migrations.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.store.db import schema_lock
from bot.store.events import Store

STATE_EXPIRATION_SECONDS = 600  # an install started must be finished within 10 minutes


def oauth_stores(
    store: Store, client_id: str, *, state_expiration_seconds: int = STATE_EXPIRATION_SECONDS
) -> tuple[SQLAlchemyInstallationStore, SQLAlchemyOAuthStateStore]:
    """The installation store and OAuth state store for Bolt's OAuthSettings, on `store.engine`."""
    installations = SQLAlchemyInstallationStore(client_id=client_id, engine=store.engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=state_expiration_seconds, engine=store.engine)
    with store.engine.begin() as connection:
        schema_lock(connection)
        installations.metadata.create_all(connection)
        states.metadata.create_all(connection)
    return installations, states
