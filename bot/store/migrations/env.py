"""Alembic environment: runs on the connection `bot.store.db.migrate` hands over.

Several instances may start at once against one database: the schema lock (an advisory
lock on PostgreSQL, BEGIN IMMEDIATE on SQLite) makes the others wait and then find the
schema at head, instead of creating the same tables twice.
"""

from __future__ import annotations

from alembic import context

from bot.store.db import schema_lock

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through bot.store.db.migrate(engine), which passes a connection")

context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    schema_lock(connection)
    context.run_migrations()
