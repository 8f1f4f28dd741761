"""The tables, as the newest migration leaves them (SQLAlchemy Core).

The queries in `events.py` and `report.py` use these; the migrations in `migrations/versions/`
create and change them. Change both together: a new migration for every change here.

Every row carries the Slack workspace (`team_id`). Times are stored in UTC (`UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
Id = BigInteger().with_variant(Integer(), "sqlite")

CHANNEL_TYPES = ("channel", "dm", "command")  # a mention in a channel, a direct message, /declaratie
ACTION_KINDS = ("helpful", "not_helpful", "suggestion", "handoff", "reply_failed")


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime in, an aware UTC datetime out, on both backends.

    PostgreSQL stores `timestamp with time zone`; SQLite has no time zones, so the value is
    stored as naive UTC text (fixed width, so comparisons in SQL order correctly).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware one (e.g. datetime.now(UTC))")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

questions = Table(
    "questions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("team_id", String(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("channel_type", String(16), nullable=False),  # one of CHANNEL_TYPES
    Column("ref", String(255)),  # the caller's key for this question, e.g. its Slack event id
    Column("answered", Boolean, nullable=False),
    Column("confidence", SmallInteger, nullable=False),  # 0-100
    Column("language", String(8), nullable=False),
    Column("text", Text),  # masked; NULL when STORE_QUESTIONS is off
    Column("text_key", String(500)),  # fold(text): groups the same question typed differently
    Column("latency_ms", Integer),  # added in migration 0002
    Index("ix_questions_team_created", "team_id", "created_at"),
    Index("ix_questions_team_ref", "team_id", "ref"),
)

question_topics = Table(
    "question_topics",
    metadata,
    Column("question_id", Id, ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    Column("position", SmallInteger, primary_key=True),
    Column("topic_id", String(200), nullable=False),  # a knowledge entry id
)

question_codes = Table(
    "question_codes",
    metadata,
    Column("question_id", Id, ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(64), primary_key=True),
)

actions = Table(
    "actions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("team_id", String(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("kind", String(16), nullable=False),  # one of ACTION_KINDS
    Column("question_ref", String(255)),  # questions.ref of the question it is about, if known
    Column("topic_id", String(200)),  # the entry the feedback was about, or the suggestion clicked
    Index("ix_actions_team_created", "team_id", "created_at"),
    Index("ix_actions_team_ref", "team_id", "question_ref"),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("event_id", String(255), primary_key=True),
    Column("seen_at", UTCDateTime(), nullable=False),
    Index("ix_processed_events_seen_at", "seen_at"),  # added in migration 0002
)
