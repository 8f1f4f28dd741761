"""Storage: questions, clicks and processed event ids in SQLite (default) or PostgreSQL.

    store = open_store(StoreSettings.from_env().database_url)
    if store.first_delivery(event_id, team_id): ...
    store.record_question(QuestionRecord(...))

See docs/storage.md. The store uses the engine's privacy and normalize helpers, never
engine.answer, and knows nothing of Slack beyond slack_sdk's OAuth stores (oauth.py).
"""

from __future__ import annotations

from bot.store.db import default_path, open_store
from bot.store.events import QuestionRecord, Store
from bot.store.retention import Retention
from bot.store.settings import StoreSettings

__all__ = ["QuestionRecord", "Retention", "Store", "StoreSettings", "default_path", "open_store"]
