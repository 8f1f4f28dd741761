"""A command or a click is acknowledged at once, however busy the app is with replies.

Slack wants the acknowledgement within 3 seconds (ACK_SECONDS), or it shows the person an
error and, for events, retries. Here every worker of the app's listener pool waits on a
slow Web API, with one more reply queued behind them; a /declaratie and a button click
must still be acknowledged within that time, and be answered once the Web API is back.
"""

from __future__ import annotations

import json

from bot.slack import blocks
from tests.slack import payloads
from tests.slack.conftest import ACK_SECONDS, Bot

SLOW = ("chat.postMessage", "chat.postEphemeral", "response_url")


def busy(bot: Bot) -> int:
    """Hold the Web API and fill every worker of the pool with a mention's reply, and one
    more waiting for a worker; the number of mentions sent."""
    bot.fake.hold(*SLOW)
    workers = bot.executor._max_workers
    for i in range(workers + 1):
        event = payloads.mention("<@UBOT> wat is 8290", ts=f"1700000000.{i + 1:06d}")
        envelope = payloads.envelope(event, f"EvBusy{i:03d}")
        response = bot.post(json.dumps(envelope), "application/json", timeout=ACK_SECONDS)
        assert response.status == 200
    bot.fake.wait_waiting(workers)  # every worker waits on chat.postMessage
    return workers + 1


def helpful_button(bot: Bot) -> dict[str, object]:
    answer = bot.engine.answer("wat is 8290")
    msg = blocks.answer_message(answer, bot.engine.kb, question="wat is 8290", ref="EvAsked")
    return payloads.buttons(msg.blocks)[blocks.HELPFUL]


def test_a_command_and_a_click_are_acknowledged_while_every_worker_waits_on_slack(bot: Bot) -> None:
    form = "application/x-www-form-urlencoded"
    try:
        mentions = busy(bot)
        command = bot.post(
            payloads.command("wat is 8290", bot.fake.response_url("command")), form, timeout=ACK_SECONDS
        )
        click = bot.post(
            payloads.block_actions(helpful_button(bot), bot.fake.response_url("action")),
            form,
            timeout=ACK_SECONDS,
        )
        assert (command.status, click.status) == (200, 200), (command, click)
        assert bot.fake.replies() == []  # acknowledged, not answered yet: the Web API is still slow
    finally:
        bot.fake.release()  # the Web API is back
    bot.settle()
    assert len(bot.fake.posts()) == mentions
    [answer] = bot.fake.to("response_url")
    assert answer.path == "/response/command" and "8290" in answer.params["text"]
    [thanks] = bot.fake.to("chat.postEphemeral")
    assert thanks.params["channel"] == payloads.CHANNEL and thanks.params["user"] == payloads.USER
