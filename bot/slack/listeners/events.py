"""Questions asked by mentioning the bot in a channel, or in a direct message.

A mention is answered in a thread under the question (the thread it was asked in, else a
new one under the message), never in the channel root. A direct message is answered in
the DM; a question in a DM thread is answered in that thread. A message that shares files
(a retour file) goes to files.py instead. Only people asking get an
answer: bots (this one included), edits, deletions and other message subtypes are ignored.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.listeners.files import explain_shared_files
from bot.slack.recording import team_of
from bot.slack.replies import Deps, answer_in_conversation, on

# message subtypes that are still a person asking (a file with a question, a thread reply
# also sent to the channel); every other subtype is an edit, a deletion, a join, a bot ...
PERSON_SUBTYPES = frozenset({"file_share", "thread_broadcast"})


def from_person(event: dict[str, Any], bot_user_id: str | None) -> bool:
    subtype = event.get("subtype")
    if subtype is not None and subtype not in PERSON_SUBTYPES:
        return False
    if event.get("bot_id") or event.get("bot_profile") or event.get("edited"):
        return False
    user = event.get("user")
    return isinstance(user, str) and bool(user) and user != bot_user_id


def register(app: App, deps: Deps) -> None:
    def on_mention(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        if not from_person(event, context.bot_user_id):
            return
        thread_ts = event.get("thread_ts") or event["ts"]
        if event.get("files"):  # a retour file with the mention: explained in the thread
            explain_shared_files(deps, client, body)
            return
        answer_in_conversation(
            deps,
            client,
            question=str(event.get("text") or ""),
            channel=event["channel"],
            thread_ts=thread_ts,
            user=event["user"],
            link_ts=thread_ts,
            ref=f"event {body.get('event_id')}",
            team_id=team_of(body),
            qref=body.get("event_id"),
        )

    def on_message(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        if event.get("channel_type") != "im" or not from_person(event, context.bot_user_id):
            return
        if event.get("files"):  # a retour file dropped in the DM: explained in a thread under it
            explain_shared_files(deps, client, body)
            return
        answer_in_conversation(
            deps,
            client,
            question=str(event.get("text") or ""),
            channel=event["channel"],
            thread_ts=event.get("thread_ts"),
            user=event["user"],
            link_ts=event.get("thread_ts") or event["ts"],
            ref=f"event {body.get('event_id')}",
            team_id=team_of(body),
            qref=body.get("event_id"),
        )

    # acknowledged at once, answered afterwards (see bot.slack.replies)
    on(app.event("app_mention"), deps, on_mention)
    on(app.event("message"), deps, on_message)
