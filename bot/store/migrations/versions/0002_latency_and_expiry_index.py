"""Answer latency per question; an index on processed_events.seen_at for expiring old ids.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("questions", sa.Column("latency_ms", sa.Integer, nullable=True))
    op.create_index("ix_processed_events_seen_at", "processed_events", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_processed_events_seen_at", table_name="processed_events")
    with op.batch_alter_table("questions") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("latency_ms")
