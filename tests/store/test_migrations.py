"""Schema versions: a database made by an older release upgrades with every row intact."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Boolean, Integer, String, column, select, table

from bot.store import QuestionRecord, open_store
from bot.store.db import current_revision, make_engine, migrate
from bot.store.schema import UTCDateTime, actions, metadata, processed_events, question_topics, questions

AT = datetime(2026, 10, 1, 8, 15, 30, tzinfo=UTC)

# the questions table as revision 0001 made it (no latency_ms yet)
questions_v1 = table(
    "questions",
    column("team_id", String),
    column("created_at", UTCDateTime()),
    column("channel_type", String),
    column("ref", String),
    column("answered", Boolean),
    column("confidence", Integer),
    column("language", String),
    column("text", String),
    column("text_key", String),
)


def test_a_revision_1_database_upgrades_to_head_with_its_rows_intact(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
        conn.execute(
            questions_v1.insert(),
            [
                {
                    "team_id": "T1",
                    "created_at": AT,
                    "channel_type": "dm",
                    "ref": "Ev1",
                    "answered": False,
                    "confidence": 12,
                    "language": "nl",
                    "text": "wat is retourcode 9999",
                    "text_key": "wat is retourcode 9999",
                }
            ],
        )
        conn.execute(question_topics.insert().values(question_id=1, position=0, topic_id="retourcode-8290"))
        conn.execute(actions.insert().values(team_id="T1", created_at=AT, kind="handoff", question_ref="Ev1"))
        conn.execute(processed_events.insert().values(team_id="T1", event_id="Ev1", seen_at=AT))
    engine.dispose()

    store = open_store(db_url)  # what the next release does on start
    try:
        assert current_revision(store.engine) == "0002"
        with store.engine.connect() as conn:
            old = conn.execute(select(questions)).one()
            topic = conn.execute(select(question_topics.c.topic_id)).scalar_one()
            action = conn.execute(select(actions.c.kind, actions.c.question_ref, actions.c.created_at)).one()
        assert (old.team_id, old.created_at, old.channel_type, old.ref, old.answered) == (
            "T1",
            AT,
            "dm",
            "Ev1",
            False,
        )
        assert (old.confidence, old.language, old.text, old.latency_ms) == (
            12,
            "nl",
            "wat is retourcode 9999",
            None,
        )
        assert topic == "retourcode-8290"
        assert tuple(action) == ("handoff", "Ev1", AT)
        assert store.first_delivery("Ev1", "T1") is False  # a redelivery across the upgrade is still caught
        new_id = store.record_question(
            QuestionRecord("T1", "channel", True, "nl", 95, latency_ms=38)
        )  # the new column works
        with store.engine.connect() as conn:
            assert conn.execute(select(questions.c.latency_ms).where(questions.c.id == new_id)).scalar() == 38
    finally:
        store.close()


def test_opening_at_head_again_changes_nothing(db_url: str) -> None:
    store = open_store(db_url)
    store.record_question(QuestionRecord("T1", "channel", True, "nl", 95))
    store.close()
    again = open_store(db_url)
    try:
        assert current_revision(again.engine) == "0002"
        with again.engine.connect() as conn:
            assert len(conn.execute(select(questions)).all()) == 1
    finally:
        again.close()


def test_the_migrations_build_exactly_the_tables_the_code_uses(db_url: str) -> None:
    """schema.py and migrations/versions/ describe the same schema (no forgotten migration)."""
    store = open_store(db_url)
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        store.close()
    assert diff == []
