"""DATABASE_URL, STORE_QUESTIONS, RETENTION_DAYS from the environment."""

from __future__ import annotations

import pytest

from bot.store import StoreSettings


def test_defaults_when_nothing_is_set() -> None:
    s = StoreSettings.from_env({})
    assert (s.database_url, s.store_questions, s.retention_days) == (None, True, 90)


def test_values_from_the_environment() -> None:
    s = StoreSettings.from_env(
        {
            "DATABASE_URL": "postgresql+psycopg://bot:pw@db/bot",
            "STORE_QUESTIONS": "off",
            "RETENTION_DAYS": "30",
        }
    )
    assert (s.database_url, s.store_questions, s.retention_days) == (
        "postgresql+psycopg://bot:pw@db/bot",
        False,
        30,
    )
    assert "pw" not in repr(s)  # the URL may hold a password


@pytest.mark.parametrize("raw", ["yes", "TRUE", "1", "On"])
def test_store_questions_on(raw: str) -> None:
    assert StoreSettings.from_env({"STORE_QUESTIONS": raw}).store_questions is True


def test_every_malformed_variable_is_named() -> None:
    with pytest.raises(ValueError) as exc:
        StoreSettings.from_env({"STORE_QUESTIONS": "maybe", "RETENTION_DAYS": "0"})
    assert "STORE_QUESTIONS" in str(exc.value) and "RETENTION_DAYS" in str(exc.value)
    with pytest.raises(ValueError, match="RETENTION_DAYS"):
        StoreSettings.from_env({"RETENTION_DAYS": "90d"})
