"""Buttons under an answer: feedback, "did you mean" suggestions, post in channel, ask a person.

Everything an action needs travels in the button's value (the cleaned, masked question,
the language, the topic or the suggested entry), so no state is kept between the answer
and the click. Replies to the person who clicked are ephemeral; a clicked suggestion is
answered where the question was (visibly in its thread, or ephemerally for /declaratie).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import blocks
from bot.slack.recording import team_of
from bot.slack.replies import Deps, hand_off, log, on, post, request_ref, respond


@dataclass(frozen=True)
class Where:
    """Where the clicked message is."""

    channel: str | None
    message_ts: str | None
    thread_ts: str | None  # the thread the message is in; None in a DM root
    ephemeral: bool

    @classmethod
    def of(cls, body: dict[str, Any]) -> Where:
        container = body.get("container") or {}
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        return cls(
            channel=channel,
            message_ts=container.get("message_ts") or message.get("ts"),
            thread_ts=message.get("thread_ts") or container.get("thread_ts"),
            ephemeral=bool(container.get("is_ephemeral")),
        )


def tell(
    deps: Deps, client: WebClient, body: dict[str, Any], msg: blocks.Message, qref: str | None = None
) -> None:
    """Say something only the person who clicked sees, next to the clicked message."""
    where = Where.of(body)
    if not where.ephemeral and where.channel:
        try:
            client.chat_postEphemeral(
                channel=where.channel, user=body["user"]["id"], thread_ts=where.thread_ts, **msg.kwargs()
            )
            return
        except SlackApiError as exc:  # e.g. a shared answer in a channel the bot is not in
            if exc.response.get("error") not in ("not_in_channel", "channel_not_found"):
                raise
    reply_ephemerally(deps, body, msg, qref)


def reply_ephemerally(deps: Deps, body: dict[str, Any], msg: blocks.Message, qref: str | None) -> None:
    """An ephemeral reply through the click's response_url, next to the clicked message."""
    respond(
        deps,
        body.get("response_url"),
        ref=request_ref(body),
        team_id=team_of(body),
        qref=qref,
        response_type="ephemeral",
        replace_original=False,
        **msg.kwargs(),
    )


def register(app: App, deps: Deps) -> None:
    def on_helpful(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        data = blocks.unpack_value(action.get("value"))
        log.info("feedback helpful: %s topic=%s", request_ref(body), data.get("t"))
        deps.recorder.feedback(team_of(body), True, ref=_ref(data), topics=_topics(data))
        tell(deps, client, body, blocks.note(blocks.word("thanks", data["l"])), _ref(data))

    def on_ask_person(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        data = blocks.unpack_value(action.get("value"))
        where = Where.of(body)
        user = body["user"]["id"]
        ref = request_ref(body)
        not_helpful = action.get("action_id") == blocks.NOT_HELPFUL
        if not_helpful:
            log.info("feedback not helpful: %s topic=%s", ref, data.get("t"))
            deps.recorder.feedback(team_of(body), False, ref=_ref(data), topics=_topics(data))
        lang = data["l"]
        key = f"handoff:{where.channel}:{where.message_ts or body.get('trigger_id')}"
        if deps.dedupe.first_delivery(key, team_of(body)):
            kb = deps.engine().kb
            ids = [t for t in _topics(data) if t in kb.by_id]
            topics = tuple(_heading(kb, t) for t in ids)
            notice = hand_off(
                deps,
                client,
                question=data["q"],
                reason="not_helpful" if not_helpful else "ask_person",
                user=user,
                channel=where.channel,
                link_ts=None if where.ephemeral else (where.thread_ts or where.message_ts),
                lang=lang,
                ref=ref,
                command=where.ephemeral,
                topics=topics,
                team_id=team_of(body),
                qref=_ref(data),
                topic_ids=tuple(ids),
                # under a message others see, the one who clicked may not be the one who asked;
                # an ephemeral answer only its asker sees
                clicked=not where.ephemeral,
                shared=bool(data.get("s")),
            )
        else:
            support = deps.settings.support_channel_id
            notice = blocks.handoff_notice(lang, support, already=True, contact=deps.settings.support_contact)
        text = f"{blocks.word('thanks_not', lang)}\n{notice}" if not_helpful else notice
        tell(deps, client, body, blocks.note(text), _ref(data))

    def on_suggestion(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        data = blocks.unpack_value(action.get("value"))
        where = Where.of(body)
        engine = deps.engine()
        entry_id = data.get("e")
        if not isinstance(entry_id, str) or entry_id not in engine.kb.by_id:
            tell(deps, client, body, blocks.note(blocks.word("unknown_entry", data["l"])), _ref(data))
            return
        deps.recorder.suggestion(team_of(body), entry_id, ref=_ref(data))
        answer = engine.explain(entry_id, data["l"], now=deps.clock())
        msg = blocks.answer_message(
            answer,
            engine.kb,
            question=data["q"],
            share=where.ephemeral,
            explained=entry_id,
            ref=_ref(data),
            shared=bool(data.get("s")),  # under a shared answer: still no question to carry
        )
        if where.ephemeral or not where.channel:
            reply_ephemerally(deps, body, msg, _ref(data))
            return
        post(client, where.channel, msg, where.thread_ts)

    def on_share(body: dict[str, Any], action: dict[str, Any]) -> None:
        data = blocks.unpack_value(action.get("value"))
        engine = deps.engine()
        entry_id = data.get("e")
        if isinstance(entry_id, str) and entry_id in engine.kb.by_id:
            answer = engine.explain(entry_id, data["l"], now=deps.clock())
        else:
            answer = engine.answer(data["q"], now=deps.clock())
        msg = blocks.shared_message(answer, engine.kb, ref=_ref(data))
        ref, url, team_id = request_ref(body), body.get("response_url"), team_of(body)
        shared = respond(
            deps,
            url,
            ref=ref,
            team_id=team_id,
            qref=_ref(data),
            response_type="in_channel",
            replace_original=False,
            **msg.kwargs(),
        )
        if shared:  # the ephemeral answer goes; a failure to remove it loses nothing
            respond(deps, url, ref=ref, team_id=team_id, qref=None, record=False, delete_original=True)

    # each button is acknowledged at once, its work done afterwards (see bot.slack.replies)
    on(app.action(blocks.HELPFUL), deps, on_helpful)
    on(app.action(blocks.NOT_HELPFUL), deps, on_ask_person)
    on(app.action(blocks.ASK_PERSON), deps, on_ask_person)
    on(app.action(blocks.SUGGEST_PATTERN), deps, on_suggestion)
    on(app.action(blocks.SHARE), deps, on_share)


def _ref(data: dict[str, Any]) -> str | None:
    """The question a button was under (its event or trigger id), if the value carries it."""
    ref = data.get("r")
    return ref if isinstance(ref, str) and ref else None


def _topics(data: dict[str, Any]) -> list[str]:
    topics = data.get("t")
    return [t for t in topics if isinstance(t, str)] if isinstance(topics, list) else []


def _heading(kb: Any, entry_id: str) -> str:
    e = kb.by_id[entry_id]
    return f"{e.codes[0]} {e.heading('nl')}" if e.codes else str(e.heading("nl"))
