"""Shared fixtures: the real knowledge base and engine, loaded once per test session."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.engine.answer import Engine
from bot.engine.knowledge import KnowledgeBase, default_dir, load

AMS = ZoneInfo("Europe/Amsterdam")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load(default_dir())


@pytest.fixture(scope="session")
def engine(kb: KnowledgeBase) -> Engine:
    return Engine(kb)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Amsterdam time (what the helpdesk hours are in)."""
    return datetime(year, month, day, hour, minute, tzinfo=AMS)
