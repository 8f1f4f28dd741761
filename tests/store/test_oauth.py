"""Slack's installation and OAuth state stores live in the same database as the rest."""

from __future__ import annotations

from slack_sdk.oauth.installation_store import Installation

from bot.store import Store
from bot.store.oauth import oauth_stores


def installation(team_id: str, token: str) -> Installation:
    return Installation(
        app_id="A0APP",
        enterprise_id=None,
        team_id=team_id,
        team_name=f"Zorg {team_id}",
        bot_token=token,
        bot_id="B0BOT",
        bot_user_id="U0BOT",
        bot_scopes="app_mentions:read,chat:write,commands",
        user_id="U0ADMIN",
        installed_at=1_760_000_000.0,
    )


def test_an_installation_saved_is_found_again_per_workspace(store: Store) -> None:
    installations, _ = oauth_stores(store, client_id="111.222")
    installations.save(installation("T0AAA", "xoxb-aaa"))
    installations.save(installation("T0BBB", "xoxb-bbb"))

    found = installations.find_installation(enterprise_id=None, team_id="T0AAA")
    assert found is not None and found.bot_token == "xoxb-aaa" and found.team_name == "Zorg T0AAA"
    bot = installations.find_bot(enterprise_id=None, team_id="T0BBB")
    assert bot is not None and bot.bot_token == "xoxb-bbb"
    assert installations.find_installation(enterprise_id=None, team_id="T0CCC") is None

    # a second instance (another process with its own stores) sees the same installations
    again, _ = oauth_stores(store, client_id="111.222")
    found_again = again.find_bot(enterprise_id=None, team_id="T0AAA")
    assert found_again is not None and found_again.bot_token == "xoxb-aaa"


def test_an_oauth_state_is_accepted_once(store: Store) -> None:
    _, states = oauth_stores(store, client_id="111.222")
    state = states.issue()
    assert states.consume(state) is True
    assert states.consume(state) is False
    assert states.consume("never-issued") is False
