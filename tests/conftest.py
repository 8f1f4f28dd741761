"""Shared fixtures: the real knowledge base and engine, loaded once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.engine.answer import Engine
from bot.engine.knowledge import KnowledgeBase, default_dir, load

AMS = ZoneInfo("Europe/Amsterdam")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def private_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The default SQLite database (and anything else in the state directory) of every bot
    the tests start, in this process or as a subprocess, goes to a temporary folder."""
    old = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    yield
    if old is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = old


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load(default_dir())


@pytest.fixture(scope="session")
def engine(kb: KnowledgeBase) -> Engine:
    return Engine(kb)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Amsterdam time (what the helpdesk hours are in)."""
    return datetime(year, month, day, hour, minute, tzinfo=AMS)
