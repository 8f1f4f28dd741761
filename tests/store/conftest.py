"""Store fixtures over both backends: a SQLite file, and the real PostgreSQL on 127.0.0.1:5432.

PostgreSQL tests run whenever the server is reachable (database `test`, user root or
postgres, trust auth; or TEST_DATABASE_URL) and skip otherwise, the reason naming each URL
tried. With REQUIRE_POSTGRES=1 (`.ci/run` sets it) they fail instead of skipping, so CI
cannot go green without them. Each test gets a fresh schema (search_path set through the
URL), dropped afterwards.
"""

from __future__ import annotations

import contextlib
import functools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import Store, open_store
from bot.store.db import loggable_url, normalize_url

PG_CANDIDATES = (
    "postgresql+psycopg://root@127.0.0.1:5432/test",
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
)
BACKENDS = ("sqlite", "postgresql")


@functools.cache
def postgres_base() -> tuple[str | None, str]:
    """(a working URL, "") or (None, why not)."""
    import psycopg

    given = os.environ.get("TEST_DATABASE_URL", "").strip()
    candidates = [normalize_url(given)] if given else list(PG_CANDIDATES)
    errors = []
    for url in candidates:
        try:
            with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3):
                return url, ""
        except psycopg.Error as exc:
            lines = str(exc).strip().splitlines()
            errors.append(f"{loggable_url(url)}: {lines[0] if lines else type(exc).__name__}")
    source = (
        "TEST_DATABASE_URL" if given else "127.0.0.1:5432, database test (set TEST_DATABASE_URL for another)"
    )
    return None, f"PostgreSQL not reachable ({source}); tried " + "; ".join(errors)


def postgres_or_skip() -> str:
    """A reachable PostgreSQL URL; else skip with why, or fail with REQUIRE_POSTGRES=1."""
    base, why = postgres_base()
    if base is None:
        if os.environ.get("REQUIRE_POSTGRES", "").strip() not in ("", "0"):
            pytest.fail(f"REQUIRE_POSTGRES is set: {why}", pytrace=False)
        pytest.skip(why)
    return base


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend, as a URL open_store takes."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with fresh_schema(postgres_or_skip()) as url:
        yield url


@contextlib.contextmanager
def fresh_schema(base: str) -> Iterator[str]:
    """A new, empty PostgreSQL schema on `base`, as a URL; dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = base.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()
