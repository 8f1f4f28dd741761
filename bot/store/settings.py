"""The store's settings from the environment (to be folded into bot/config.py).

DATABASE_URL      where the data lives (default: a SQLite file in the user's state directory)
STORE_QUESTIONS   keep the masked question text (default on; off keeps only the figures)
RETENTION_DAYS    delete questions and clicks older than this many days (default 90)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class StoreSettings:
    database_url: str | None = field(default=None, repr=False)  # may hold a password
    store_questions: bool = True
    retention_days: int = 90

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StoreSettings:
        """Defaults, overridden by the environment; ValueError naming every malformed variable."""
        env = os.environ if environ is None else environ
        problems: list[str] = []
        settings = cls()
        url = env.get("DATABASE_URL", "").strip() or None
        store_questions = settings.store_questions
        raw = env.get("STORE_QUESTIONS", "").strip().lower()
        if raw in TRUE:
            store_questions = True
        elif raw in FALSE:
            store_questions = False
        elif raw:
            problems.append(f"STORE_QUESTIONS is malformed: expected one of {'/'.join(TRUE + FALSE)}")
        retention_days = settings.retention_days
        raw = env.get("RETENTION_DAYS", "").strip()
        if raw:
            if raw.isdigit() and int(raw) >= 1:
                retention_days = int(raw)
            else:
                problems.append(f"RETENTION_DAYS is malformed: expected whole days >= 1, got {raw!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return cls(database_url=url, store_questions=store_questions, retention_days=retention_days)
