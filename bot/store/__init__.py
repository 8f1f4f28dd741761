"""Storage: questions, clicks and processed event ids in SQLite (default) or PostgreSQL.

    store = open_store(settings.database_url, store_questions=settings.store_questions)
    if store.first_delivery(event_id, team_id): ...
    store.record_question(QuestionRecord(...))

See docs/storage.md. The store uses the engine's privacy and normalize helpers, never
engine.answer, and knows nothing of Slack beyond slack_sdk's OAuth stores (oauth.py).
"""

from __future__ import annotations

from bot.store.db import default_path, open_store
from bot.store.events import QuestionRecord, Store
from bot.store.retention import Retention

__all__ = ["QuestionRecord", "Retention", "Store", "default_path", "open_store"]
