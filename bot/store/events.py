"""What the bot writes: processed event ids, questions, clicks; and the retention purge.

`Store` is what the Slack listeners hold. Every write is one short transaction, so it is
safe from many threads and from several processes sharing one database.

Dedupe: `first_delivery(event_id, team_id)` is an atomic insert-or-skip
(INSERT ... ON CONFLICT DO NOTHING): of any number of deliveries of one event id, to any
instance, exactly one gets True. It fits `bot.slack.dedupe.Dedupe`.

Questions and clicks are tied together by a `ref` the caller chooses (the Slack wiring uses
the question's event id, carried in the buttons' value): the report counts an answered
question as deflected unless an action with that `question_ref` hands it off or marks it
not helpful.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Insert, delete, insert, select

from bot.config import MAX_RETENTION_DAYS
from bot.engine.normalize import fold, strip_slack
from bot.engine.privacy import mask
from bot.store.schema import (
    ACTION_KINDS,
    CHANNEL_TYPES,
    actions,
    processed_events,
    question_codes,
    question_topics,
    questions,
)

MAX_TEXT = 1000  # characters of question text kept (after masking); a Slack message can be 40,000
EVENT_ID_TTL = timedelta(days=7)  # Slack retries within minutes; buttons can be pressed again later


def _now() -> datetime:
    return datetime.now(UTC)


def clean_text(text: str) -> str:
    """Slack markup out, whitespace collapsed, personal data masked, at most MAX_TEXT
    characters. Collapsed first: "111    222    333" is no BSN to the masker (at most three
    separators), but would be stored as one, "111 222 333", once collapsed."""
    return mask(re.sub(r"\s+", " ", strip_slack(text))).strip()[:MAX_TEXT]


@dataclass(frozen=True)
class QuestionRecord:
    """One question the bot handled. `text` is the user's text as typed: the store masks it."""

    team_id: str
    channel_type: str  # "channel", "dm" or "command"
    answered: bool
    language: str  # "nl" or "en"
    confidence: int  # 0-100
    codes: Sequence[str] = ()
    topics: Sequence[str] = ()  # knowledge entry ids, in the answer's order
    text: str | None = None
    latency_ms: int | None = None
    ref: str | None = None  # ties later clicks to this question (e.g. the Slack event id)
    at: datetime | None = field(default=None)  # default: now


class Store:
    def __init__(self, engine: Engine, *, store_questions: bool = True, location: str | None = None):
        self.engine = engine
        self.store_questions = store_questions
        self._location = location

    @property
    def location(self) -> str:
        """Which database this is, as it may be shown: its URL with the password hidden."""
        from bot.store.db import loggable_url

        if self._location is None:
            self._location = loggable_url(self.engine.url.render_as_string(hide_password=False))
        return self._location

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ dedupe

    def first_delivery(self, event_id: str, team_id: str = "", now: datetime | None = None) -> bool:
        """True for the first delivery of `event_id` in `team_id`, False for every repeat."""
        stmt = self._insert_or_skip(
            processed_events, {"team_id": team_id, "event_id": event_id, "seen_at": now or _now()}
        ).returning(processed_events.c.event_id)  # a row back only when this insert happened
        with self.engine.begin() as conn:
            return conn.execute(stmt).first() is not None

    def _insert_or_skip(self, table: Any, values: dict[str, Any]) -> Insert:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table).values(values).on_conflict_do_nothing()
        if self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            return sqlite_insert(table).values(values).on_conflict_do_nothing()
        raise NotImplementedError(f"no insert-or-skip for {self.dialect}; use SQLite or PostgreSQL")

    def expire_event_ids(self, older_than: timedelta = EVENT_ID_TTL, now: datetime | None = None) -> int:
        """Forget event ids seen more than `older_than` ago; returns how many."""
        cutoff = (now or _now()) - older_than
        with self.engine.begin() as conn:
            return conn.execute(delete(processed_events).where(processed_events.c.seen_at < cutoff)).rowcount

    # ------------------------------------------------------------------ questions and clicks

    def record_question(self, q: QuestionRecord) -> int:
        """Store one handled question (text masked, or left out when STORE_QUESTIONS is off)."""
        if q.channel_type not in CHANNEL_TYPES:
            raise ValueError(f"channel_type {q.channel_type!r} is not one of {CHANNEL_TYPES}")
        text = clean_text(q.text) if self.store_questions and q.text else None
        row = {
            "team_id": q.team_id,
            "created_at": q.at or _now(),
            "channel_type": q.channel_type,
            "ref": q.ref,
            "answered": q.answered,
            "confidence": max(0, min(100, int(q.confidence))),
            "language": q.language,
            "text": text or None,
            "text_key": (fold(text)[:500] or None) if text else None,
            "latency_ms": q.latency_ms,
        }
        topics = list(dict.fromkeys(q.topics))
        codes = list(dict.fromkeys(q.codes))
        with self.engine.begin() as conn:
            key = conn.execute(insert(questions).values(row)).inserted_primary_key
            assert key is not None
            qid = int(key[0])
            if topics:
                ranked = [{"question_id": qid, "position": i, "topic_id": t} for i, t in enumerate(topics)]
                conn.execute(insert(question_topics), ranked)
            if codes:
                conn.execute(insert(question_codes), [{"question_id": qid, "code": c} for c in codes])
        return qid

    def record_feedback(
        self,
        team_id: str,
        helpful: bool,
        *,
        question_ref: str | None = None,
        topic_id: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """A click on "helpful" or "not helpful" under an answer."""
        self._action(team_id, "helpful" if helpful else "not_helpful", question_ref, topic_id, at)

    def record_suggestion_click(
        self, team_id: str, entry_id: str, *, question_ref: str | None = None, at: datetime | None = None
    ) -> None:
        """A click on a "did you mean" suggestion (`entry_id` is the entry it opened)."""
        self._action(team_id, "suggestion", question_ref, entry_id, at)

    def record_handoff(
        self,
        team_id: str,
        *,
        question_ref: str | None = None,
        topic_id: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """A question passed on to the support channel (by a click or by the bot itself)."""
        self._action(team_id, "handoff", question_ref, topic_id, at)

    def record_failure(
        self, team_id: str, *, question_ref: str | None = None, at: datetime | None = None
    ) -> None:
        """A reply that could not be delivered after the Web API retries were spent."""
        self._action(team_id, "reply_failed", question_ref, None, at)

    def _action(
        self, team_id: str, kind: str, question_ref: str | None, topic_id: str | None, at: datetime | None
    ) -> None:
        assert kind in ACTION_KINDS
        row = {
            "team_id": team_id,
            "created_at": at or _now(),
            "kind": kind,
            "question_ref": question_ref,
            "topic_id": topic_id,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(actions).values(row))

    # ------------------------------------------------------------------ retention

    def purge(self, older_than_days: int, now: datetime | None = None) -> int:
        """Delete questions (with their topics and codes) and actions older than the cutoff."""
        if not 1 <= older_than_days <= MAX_RETENTION_DAYS:
            raise ValueError(f"older_than_days must be from 1 to {MAX_RETENTION_DAYS}, got {older_than_days}")
        cutoff = (now or _now()) - timedelta(days=older_than_days)
        old = select(questions.c.id).where(questions.c.created_at < cutoff)
        with self.engine.begin() as conn:
            # children first: not every SQLite connection enforces ON DELETE CASCADE
            conn.execute(delete(question_topics).where(question_topics.c.question_id.in_(old)))
            conn.execute(delete(question_codes).where(question_codes.c.question_id.in_(old)))
            deleted = conn.execute(delete(questions).where(questions.c.created_at < cutoff)).rowcount
            deleted += conn.execute(delete(actions).where(actions.c.created_at < cutoff)).rowcount
        return int(deleted)
