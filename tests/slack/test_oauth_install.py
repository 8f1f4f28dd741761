"""Many workspaces from one deployment: Slack's OAuth install flow in HTTP mode, with the
installations kept in the bot's own database, and each workspace answered with its token."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from sqlalchemy import text

from bot.slack.app import BOT_SCOPES
from bot.store import Store, open_store
from tests.slack import payloads
from tests.slack.conftest import Bot

ROOT = Path(__file__).resolve().parents[2]
OTHER_TEAM = "T0OTHER"


@pytest.fixture
def installs_db(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'installs.db'}")
    yield store
    store.close()


@pytest.fixture
def oauth_bot(start_bot: Callable[..., Bot], installs_db: Store) -> Bot:
    return start_bot(
        store=installs_db, slack_bot_token="", slack_client_id="111.222", slack_client_secret="cs-123"
    )


def browse(bot: Bot, path: str, cookie: str | None = None) -> tuple[int, str, str | None]:
    """GET like a browser: (status, page, the cookie it set)."""
    host, port = urlsplit(bot.url).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    page, set_cookie = response.read().decode("utf-8"), response.getheader("Set-Cookie")
    conn.close()
    return response.status, page, set_cookie.split(";")[0] if set_cookie else None


def install(bot: Bot, team: str) -> str:
    """Walk the install flow for `team` as a browser does; returns the page it ends on."""
    status, page, cookie = browse(bot, "/slack/install")
    assert status == 200 and cookie
    found = re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', page)
    assert found, page
    query = parse_qs(urlsplit(unescape(found.group(1))).query)
    assert query["client_id"] == ["111.222"]
    assert set(query["scope"][0].split(",")) == set(BOT_SCOPES)
    bot.fake.installs[f"code-{team}"] = team
    status, done, _ = browse(bot, f"/slack/oauth_redirect?code=code-{team}&state={query['state'][0]}", cookie)
    assert status == 200, done
    exchange = bot.fake.to("oauth.v2.access")[-1]
    assert (exchange.authorization or "").startswith("Basic ")  # client id and secret, not in the URL
    return done


def test_an_installed_workspace_is_answered_with_its_own_token(oauth_bot: Bot) -> None:
    install(oauth_bot, OTHER_TEAM)
    envelope = payloads.envelope(payloads.mention("<@UBOT> wat is 8290"))
    envelope["team_id"] = OTHER_TEAM
    envelope["authorizations"][0]["team_id"] = OTHER_TEAM
    response = oauth_bot.post(json.dumps(envelope), "application/json")
    oauth_bot.settle()
    assert response.status == 200
    [reply] = oauth_bot.fake.posts(channel=payloads.CHANNEL)
    assert reply.authorization == f"Bearer xoxb-installed-{OTHER_TEAM.lower()}"
    assert "8290" in reply.params["text"]


def test_a_workspace_that_never_installed_gets_no_reply(oauth_bot: Bot) -> None:
    envelope = payloads.envelope(payloads.mention("<@UBOT> wat is 8290"))
    envelope["team_id"] = "T0STRANGER"
    envelope["authorizations"][0]["team_id"] = "T0STRANGER"
    oauth_bot.post(json.dumps(envelope), "application/json")
    oauth_bot.settle()
    assert oauth_bot.fake.posts() == []


def test_a_callback_with_a_forged_state_installs_nothing(oauth_bot: Bot) -> None:
    oauth_bot.fake.installs["code-x"] = OTHER_TEAM
    response = oauth_bot.get("/slack/oauth_redirect?code=code-x&state=forged")
    assert response.status >= 400
    assert oauth_bot.fake.to("oauth.v2.access") == []


def test_without_oauth_the_install_pages_do_not_exist(bot: Bot) -> None:
    assert bot.get("/slack/install").status == 404


def test_the_install_flow_asks_exactly_the_manifest_scopes() -> None:
    manifest = yaml.safe_load((ROOT / "app.yaml").read_text(encoding="utf-8"))
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)


def kept(store: Store) -> dict[str, list[str]]:
    """What the installation store holds per table: the team ids of its rows, and tokens."""
    out: dict[str, list[str]] = {}
    with store.engine.connect() as conn:
        for table in ("slack_installations", "slack_bots"):
            found = conn.execute(text(f"SELECT team_id, bot_token FROM {table} ORDER BY team_id"))
            out[table] = [f"{team} {token}" for team, token in found]
    return out


def from_team(event: dict[str, Any], team: str) -> str:
    envelope = payloads.envelope(event)
    envelope["team_id"] = team
    envelope["authorizations"][0]["team_id"] = team
    return json.dumps(envelope)


def mention_from(bot: Bot, team: str) -> list[str]:
    """Mention the bot from `team`: the tokens its replies were posted with."""
    before = len(bot.fake.posts())
    bot.post(from_team(payloads.mention("<@UBOT> wat is 8290"), team), "application/json")
    bot.settle()
    return [p.authorization or "" for p in bot.fake.posts()[before:]]


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}},
    ],
    ids=["app_uninstalled", "tokens_revoked"],
)
def test_an_uninstall_or_a_revoked_bot_token_deletes_that_workspaces_installation_and_tokens(
    oauth_bot: Bot, installs_db: Store, event: dict[str, Any]
) -> None:
    install(oauth_bot, OTHER_TEAM)
    install(oauth_bot, "T0THIRD")
    token = f"xoxb-installed-{OTHER_TEAM.lower()}"
    assert any(token in row for row in kept(installs_db)["slack_installations"])
    assert mention_from(oauth_bot, OTHER_TEAM) == [f"Bearer {token}"]

    response = oauth_bot.post(from_team(event, OTHER_TEAM), "application/json")
    oauth_bot.settle()
    assert response.status == 200
    rows = kept(installs_db)
    assert not [r for table in rows.values() for r in table if OTHER_TEAM in r or token in r], rows
    assert mention_from(oauth_bot, OTHER_TEAM) == [], "no token left to answer with"
    third = "Bearer xoxb-installed-t0third"
    assert mention_from(oauth_bot, "T0THIRD") == [third], "another workspace is untouched"


def test_a_revoked_user_token_deletes_only_that_users_installation(
    oauth_bot: Bot, installs_db: Store
) -> None:
    install(oauth_bot, OTHER_TEAM)  # installed by U0INSTALLER
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"], "bot": []}}
    oauth_bot.post(from_team(event, OTHER_TEAM), "application/json")
    oauth_bot.settle()
    assert len(kept(installs_db)["slack_installations"]) == 1, "someone else's token: nothing to delete"
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U0INSTALLER"], "bot": []}}
    oauth_bot.post(from_team(event, OTHER_TEAM), "application/json")
    oauth_bot.settle()
    assert kept(installs_db)["slack_installations"] == []
