"""Store fixtures over both backends: a SQLite file, and the real PostgreSQL on 127.0.0.1:5432.

PostgreSQL tests run whenever the server is reachable (database `test`, user root or
postgres, trust auth; or TEST_DATABASE_URL) and skip with the reason otherwise. Each test
gets a fresh schema (search_path set through the URL), dropped afterwards.
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

PG_CANDIDATES = (
    "postgresql+psycopg://root@127.0.0.1:5432/test",
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
)
BACKENDS = ("sqlite", "postgresql")


@functools.cache
def postgres_base() -> tuple[str | None, str]:
    """(a working URL, "") or (None, why not)."""
    import psycopg

    candidates = [os.environ["TEST_DATABASE_URL"]] if os.environ.get("TEST_DATABASE_URL") else PG_CANDIDATES
    errors = []
    for url in candidates:
        try:
            with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3):
                return url, ""
        except psycopg.Error as exc:
            errors.append(f"{url.split('@')[0].split('//')[1]}: {str(exc).strip().splitlines()[0]}")
    return None, "PostgreSQL not reachable on 127.0.0.1:5432 (database test): " + "; ".join(errors)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend, as a URL open_store takes."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base, why = postgres_base()
    if base is None:
        pytest.skip(why)
    with fresh_schema(base) as url:
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
        yield f"{base}?options=-csearch_path%3D{schema}"
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
