"""What the Slack app remembers: questions, clicks, hand-offs and failed replies.

Listeners answer first and record afterwards, so answering never waits on the database
and never fails because of it. A write that fails (database down, file locked) or does not
finish within the deadline (`bot.store.deadline`: a database gone silent) is logged with
the request it belongs to and dropped, so no listener thread waits on a dead connection;
every write is its own short transaction, so recording resumes by itself when the database
is back. Without a store (`Recorder(None)`)
nothing is recorded.

`ref` ties a click to the question it was under: the question's event id (or trigger id
for /declaratie), carried in the buttons' value as "r".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from bot.engine.answer import Answer
from bot.store.db import one_line
from bot.store.deadline import Deadline
from bot.store.events import QuestionRecord, Store

log = logging.getLogger("declaratiebot.store")


class Recorder:
    def __init__(self, store: Store | None, deadline: Deadline | None = None):
        self.store = store
        self.deadline = deadline or Deadline(name="recording")

    def question(
        self,
        team_id: str,
        *,
        channel_type: str,
        question: str,
        answer: Answer,
        latency_ms: int,
        ref: str | None,
    ) -> None:
        if answer.help or answer.thanks:
            return  # "hoi", "help", "bedankt!": not a question, so not in the figures
        record = QuestionRecord(
            team_id=team_id,
            channel_type=channel_type,
            answered=answer.answered,
            language=answer.language,
            confidence=answer.confidence,
            codes=answer.codes,
            topics=answer.topic,
            text=question,
            latency_ms=latency_ms,
            ref=ref,
        )
        self._write("question", ref, lambda s: s.record_question(record))

    def explanation(
        self,
        team_id: str,
        *,
        channel_type: str,
        language: str,
        explained: bool,
        codes: Sequence[str],
        topics: Sequence[str],
        latency_ms: int,
        ref: str | None,
    ) -> None:
        """A retour file shared with the bot counts as a question: answered when it was
        explained, with its retourcodes and their entries; nothing of the file is kept (no
        text, no name)."""
        record = QuestionRecord(
            team_id=team_id,
            channel_type=channel_type,
            answered=explained,
            language=language,
            confidence=100 if explained else 0,
            codes=codes,
            topics=topics,
            text=None,
            latency_ms=latency_ms,
            ref=ref,
        )
        self._write("explained file", ref, lambda s: s.record_question(record))

    def feedback(self, team_id: str, helpful: bool, *, ref: str | None, topics: Sequence[str]) -> None:
        topic = topics[0] if topics else None
        self._write(
            "feedback", ref, lambda s: s.record_feedback(team_id, helpful, question_ref=ref, topic_id=topic)
        )

    def suggestion(self, team_id: str, entry_id: str, *, ref: str | None) -> None:
        self._write(
            "suggestion click", ref, lambda s: s.record_suggestion_click(team_id, entry_id, question_ref=ref)
        )

    def handoff(self, team_id: str, *, ref: str | None, topics: Sequence[str] = ()) -> None:
        topic = topics[0] if topics else None
        self._write("hand-off", ref, lambda s: s.record_handoff(team_id, question_ref=ref, topic_id=topic))

    def failure(self, team_id: str, *, ref: str | None) -> None:
        self._write("failed reply", ref, lambda s: s.record_failure(team_id, question_ref=ref))

    def _write(self, what: str, ref: str | None, write: Callable[[Store], Any]) -> None:
        store = self.store
        if store is None:
            return
        try:
            self.deadline.call(lambda: write(store))
        except Exception as exc:  # the database is down or locked: answering goes on
            log.warning("could not record %s of %s: %s", what, ref or "?", one_line(exc))


def team_of(body: dict[str, Any]) -> str:
    """The workspace a request comes from (events, commands and actions put it differently)."""
    team = (
        body.get("team_id") or (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    )
    return team if isinstance(team, str) else ""
