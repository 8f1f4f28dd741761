"""app.yaml is a Slack app manifest that matches what the app listens to."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.slack.listeners.commands import COMMAND
from tests.slack import payloads
from tests.slack.conftest import Bot
from tests.slack.fake_slack import DELIVERY_SCOPES, METHOD_SCOPES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "app.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_display_information_within_slacks_limits(manifest: dict[str, Any]) -> None:
    info = manifest["display_information"]
    assert 1 <= len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", info["background_color"])


def test_bot_events_are_exactly_what_the_listeners_answer(manifest: dict[str, Any]) -> None:
    # not file_shared: a file is explained from the message that shares it, so subscribing
    # to file_shared would only make Slack send an event the bot acknowledges and ignores;
    # app_uninstalled / tokens_revoked: a workspace's installation and tokens are deleted
    # when it uninstalls the app (bot/slack/listeners/installs.py)
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == [
        "app_mention",
        "message.im",
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
    ]


def test_docs_list_exactly_the_events_of_the_manifest(manifest: dict[str, Any]) -> None:
    """docs/slack.md names the events twice: in the prose of step 1, and in the manifest
    snippet for HTTP mode that people paste; both must be what app.yaml subscribes to."""
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    docs = (ROOT / "docs" / "slack.md").read_text(encoding="utf-8")
    prose = re.search(r"the bot events (.*?), and Socket Mode on", docs, re.S)
    assert prose, "docs/slack.md no longer lists the bot events in step 1"
    assert re.findall(r"`([^`]+)`", prose.group(1)) == events
    [snippet] = re.findall(r"```yaml\n(.*?)```", docs, re.S)
    assert yaml.safe_load(snippet)["settings"]["event_subscriptions"]["bot_events"] == events


def methods_the_code_calls() -> set[str]:
    """The Web API methods bot/slack calls (`client.chat_postMessage(` is chat.postMessage),
    and the file download when it reads a file's private URL."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot" / "slack").rglob("*.py"))
    methods = {f"{group}.{name}" for group, name in re.findall(r"\bclient\.([a-z]+)_([A-Za-z]+)\(", source)}
    if "url_private" in source:
        methods.add("file_download")
    return methods


def test_the_scope_table_knows_every_method_the_code_calls() -> None:
    called = methods_the_code_calls()
    assert {"chat.postMessage", "views.publish", "files.info"} <= called  # the scan finds calls
    assert called <= set(METHOD_SCOPES), called - set(METHOD_SCOPES)


def test_every_scope_of_the_manifest_is_needed_and_enough(manifest: dict[str, Any]) -> None:
    """Least privilege: each bot scope of app.yaml is needed by a method the code calls, an
    event the manifest subscribes to, or its slash command; and they are all there is."""
    needed = {METHOD_SCOPES[m] for m in methods_the_code_calls()}
    needed |= {DELIVERY_SCOPES[e] for e in manifest["settings"]["event_subscriptions"]["bot_events"]}
    if manifest["features"].get("slash_commands"):
        needed.add(DELIVERY_SCOPES["slash_commands"])
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed - {None}
    assert "user" not in manifest["oauth_config"]["scopes"]


def test_a_scope_missing_from_the_manifest_fails_like_in_slack(bot: Bot) -> None:
    """The fake Slack grants only app.yaml's scopes: without chat:write nothing is posted."""
    bot.fake.scopes.discard("chat:write")
    bot.event(payloads.mention("<@UBOT> wat is 8290"))

    [attempt] = bot.fake.to("chat.postMessage", ok_only=False)
    assert not attempt.ok
    assert bot.fake.replies() == []


def test_slash_command_home_tab_interactivity_and_socket_mode(manifest: dict[str, Any]) -> None:
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    assert home["messages_tab_enabled"] is True and home["messages_tab_read_only_enabled"] is False
    assert manifest["features"]["bot_user"]["display_name"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True


def running_in_slack() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Running in Slack", 1)[1].split("\n## ", 1)[0]


def test_the_readme_says_where_each_token_is_and_how_to_switch_to_http() -> None:
    section = running_in_slack()
    for variable, where in [
        ("SLACK_BOT_TOKEN", "*OAuth & Permissions* → **Bot User OAuth Token**"),
        ("SLACK_APP_TOKEN", "*Basic Information* → *App-Level Tokens*"),
        ("SLACK_SIGNING_SECRET", "*Basic Information* → *App Credentials* → **Signing Secret**"),
    ]:
        [row] = [line for line in section.splitlines() if line.strip().startswith(f"| `{variable}`")]
        assert where in row, row
    for change in (
        "socket_mode_enabled: false",
        "event_subscriptions.request_url",
        "interactivity.request_url",
    ):
        assert change in section


def test_the_readmes_links_into_docs_slack_md_point_at_its_headings() -> None:
    docs = (ROOT / "docs" / "slack.md").read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", docs, re.M)
    }
    links = re.findall(r"\(docs/slack\.md#([^)]+)\)", running_in_slack())
    assert len(links) >= 3
    assert set(links) <= anchors, set(links) - anchors
