"""Initial schema: questions (with topics and codes), actions, processed event ids.

Revision ID: 0001
Revises:
Create Date: 2026-11-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel_type", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(255)),
        sa.Column("answered", sa.Boolean, nullable=False),
        sa.Column("confidence", sa.SmallInteger, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("text_key", sa.String(500)),
    )
    op.create_index("ix_questions_team_created", "questions", ["team_id", "created_at"])
    op.create_index("ix_questions_team_ref", "questions", ["team_id", "ref"])
    op.create_table(
        "question_topics",
        sa.Column("question_id", Id, sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.SmallInteger, primary_key=True),
        sa.Column("topic_id", sa.String(200), nullable=False),
    )
    op.create_table(
        "question_codes",
        sa.Column("question_id", Id, sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(64), primary_key=True),
    )
    op.create_table(
        "actions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("question_ref", sa.String(255)),
        sa.Column("topic_id", sa.String(200)),
    )
    op.create_index("ix_actions_team_created", "actions", ["team_id", "created_at"])
    op.create_index("ix_actions_team_ref", "actions", ["team_id", "question_ref"])
    op.create_table(
        "processed_events",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("processed_events", "actions", "question_codes", "question_topics", "questions"):
        op.drop_table(table)
