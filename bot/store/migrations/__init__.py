"""Alembic migrations of the store, run by `bot.store.db.migrate` (no alembic.ini needed)."""
