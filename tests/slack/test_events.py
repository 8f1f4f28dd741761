"""Mentions and direct messages, end to end: signed HTTP in, Web API calls out."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from bot.cli import answer_json
from tests.slack import payloads
from tests.slack.conftest import SUPPORT, Bot
from tests.slack.fake_slack import BOT_ID, BOT_USER

BSN = payloads.BSN


def section_texts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b.get("type") == "section" and "text" in b)


def shown_texts(node: Any) -> str:
    """Every text a person can read in blocks: sections, contexts, button labels."""
    if isinstance(node, list):
        return "\n".join(shown_texts(n) for n in node)
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return "\n".join(
            own
            + [shown_texts(v) for k, v in node.items() if k != "value" and k != "text"]
            + ([shown_texts(node["text"])] if isinstance(node.get("text"), dict) else [])
        )
    return ""


def readable(mrkdwn: str) -> str:
    """What a person sees of mrkdwn: no bold/code markers, entities decoded."""
    text = re.sub(r"[*`]", "", mrkdwn)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_a_mention_is_answered_in_a_thread_under_the_question(bot: Bot) -> None:
    response = bot.event(payloads.mention("<@UBOT> wat is retourcode 8290?", ts="1700000000.000100"))

    assert response.status == 200
    [post] = bot.fake.posts()
    assert post.params["channel"] == payloads.CHANNEL
    assert post.params["thread_ts"] == "1700000000.000100"
    assert "8290" in post.params["text"]
    assert "8290" in section_texts(post.params["blocks"])
    assert post.authorization == "Bearer xoxb-test-token"


def test_a_mention_inside_a_thread_is_answered_in_that_thread(bot: Bot) -> None:
    bot.event(payloads.mention("<@UBOT> en 8614?", ts="1700000000.000300", thread_ts="1700000000.000100"))

    [post] = bot.fake.posts()
    assert post.params["thread_ts"] == "1700000000.000100"


def test_a_direct_message_is_answered_in_the_dm_not_in_a_thread(bot: Bot) -> None:
    bot.event(payloads.dm("wat is berichtcode 490?"))

    [post] = bot.fake.posts()
    assert post.params["channel"] == payloads.DM
    assert "thread_ts" not in post.params
    assert "490" in section_texts(post.params["blocks"])


def test_a_follow_up_in_a_dm_thread_stays_in_that_thread(bot: Bot) -> None:
    bot.event(payloads.dm("en 8290?", ts="1700000000.000900", thread_ts="1700000000.000200"))

    [post] = bot.fake.posts()
    assert post.params["channel"] == payloads.DM
    assert post.params["thread_ts"] == "1700000000.000200"


def test_8409_gets_the_escalation_card(bot: Bot) -> None:
    bot.event(payloads.mention("<@UBOT> retourcode 8409"))

    [post] = bot.fake.posts()
    cards = [
        b["text"]["text"] for b in post.params["blocks"] if "040-2975729" in b.get("text", {}).get("text", "")
    ]
    card = cards[-1]
    assert "Helpdesk Digitaal Declareren" in card
    assert "ZKT.declareren@vgz.nl" in card
    assert "08:30–17:00" in card
    assert "nu bereikbaar" in card or "nu gesloten" in card
    assert post.params["text"]  # the notification fallback


@pytest.mark.parametrize("question", ["wat is retourcode 8290?", "8409", "berichtcode 490", "8291", "help"])
def test_the_answer_in_slack_is_the_answer_of_declaratiebot_ask(bot: Bot, question: str) -> None:
    bot.event(payloads.mention(f"<@UBOT> {question}"))

    [post] = bot.fake.posts(payloads.CHANNEL)
    shown = readable(shown_texts(post.params["blocks"]))
    cli = answer_json(bot.engine, question)
    for line in cli["text"].splitlines():
        line = line.strip()
        if not line or line.startswith(("Neem contact op:", "Misschien bedoelde u ook:")):
            continue  # contacts and suggestions are a card and buttons in Slack
        if line.startswith("• ") and not cli["answered"] and cli["suggestions"]:
            continue  # "did you mean" items are buttons
        assert line in shown
    for s in cli["suggestions"]:
        assert s["title"][:60] in shown


def test_a_question_the_bot_cannot_answer_goes_to_support_masked_with_a_link(bot: Bot) -> None:
    question = f"<@UBOT> <!channel> recept voor appeltaart voor tante {BSN}, geboren 12-03-1980 <@U0OTHER1>"
    assert bot.engine.answer(question).suggestions == ()  # the precondition: nothing to suggest
    bot.event(payloads.mention(question, ts="1700000000.000500"))

    [handoff] = bot.fake.posts(SUPPORT)
    forwarded = handoff.texts()
    assert "appeltaart" in forwarded
    assert "[BSN]" in forwarded and BSN not in forwarded
    assert "12-03-1980" not in forwarded
    assert "<!channel>" not in forwarded and "U0OTHER1" not in forwarded
    assert f"<@{payloads.USER}>" in forwarded  # who asked
    [link] = bot.fake.to("chat.getPermalink")
    assert (link.params["channel"], link.params["message_ts"]) == (payloads.CHANNEL, "1700000000.000500")
    assert "https://test.slack.com/archives/C0GENERAL/p1700000000000500" in forwarded

    [reply] = bot.fake.posts(payloads.CHANNEL)
    assert reply.params["thread_ts"] == "1700000000.000500"
    assert f"<#{SUPPORT}>" in reply.texts()


def test_a_dm_the_bot_cannot_answer_goes_to_support_without_a_useless_link(bot: Bot) -> None:
    bot.event(payloads.dm("recept voor appeltaart"))

    [handoff] = bot.fake.posts(SUPPORT)
    assert f"Van <@{payloads.USER}> in een direct bericht aan de bot" in handoff.texts()
    assert not bot.fake.to("chat.getPermalink")  # a link into someone's DM helps nobody
    [reply] = bot.fake.posts(payloads.DM)
    assert f"<#{SUPPORT}>" in reply.texts()


def test_without_a_support_channel_the_person_is_told_whom_to_ask(start_bot: Any) -> None:
    bot = start_bot(support_channel_id=None, support_contact="het supportteam <tel. 020-1234567>")
    bot.event(payloads.mention("<@UBOT> recept voor appeltaart"))

    [reply] = bot.fake.posts()
    assert reply.params["channel"] == payloads.CHANNEL
    assert "het supportteam &lt;tel. 020-1234567&gt;" in reply.texts()
    assert not bot.fake.to("chat.getPermalink")


@pytest.mark.parametrize(
    ("question", "advice"),
    [("recept voor appeltaart", "collega van support"), ("a recipe for apple pie", "colleague in support")],
)
def test_without_a_support_channel_whom_to_ask_is_said_once(
    start_bot: Any, question: str, advice: str
) -> None:
    bot = start_bot(support_channel_id=None)
    bot.event(payloads.mention(f"<@UBOT> {question}"))

    [reply] = bot.fake.posts()
    assert shown_texts(reply.params["blocks"]).count(advice) == 1
    assert advice in answer_json(bot.engine, question)["text"]  # the CLI, without a notice, says it


def test_a_question_passed_on_is_not_also_told_to_ask_support(bot: Bot) -> None:
    bot.event(payloads.mention("<@UBOT> recept voor appeltaart"))

    [reply] = bot.fake.posts(payloads.CHANNEL)
    shown = shown_texts(reply.params["blocks"])
    assert "Ik heb uw vraag doorgezet naar" in shown
    assert "Vraag het anders" not in shown and shown.count("collega van support") == 1


@pytest.mark.parametrize(
    "event",
    [
        payloads.dm("wat is 8290", user=BOT_USER, bot_id=BOT_ID),  # the bot's own message
        payloads.dm("wat is 8290", subtype="bot_message", bot_id="B0OTHER", user=None),
        payloads.dm("wat is 8290", bot_id="B0OTHER", user="U0OTHERBOT"),
        payloads.dm("wat is 8290", subtype="message_changed"),
        payloads.dm("", subtype="message_deleted"),
        payloads.dm("wat is 8290", subtype="channel_join"),
        payloads.mention("<@UBOT> wat is 8290", user=BOT_USER),
        {**payloads.dm("wat is 8290"), "channel_type": "channel", "channel": "C0GENERAL"},
        {
            **payloads.mention("<@UBOT> wat is 8290", user="U0OTHERBOT"),
            "bot_id": "B0OTHER",
            "bot_profile": {"id": "B0OTHER", "name": "otherbot", "app_id": "A0OTHER"},
        },
        {**payloads.mention("<@UBOT> wat is 8290", user="U0OTHERBOT"), "bot_id": "B0OTHER"},
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": payloads.DM,
            "channel_type": "im",
            "ts": "1700000001.000300",
            "event_ts": "1700000001.000300",
            "message": {
                "type": "message",
                "user": payloads.USER,
                "text": "wat is 8290",
                "ts": "1700000000.000200",
                "edited": {"user": payloads.USER, "ts": "1700000001.000000"},
            },
            "previous_message": {"type": "message", "user": payloads.USER, "text": "wat is 829"},
        },
        {**payloads.dm("wat is 8290"), "edited": {"user": payloads.USER, "ts": "1700000001.000000"}},
        {
            **payloads.mention("<@UBOT> wat is 8290"),
            "edited": {"user": payloads.USER, "ts": "1700000001.000000"},
        },
    ],
    ids=[
        "itself",
        "bot-message",
        "other-bot",
        "edit",
        "delete",
        "join",
        "own-mention",
        "not-a-dm",
        "other-bots-mention",
        "other-bots-mention-bot-id-only",
        "message-changed-as-slack-sends-it",
        "dm-with-edited",
        "mention-with-edited",
    ],
)
def test_what_is_not_a_person_asking_is_ignored(bot: Bot, event: dict[str, Any]) -> None:
    event = {k: v for k, v in event.items() if v is not None}
    response = bot.event(event)

    assert response.status == 200
    assert bot.fake.replies() == []


def test_a_file_shared_with_a_question_is_answered(bot: Bot) -> None:
    bot.event(payloads.dm("wat is 8290", subtype="file_share"))

    assert len(bot.fake.posts()) == 1


def test_a_retried_delivery_gets_one_reply(bot: Bot) -> None:
    event = payloads.mention("<@UBOT> wat is 8290")
    first = bot.event(event, eid="Ev0RETRY001")
    again = bot.event(
        event, eid="Ev0RETRY001", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    third = bot.event(
        event, eid="Ev0RETRY001", headers={"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}
    )

    assert (first.status, again.status, third.status) == (200, 200, 200)
    assert len(bot.fake.posts()) == 1
    bot.event(event, eid="Ev0RETRY002")  # another event with the same text is answered
    assert len(bot.fake.posts()) == 2


def test_a_rate_limit_then_success_posts_exactly_one_message_after_retry_after(bot: Bot) -> None:
    bot.fake.fail("chat.postMessage", status=429, error="ratelimited", retry_after=1)
    bot.event(payloads.mention("<@UBOT> wat is 8290"))

    attempts = bot.fake.to("chat.postMessage", ok_only=False)
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0  # Slack's Retry-After: 1 was waited for
    assert len(bot.fake.posts()) == 1


def test_a_server_error_is_retried(bot: Bot) -> None:
    bot.fake.fail("chat.postMessage", status=500, error="internal_error")
    bot.event(payloads.dm("wat is 8290"))

    assert [c.status for c in bot.fake.to("chat.postMessage", ok_only=False)] == [500, 200]


def test_a_final_web_api_failure_is_logged_with_the_event_id(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.fail("chat.postMessage", status=500, error="internal_error", times=10)
    with caplog.at_level(logging.ERROR, logger="declaratiebot"):
        bot.event(payloads.mention("<@UBOT> wat is 8290"), eid="Ev0FAILING1")

    assert len(bot.fake.to("chat.postMessage", ok_only=False)) == 3  # the first try and two retries
    assert bot.fake.posts() == []
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("declaratiebot")]
    assert any("Ev0FAILING1" in m and "chat.postMessage" in m for m in logged), logged
    assert not any("xoxb-" in r.getMessage() for r in caplog.records)


def test_a_failed_hand_off_is_logged_and_the_person_told_whom_to_ask(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.fail("chat.postMessage", error="not_in_channel")  # the bot was not invited to support
    with caplog.at_level(logging.ERROR, logger="declaratiebot"):
        bot.event(payloads.mention("<@UBOT> recept voor appeltaart"), eid="Ev0HANDOFF1")

    [reply] = bot.fake.posts()
    assert reply.params["channel"] == payloads.CHANNEL
    assert "lukte niet" in reply.texts()
    assert any("Ev0HANDOFF1" in r.getMessage() and "not_in_channel" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "text",
    [
        ("ik heb een vraag over de declaratie van mijn client en retourcode " * 700)[:40_000],
        "x" * 40_000,  # one 40,000-character word
        ("8290 " * 8_000)[:40_000],
    ],
    ids=["words", "one-word", "codes"],
)
def test_a_40000_character_message_is_answered_within_slack_limits(bot: Bot, text: str) -> None:
    bot.event(payloads.mention("<@UBOT> " + text))

    replies = bot.fake.posts()
    assert replies, "no answer"
    for call in replies:
        blocks = call.params["blocks"]
        assert len(blocks) <= 50
        assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b.get("type") == "section")
        assert all(len(b["value"]) <= 2000 for b in payloads.buttons(blocks).values())
        assert len(call.params["text"]) <= 300


def test_many_codes_in_one_message_stay_within_slack_limits(bot: Bot) -> None:
    codes = " ".join(bot.engine.kb.by_code)  # every known code at once
    bot.event(payloads.mention(f"<@UBOT> {codes}"))

    [post] = bot.fake.posts()
    blocks = post.params["blocks"]
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b.get("type") == "section")
    assert "ingekort" in section_texts(blocks)


def test_markup_in_a_question_never_pings_or_injects(bot: Bot) -> None:
    question = (
        "<@UBOT> <!channel> <!here> <!everyone> <!subteam^S0TEAM|@support> <@U0VICTIM1> "
        "&lt;!channel&gt; <https://evil.example/x|klik hier> *vet* `code` @here wat is 8290?"
    )
    bot.event(payloads.mention(question))
    bot.event(payloads.mention(question.replace("wat is 8290?", "recept voor appeltaart")))

    everything = " ".join(c.texts() for c in bot.fake.replies())
    assert bot.fake.posts(SUPPORT), "the second question should have been passed on"
    for forbidden in ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "U0VICTIM1", "evil.example"):
        assert forbidden not in everything
