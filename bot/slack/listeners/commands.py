"""`/declaratie <question>`: acknowledged at once (before any work), answered ephemerally
(only the asker sees it) with a button to post the answer in the channel. `/declaratie`
alone or `help` shows what the bot can answer, with examples (the engine's help answer)."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.recording import team_of
from bot.slack.replies import Deps, hand_off, needs_person, on, respond

COMMAND = "/declaratie"


def register(app: App, deps: Deps) -> None:
    def on_command(command: dict[str, Any], client: WebClient) -> None:
        started = time.perf_counter()
        question = str(command.get("text") or "")
        engine = deps.engine()
        answer = engine.answer(question, now=deps.clock())
        trigger = command.get("trigger_id")
        ref = f"command {COMMAND} (trigger {trigger or '?'})"
        team_id = team_of(command)
        notice = None
        if needs_person(answer):
            notice = hand_off(
                deps,
                client,
                question=question,
                reason="unknown",
                user=str(command.get("user_id") or ""),
                channel=command.get("channel_id"),
                link_ts=None,
                lang=answer.language,
                ref=ref,
                command=True,
                team_id=team_id,
                qref=trigger,
            )
        msg = blocks.answer_message(
            answer, engine.kb, question=question, share=True, notice=notice, ref=trigger
        )
        respond(
            deps,
            command.get("response_url"),
            ref=ref,
            team_id=team_id,
            qref=trigger,
            response_type="ephemeral",
            **msg.kwargs(),
        )
        deps.recorder.question(
            team_id,
            channel_type="command",
            question=question,
            answer=answer,
            latency_ms=round((time.perf_counter() - started) * 1000),
            ref=trigger,
        )

    on(app.command(COMMAND), deps, on_command)
