"""Many workspaces from one deployment: Slack's OAuth install flow in HTTP mode, with the
installations kept in the bot's own database, and each workspace answered with its token."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from bot.slack.app import BOT_SCOPES
from bot.store import open_store
from tests.slack import payloads
from tests.slack.conftest import Bot

ROOT = Path(__file__).resolve().parents[2]
OTHER_TEAM = "T0OTHER"


@pytest.fixture
def oauth_bot(start_bot: Callable[..., Bot], tmp_path: Path) -> Bot:
    store = open_store(f"sqlite:///{tmp_path / 'installs.db'}")
    return start_bot(store=store, slack_bot_token="", slack_client_id="111.222", slack_client_secret="cs-123")


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
    [exchange] = bot.fake.to("oauth.v2.access")
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
