"""Uninstalls (OAuth mode): a workspace that removes the app, or revokes its bot token,
has its installation and tokens deleted from the installation store at once.

`app_uninstalled`: every installation and bot row of the workspace goes. `tokens_revoked`:
the listed user tokens' installations go (the app asks for no user scopes, so normally
none), and when the bot token is among them, the workspace's installation rows too, since
they carry that token as well. Slack sends both events without a token to check them
with; Bolt verifies their signature like any other request.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk.oauth.installation_store import InstallationStore

from bot.slack.replies import Deps, on

log = logging.getLogger("declaratiebot.slack")


def register(app: App, deps: Deps) -> None:
    store = app.installation_store
    if store is None:  # one workspace with SLACK_BOT_TOKEN: nothing is kept per install
        return

    def on_uninstalled(context: BoltContext) -> None:
        forget_workspace(store, context)
        log.info(
            "app uninstalled from workspace %s: its installation and tokens are deleted", context.team_id
        )

    def on_tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
        found = event.get("tokens")
        tokens: dict[str, Any] = found if isinstance(found, dict) else {}
        oauth = tokens.get("oauth")
        users = [u for u in oauth if isinstance(u, str) and u] if isinstance(oauth, list) else []
        for user_id in users:
            store.delete_installation(
                enterprise_id=context.enterprise_id, team_id=context.team_id, user_id=user_id
            )
        if tokens.get("bot"):
            forget_workspace(store, context)
        log.info(
            "tokens revoked in workspace %s (%d user, bot: %s): deleted",
            context.team_id,
            len(users),
            "yes" if tokens.get("bot") else "no",
        )

    # acknowledged at once; the installation store is written afterwards
    on(app.event("app_uninstalled"), deps, on_uninstalled)
    on(app.event("tokens_revoked"), deps, on_tokens_revoked)


def forget_workspace(store: InstallationStore, context: BoltContext) -> None:
    store.delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
