"""The slash command, the buttons under an answer, and App Home, end to end."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from bot.render import slack_escape
from bot.slack import blocks
from tests.conftest import at
from tests.slack import payloads
from tests.slack.conftest import SUPPORT, Bot


def ask_in_thread(bot: Bot, question: str) -> dict[str, dict[str, Any]]:
    """Mention the bot; return the buttons of its answer, and forget the calls so far."""
    bot.event(payloads.mention(f"<@UBOT> {question}", ts="1700000000.000100"))
    [post] = bot.fake.posts()
    bot.fake.calls.clear()
    return payloads.buttons(post.params["blocks"])


def ask_by_command(bot: Bot, question: str) -> dict[str, dict[str, Any]]:
    bot.command(question)
    [reply] = bot.fake.to("response_url")
    bot.fake.calls.clear()
    return payloads.buttons(reply.params["blocks"])


# ---------------------------------------------------------------- /declaratie


def test_the_slash_command_is_acked_and_answered_ephemerally_with_a_share_button(bot: Bot) -> None:
    response = bot.command("wat is retourcode 8290?")

    assert response.status == 200 and response.body == ""  # ack, nothing shown in the channel
    [reply] = bot.fake.to("response_url")
    assert reply.path == "/response/command"
    assert reply.params["response_type"] == "ephemeral"
    assert "8290" in reply.params["text"]
    assert "8290" in json.dumps(reply.params["blocks"])
    assert payloads.SHARE_BUTTON in payloads.buttons(reply.params["blocks"])
    assert bot.fake.posts() == []  # nothing visible


def test_the_slash_command_alone_or_help_shows_what_the_bot_answers(bot: Bot) -> None:
    bot.command("")
    bot.command("help")

    replies = bot.fake.to("response_url")
    assert len(replies) == 2
    for reply in replies:  # "help" is Dutch as well as English: Dutch, the default
        text = json.dumps(reply.params["blocks"], ensure_ascii=False)
        assert "Voorbeelden" in text and "8290" in text and "490" in text
        assert payloads.buttons(reply.params["blocks"]) == {}  # nothing to rate or share


def test_a_slash_command_the_bot_cannot_answer_goes_to_support(bot: Bot) -> None:
    bot.command("recept voor appeltaart")

    [handoff] = bot.fake.posts(SUPPORT)
    assert "/declaratie" in handoff.texts() and f"<#{payloads.CHANNEL}>" in handoff.texts()
    assert "appeltaart" in handoff.texts()
    [reply] = bot.fake.to("response_url")
    assert f"<#{SUPPORT}>" in reply.texts()


def test_a_500_then_200_on_the_response_url_gives_exactly_one_answer(bot: Bot) -> None:
    bot.fake.fail("response_url", status=500, error="internal_error")
    bot.command("wat is retourcode 8290?")

    assert [c.status for c in bot.fake.to("response_url", ok_only=False)] == [500, 200]
    [reply] = bot.fake.to("response_url")
    assert reply.params["response_type"] == "ephemeral" and "8290" in reply.params["text"]


def test_a_rate_limited_response_url_is_retried_after_retry_after(bot: Bot) -> None:
    bot.fake.fail("response_url", status=429, error="rate_limited", retry_after=1)
    bot.command("wat is retourcode 8290?")

    first, second = bot.fake.to("response_url", ok_only=False)
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1.0  # Retry-After: 1 was waited for
    assert len(bot.fake.to("response_url")) == 1


def test_a_response_url_that_keeps_failing_is_logged_with_the_trigger_id(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.fail("response_url", status=500, error="internal_error", times=10)
    with caplog.at_level(logging.ERROR, logger="declaratiebot"):
        bot.command("wat is retourcode 8290?")

    assert len(bot.fake.to("response_url", ok_only=False)) == 3  # the first try and two retries
    assert bot.fake.to("response_url") == []
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("declaratiebot")]
    assert any("1337.42.abcdef" in m and "HTTP 500" in m for m in logged), logged
    assert not any("/response/" in r.getMessage() for r in caplog.records)  # the URL is a credential


# ---------------------------------------------------------------- buttons


def test_helpful_thanks_the_person_who_clicked_in_the_thread(bot: Bot) -> None:
    buttons = ask_in_thread(bot, "wat is 8290")
    bot.action(buttons["feedback_helpful"])

    [thanks] = bot.fake.to("chat.postEphemeral")
    assert thanks.params["user"] == payloads.USER
    assert thanks.params["channel"] == payloads.CHANNEL
    assert thanks.params["thread_ts"] == "1700000000.000100"
    assert bot.fake.posts() == []


def test_not_helpful_passes_the_question_on_once(bot: Bot) -> None:
    buttons = ask_in_thread(bot, f"wat is 8290 voor client {payloads.BSN}")
    bot.action(buttons["feedback_not_helpful"])
    bot.action(buttons["feedback_not_helpful"])  # clicked twice

    [handoff] = bot.fake.posts(SUPPORT)
    text = handoff.texts()
    assert "hielp niet" in text
    assert "8290" in text  # the topic of the answer
    assert payloads.BSN not in text and "[BSN]" in text
    assert "https://test.slack.com/archives/C0GENERAL/p1700000000000100" in text
    notices = bot.fake.to("chat.postEphemeral")
    assert len(notices) == 2
    assert f"<#{SUPPORT}>" in notices[0].texts() and "al doorgezet" in notices[1].texts()


def test_ask_a_person_on_an_unsure_answer_passes_it_on(bot: Bot) -> None:
    buttons = ask_in_thread(bot, "wat is 8291")
    bot.action(buttons["ask_person"])

    [handoff] = bot.fake.posts(SUPPORT)
    assert "8291" in handoff.texts()
    [notice] = bot.fake.to("chat.postEphemeral")
    assert f"<#{SUPPORT}>" in notice.texts()


CONTACT = "Team <Support> & co"
CONTACT_MRKDWN = "Team &lt;Support&gt; &amp; co"  # escaped once: Slack shows "Team <Support> & co"


def test_whom_to_ask_is_escaped_once_in_the_message_and_its_notification(start_bot: Any) -> None:
    bot = start_bot(support_channel_id=None, support_contact=CONTACT)
    unsure = ask_in_thread(bot, "wat is 8291")
    bot.action(unsure["ask_person"])
    notices = bot.fake.to("chat.postEphemeral")
    answered = ask_in_thread(bot, "wat is 8290")
    bot.action(answered["feedback_not_helpful"], message_ts="1700000100.000002")
    notices += bot.fake.to("chat.postEphemeral")

    assert len(notices) == 2
    for notice in notices:
        assert CONTACT_MRKDWN in notice.params["text"]  # the notification
        assert CONTACT_MRKDWN in json.dumps(notice.params["blocks"], ensure_ascii=False)
        assert "&amp;lt;" not in notice.texts() and "&amp;amp;" not in notice.texts()


def test_the_support_posts_notification_is_plain_text(bot: Bot) -> None:
    bot.event(payloads.mention("<@UBOT> recept voor appeltaart"))

    [handoff] = bot.fake.posts(SUPPORT)
    assert handoff.params["text"] == ":raising_hand: Vraag die de bot niet kon beantwoorden"
    assert "*" in handoff.params["blocks"][0]["text"]["text"]  # the message itself is mrkdwn


def test_a_suggestion_is_answered_in_the_thread(bot: Bot) -> None:
    buttons = ask_in_thread(bot, "wat is 8291")
    suggestion = next(
        b for a, b in buttons.items() if a.startswith("suggest_") and "8290" in b["text"]["text"]
    )
    bot.action(suggestion)

    [post] = bot.fake.posts()
    assert post.params["channel"] == payloads.CHANNEL
    assert post.params["thread_ts"] == "1700000000.000100"
    assert "Retourcode 8290" in post.params["text"]


def test_a_suggestion_under_an_ephemeral_answer_is_answered_ephemerally(bot: Bot) -> None:
    buttons = ask_by_command(bot, "wat is 8291")
    suggestion = next(
        b for a, b in buttons.items() if a.startswith("suggest_") and "8290" in b["text"]["text"]
    )
    bot.action(suggestion, ephemeral=True)

    [reply] = bot.fake.to("response_url")
    assert reply.params["response_type"] == "ephemeral"
    assert "Retourcode 8290" in reply.params["text"]
    assert payloads.SHARE_BUTTON in payloads.buttons(reply.params["blocks"])
    assert bot.fake.posts() == []


def test_share_posts_the_answer_visibly_and_removes_the_ephemeral_one(bot: Bot) -> None:
    buttons = ask_by_command(bot, "wat is 8290")
    bot.action(buttons[payloads.SHARE_BUTTON], ephemeral=True)

    shared, deleted = bot.fake.to("response_url")
    assert shared.params["response_type"] == "in_channel"
    assert "Retourcode 8290" in shared.params["text"]
    assert payloads.SHARE_BUTTON not in payloads.buttons(shared.params["blocks"])
    assert deleted.params["delete_original"] is True


def test_share_after_a_500_on_the_response_url_posts_the_answer_exactly_once(bot: Bot) -> None:
    buttons = ask_by_command(bot, "wat is 8290")
    bot.fake.fail("response_url", status=500, error="internal_error")
    bot.action(buttons[payloads.SHARE_BUTTON], ephemeral=True)

    attempts = bot.fake.to("response_url", ok_only=False)
    assert [c.status for c in attempts] == [500, 200, 200]  # the share, its retry, the removal
    shared = [c for c in bot.fake.to("response_url") if c.params.get("response_type") == "in_channel"]
    assert len(shared) == 1 and "Retourcode 8290" in shared[0].params["text"]
    assert attempts[-1].params["delete_original"] is True


def test_a_shared_answer_carries_no_private_question_and_its_not_helpful_names_the_clicker(bot: Bot) -> None:
    buttons = ask_by_command(bot, f"wat is 8290 voor mevrouw Jansen {payloads.BSN}")
    bot.action(buttons[payloads.SHARE_BUTTON], ephemeral=True)
    shared = bot.fake.to("response_url")[0]
    visible = payloads.buttons(shared.params["blocks"])
    assert visible and not any("Jansen" in b["value"] or "BSN" in b["value"] for b in visible.values())
    assert all(blocks.unpack_value(b["value"])["q"] == "" for b in visible.values())
    bot.fake.calls.clear()

    bot.action(visible["feedback_not_helpful"], user="U0COLLEAGUE", thread_ts=None)  # someone else

    [handoff] = bot.fake.posts(SUPPORT)
    text = handoff.texts()
    assert "Doorgezet door <@U0COLLEAGUE>" in text and "Van <@U0COLLEAGUE>" not in text
    assert "in het kanaal is geplaatst" in text and "8290" in text  # what it was about
    assert "Jansen" not in text and "```" not in text  # no question to quote


def test_not_helpful_on_an_ephemeral_answer_names_the_asker(bot: Bot) -> None:
    buttons = ask_by_command(bot, "wat is 8290")
    bot.action(buttons["feedback_not_helpful"], ephemeral=True)

    [handoff] = bot.fake.posts(SUPPORT)
    assert f"Van <@{payloads.USER}>" in handoff.texts()  # only the asker sees an ephemeral answer


def test_not_helpful_in_a_thread_names_who_passed_it_on(bot: Bot) -> None:
    buttons = ask_in_thread(bot, "wat is 8290")
    bot.action(buttons["feedback_not_helpful"], user="U0COLLEAGUE")

    [handoff] = bot.fake.posts(SUPPORT)
    assert "Doorgezet door <@U0COLLEAGUE>" in handoff.texts()


def test_declaratie_in_a_dm_between_people_is_not_called_a_dm_to_the_bot(bot: Bot) -> None:
    bot.command("recept voor appeltaart", channel="D0PEOPLE1")

    [handoff] = bot.fake.posts(SUPPORT)
    assert "in een direct bericht via /declaratie" in handoff.texts()
    assert "aan de bot" not in handoff.texts()


def test_share_of_a_clicked_suggestion_shares_that_suggestion(bot: Bot) -> None:
    buttons = ask_by_command(bot, "wat is 8291")
    suggestion = next(
        b for a, b in buttons.items() if a.startswith("suggest_") and "8290" in b["text"]["text"]
    )
    bot.action(suggestion, ephemeral=True)
    [reply] = bot.fake.to("response_url")
    bot.fake.calls.clear()
    bot.action(payloads.buttons(reply.params["blocks"])[payloads.SHARE_BUTTON], ephemeral=True)

    shared = bot.fake.to("response_url")[0]
    assert "Retourcode 8290" in shared.params["text"]


def test_not_helpful_on_an_ephemeral_answer_passes_it_on_without_a_thread_link(bot: Bot) -> None:
    buttons = ask_by_command(bot, "wat is 8290")
    bot.action(buttons["feedback_not_helpful"], ephemeral=True)

    [handoff] = bot.fake.posts(SUPPORT)
    assert "/declaratie" in handoff.texts()
    assert not bot.fake.to("chat.getPermalink")
    [notice] = bot.fake.to("response_url")
    assert notice.params["response_type"] == "ephemeral"


def test_a_button_value_that_is_not_ours_is_answered_safely(bot: Bot) -> None:
    forged = {"action_id": "suggest_0", "text": {"type": "plain_text", "text": "x"}, "value": "{not json"}
    response = bot.action(forged)
    bot.action({**forged, "value": json.dumps({"e": "no-such-entry", "l": "xx"})})

    assert response.status == 200
    notices = bot.fake.to("chat.postEphemeral")
    assert len(notices) == 2 and all("kennisbank" in n.texts() for n in notices)


# ---------------------------------------------------------------- App Home


def home_text(bot: Bot) -> str:
    """Open the bot's App Home; everything the published view shows, as JSON."""
    bot.fake.calls.clear()
    bot.event(payloads.home_opened())
    [publish] = bot.fake.to("views.publish")
    assert publish.params["user_id"] == payloads.USER
    view = publish.params["view"]
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    return json.dumps(view, ensure_ascii=False)


def test_app_home_shows_what_the_bot_knows_examples_and_contacts(bot: Bot) -> None:
    text = home_text(bot)

    kb = bot.engine.kb
    assert f"{len(kb.entries)} onderwerpen en {len(kb.by_code)} codes in de kennisbank" in text
    assert len(kb.sources) > 3 and all(slack_escape(s.title) in text for s in kb.sources.values())
    assert "Ik beantwoord vragen over retourcodes" in text  # what it answers, in both languages
    assert "I answer questions about retourcodes" in text
    assert "wat betekent retourcode 8290?" in text and "what is retourcode 8290?" in text
    assert "040-2975729" in text and "ZKT.declareren@vgz.nl" in text


def test_app_home_tells_whether_the_helpdesk_is_open_at_that_moment(start_bot: Any) -> None:
    monday_morning = home_text(start_bot(clock=lambda: at(2024, 1, 8, 10)))
    saturday = home_text(start_bot(clock=lambda: at(2024, 1, 6, 10)))

    assert "nu bereikbaar" in monday_morning and "nu gesloten" not in monday_morning
    assert "nu gesloten" in saturday and "weer bereikbaar maandag 08:30" in saturday


def test_the_escalation_card_is_told_at_the_same_clock(start_bot: Any) -> None:
    bot = start_bot(clock=lambda: at(2024, 1, 6, 10))  # a Saturday
    bot.event(payloads.mention("<@UBOT> retourcode 8409"))

    [post] = bot.fake.posts()
    assert "nu gesloten" in post.texts() and "weer bereikbaar maandag 08:30" in post.texts()


def test_opening_the_messages_tab_publishes_nothing(bot: Bot) -> None:
    bot.event(payloads.home_opened(tab="messages"))

    assert bot.fake.to("views.publish") == []
