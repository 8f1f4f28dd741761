"""What the listeners share: the app's dependencies, acknowledging first and working later,
posting a reply, passing a question on.

Every listener is registered as `on(app.event(...), deps, work)`: Slack gets its
acknowledgement from `ack_now`, which does no I/O, in the thread that received the
request; `work` (the answer, every Web API call, every database write) runs afterwards in
the app's listener pool. So a busy pool, a slow Web API or a slow database can delay a
reply, never the acknowledgement that Slack wants within 3 seconds.

Listeners only know Slack (which channel, which thread, who); the answer comes from the
engine and its blocks from `blocks.py`. Web API failures are not swallowed here: they
propagate out of `work` to `report_failure`, which logs them with the event id and
records them. The one exception is the hand-off to the support channel, whose failure is
logged and then told to the person, who is given someone to ask instead.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack
from slack_bolt.kwargs_injection import Args
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.config import Settings
from bot.engine.answer import Answer, Engine
from bot.slack import blocks
from bot.slack.dedupe import Dedupe
from bot.slack.recording import Recorder, team_of
from bot.store.deadline import StoreTimeout

log = logging.getLogger("declaratiebot.slack")


# the App Home's usage figures for a workspace (team id); None: none to show
Usage = Callable[[str], Sequence[tuple[str, str]] | None]


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Callable[[], Engine]  # the current engine (knowledge can be reloaded)
    dedupe: Dedupe
    webhook: Callable[[str], WebhookClient]  # a client for a response_url, with retries
    recorder: Recorder = field(default_factory=lambda: Recorder(None))
    usage: Usage | None = None
    clock: Callable[[], datetime] = now  # when "open now" is decided (answers, cards, App Home)


def ack_now(ack: Ack) -> None:
    """The acknowledgement alone: no Web API call and no database, so it never waits."""
    ack()


def later(deps: Deps, work: Callable[..., None]) -> Callable[[Args], None]:
    """`work` as a lazy listener: run in the app's listener pool after the acknowledgement,
    given the arguments it names (`body`, `event`, `command`, `action`, `client`, `context`);
    a failure is logged and recorded by `report_failure`, as the app's error handler does
    for the rest (Bolt itself would only log a lazy listener's error, without the request)."""
    names = list(inspect.signature(work).parameters)

    def run(args: Args) -> None:
        try:
            work(**{name: getattr(args, name) for name in names})
        except Exception as exc:
            report_failure(deps.recorder, exc, args.body)

    run.__name__ = run.__qualname__ = work.__name__  # Bolt names a lazy listener by it
    return run


def on(register: Callable[..., Any], deps: Deps, work: Callable[..., None]) -> None:
    """Register `work` for what `register` matches (`app.event("app_mention")`, `app.command(...)`,
    `app.action(...)`): acknowledged at once by `ack_now`, done `later` in the pool."""
    register(ack=ack_now, lazy=[later(deps, work)])


def report_failure(recorder: Recorder, error: Exception, body: dict[str, Any]) -> None:
    """A listener failed for good (the SDK's retries are spent): log it with the event id,
    and record it, so the report shows replies that never reached the person."""
    if isinstance(error, StoreTimeout):  # say, the workspace's token could not be looked up
        # one line, and nothing recorded: that would wait for the same silent database,
        # before the acknowledgement (Slack retries the event later)
        log.error("handling %s failed: the database did not answer (%s)", request_ref(body), error)
        return
    if isinstance(error, SlackApiError):
        log.error("Slack Web API call failed for %s: %s", request_ref(body), describe(error))
    else:
        log.error("handling %s failed", request_ref(body), exc_info=error)
    ref = body.get("event_id") or body.get("trigger_id")
    recorder.failure(team_of(body), ref=ref if isinstance(ref, str) else None)


def post(client: WebClient, channel: str, msg: blocks.Message, thread_ts: str | None = None) -> None:
    """chat.postMessage without link previews (a knowledge link must not unfurl a page)."""
    client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=msg.text,
        blocks=msg.blocks,
        unfurl_links=False,
        unfurl_media=False,
    )


def respond(
    deps: Deps,
    response_url: Any,
    *,
    ref: str,
    team_id: str,
    qref: str | None,
    record: bool = True,
    **message: Any,
) -> bool:
    """Post `message` (text, blocks, response_type, replace_original, delete_original) to a
    request's response_url: the slash command's answer, ephemeral replies, a shared answer.

    Retried like a Web API call (a 429 after its Retry-After, a 5xx, a dropped connection).
    A reply that still fails is logged with the request `ref` and, when `record`, recorded
    against the question `qref`, like a Web API call that fails for good. True when Slack
    took it. The URL itself is never logged: it is a credential to post in the channel."""
    problem = None
    if not isinstance(response_url, str) or not response_url:
        problem = "the request has no response_url"
    else:
        try:
            result = deps.webhook(response_url).send_dict(message)
        except Exception as exc:  # still no connection after the retries
            problem = f"{type(exc).__name__}: {exc}"[:300]
        else:
            if result.status_code == 200:
                return True
            problem = f"HTTP {result.status_code} {result.body[:200]}"
    log.error("reply to %s via response_url failed: %s", ref, problem)
    if record:
        deps.recorder.failure(team_id, ref=qref)
    return False


def needs_person(answer: Answer) -> bool:
    """The bot does not know and has nothing to suggest: pass the question on by itself.
    A greeting, an empty question or a thank-you is no question for a person."""
    return not answer.answered and not answer.help and not answer.thanks and not answer.suggestions


def answer_in_conversation(
    deps: Deps,
    client: WebClient,
    *,
    question: str,
    channel: str,
    thread_ts: str | None,
    user: str,
    link_ts: str | None,
    ref: str,
    team_id: str = "",
    qref: str | None = None,
) -> None:
    """Answer a mention or a direct message where it was asked (`thread_ts` None: no thread).

    `ref` names the request in logs; `qref` (the event id) ties clicks to the question."""
    started = time.perf_counter()
    engine = deps.engine()
    answer = engine.answer(question, now=deps.clock())
    notice = None
    if needs_person(answer):
        notice = hand_off(
            deps,
            client,
            question=question,
            reason="unknown",
            user=user,
            channel=channel,
            link_ts=link_ts,
            lang=answer.language,
            ref=ref,
            team_id=team_id,
            qref=qref,
            dm_with_bot=channel.startswith("D"),  # a direct message to the bot (message.im)
        )
    msg = blocks.answer_message(answer, engine.kb, question=question, notice=notice, ref=qref)
    try:
        post(client, channel, msg, thread_ts)
        log.info(
            "answered %s: answered=%s topic=%s codes=%s",
            ref,
            answer.answered,
            answer.topic,
            list(answer.codes),
        )
    finally:  # a reply that fails for good is still a question asked (the app's error
        # handler logs the failure and records it as reply_failed), as for /declaratie
        deps.recorder.question(
            team_id,
            channel_type="dm" if channel.startswith("D") else "channel",
            question=question,
            answer=answer,
            latency_ms=round((time.perf_counter() - started) * 1000),
            ref=qref,
        )


def hand_off(
    deps: Deps,
    client: WebClient,
    *,
    question: str,
    reason: str,
    user: str,
    channel: str | None,
    link_ts: str | None,
    lang: str,
    ref: str,
    command: bool = False,
    topics: tuple[str, ...] = (),
    team_id: str = "",
    qref: str | None = None,
    topic_ids: tuple[str, ...] = (),
    clicked: bool = False,
    dm_with_bot: bool = False,
    shared: bool = False,
) -> str:
    """Post the (cleaned, masked) question to the support channel; return what to tell the person.

    `user` is named as who asked, or with `clicked` as who passed it on (see
    `blocks.support_message`). A hand-off that reached the channel is recorded against the
    question `qref`."""
    support = deps.settings.support_channel_id
    contact = deps.settings.support_contact
    if not support:
        return blocks.handoff_notice(lang, None, contact=contact)
    link = permalink(client, channel, link_ts, ref) if channel and link_ts else None
    msg = blocks.support_message(
        question,
        reason=reason,
        asker=user,
        channel=channel,
        link=link,
        command=command,
        topics=topics,
        clicked=clicked,
        dm_with_bot=dm_with_bot,
        shared=shared,
    )
    try:
        post(client, support, msg)
    except SlackApiError as exc:
        log.error("hand-off of %s to %s failed: %s", ref, support, describe(exc))
        return blocks.handoff_notice(lang, None, failed=True, contact=contact)
    log.info("handed off %s to %s (%s)", ref, support, reason)
    deps.recorder.handoff(team_id, ref=qref, topics=topic_ids)
    return blocks.handoff_notice(lang, support)


def permalink(client: WebClient, channel: str, ts: str, ref: str) -> str | None:
    """A link to the thread, for channels only (a DM link is no use to support)."""
    if not channel.startswith(("C", "G")):
        return None
    try:
        link = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError as exc:
        log.warning("no permalink for %s: %s", ref, describe(exc))
        return None
    return link if isinstance(link, str) else None


def describe(exc: Exception) -> str:
    """A Web API error in one line: method, HTTP status, Slack's error code (never the token)."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        error = response.get("error") if isinstance(response.data, dict) else None
        method = str(response.api_url).rstrip("/").rsplit("/", 1)[-1]
        return f"{method}: HTTP {response.status_code}, error={error or 'none'}"
    return f"{type(exc).__name__}: {exc}"


def request_ref(body: dict[str, Any]) -> str:
    """How a request is named in logs: the event id, else the command or action and trigger id."""
    if body.get("event_id"):
        return f"event {body['event_id']}"
    if body.get("command"):
        return f"command {body['command']} (trigger {body.get('trigger_id', '?')})"
    acts = body.get("actions") or [{}]
    action_id = acts[0].get("action_id", "?") if isinstance(acts[0], dict) else "?"
    return f"{body.get('type', 'request')} {action_id} (trigger {body.get('trigger_id', '?')})"
